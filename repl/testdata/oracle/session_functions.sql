-- Issue 14, bug 3: last_insert_rowid() and changes() in a read after a
-- write give the session's values, as sqlite3 gives its connection's.
SELECT last_insert_rowid(), changes();
CREATE TABLE sf(x);
INSERT INTO sf VALUES (1), (2);
SELECT last_insert_rowid();
SELECT changes();
SELECT  last_insert_rowid( ) , changes() AS c, CHANGES() n;
UPDATE sf SET x = x + 10;
SELECT changes(), last_insert_rowid();
DELETE FROM sf WHERE x = 11;
SELECT changes();
INSERT INTO sf VALUES (3);
SELECT last_insert_rowid(), changes();
CREATE TABLE sfw(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO sfw VALUES (1, 2), (3, 4);
SELECT last_insert_rowid(), changes();
CREATE TABLE sfl(y);
CREATE TRIGGER sft AFTER UPDATE ON sf BEGIN INSERT INTO sfl VALUES (new.x); END;
UPDATE sf SET x = 0;
SELECT last_insert_rowid(), changes();
SELECT * FROM sfl;
DROP TABLE sf;
DROP TABLE sfw;
DROP TABLE sfl;
