-- Issue 14, bug 7: a table dropped and re-created with other columns.
-- Every read sees the new definition, whichever pooled connection of
-- whichever node serves it (each node keeps several).
CREATE TABLE t(a, b, c);
SELECT count(*) FROM t;
SELECT count(*) FROM t;
SELECT count(*) FROM t;
SELECT count(*) FROM t;
SELECT count(*) FROM t;
DROP TABLE t;
CREATE TABLE t(x);
SELECT 1 IN t;
SELECT 1 IN t;
SELECT 1 IN t;
SELECT 1 IN t;
SELECT 1 IN t;
SELECT * FROM t UNION SELECT 1;
SELECT * FROM t UNION SELECT 2;
SELECT * FROM t UNION SELECT 3;
SELECT * FROM t UNION SELECT 4;
SELECT * FROM t UNION SELECT 5;
SELECT (SELECT * FROM t);
SELECT (SELECT * FROM t);
SELECT (SELECT * FROM t);
SELECT (SELECT * FROM t);
SELECT (SELECT * FROM t);
INSERT INTO t VALUES (7);
SELECT 7 IN t, (SELECT x FROM t);
SELECT 7 IN t, (SELECT x FROM t);
SELECT 7 IN t, (SELECT x FROM t);
SELECT 7 IN t, (SELECT x FROM t);
SELECT 7 IN t, (SELECT x FROM t);
DROP TABLE t;
