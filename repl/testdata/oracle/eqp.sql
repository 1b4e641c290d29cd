.eqp on
CREATE TABLE eq(a INTEGER PRIMARY KEY, b);
CREATE INDEX eq_b ON eq(b);
INSERT INTO eq VALUES (1, 2);
INSERT INTO eq SELECT 2, 3;
SELECT * FROM eq WHERE a = 1;
SELECT b FROM eq WHERE b > 2;
SELECT 1;
EXPLAIN QUERY PLAN SELECT * FROM eq;
UPDATE eq SET b = 3 WHERE a IN (SELECT a FROM eq WHERE b = 2);
DELETE FROM eq WHERE b = 99;
SELECT * FROM eq e1 JOIN eq e2 ON e1.b = e2.a ORDER BY e1.b;
SELECT nosuch FROM eq;
.eqp off
SELECT count(*) FROM eq;
.eqp
.eqp maybe
SELECT a FROM eq WHERE a = 2;
.eqp 1
SELECT a FROM eq WHERE a = 2;
.eqp trigger
SELECT a FROM eq WHERE a = 2;
.eqp off
