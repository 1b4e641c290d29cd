-- A savepoint nested under one of the same name: RELEASE finds the newest
CREATE TABLE n(a);
SAVEPOINT a;
INSERT INTO n VALUES (1);
SAVEPOINT a;
INSERT INTO n VALUES (2);
RELEASE a;
SELECT count(*) FROM n;
RELEASE a;
SELECT * FROM n ORDER BY a;
-- ROLLBACK TO keeps the savepoint open and cancels the newer ones
SAVEPOINT p;
INSERT INTO n VALUES (3);
SAVEPOINT q;
INSERT INTO n VALUES (4);
ROLLBACK TRANSACTION TO SAVEPOINT p;
SAVEPOINT q;
INSERT INTO n VALUES (5);
RELEASE SAVEPOINT q;
RELEASE p;
SELECT * FROM n ORDER BY a;
-- names compare without ASCII case; a quoted name is the same name
SAVEPOINT "Mixed";
INSERT INTO n VALUES (6);
RELEASE mixed;
SELECT * FROM n ORDER BY a;
RELEASE p;
