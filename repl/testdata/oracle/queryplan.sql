-- EXPLAIN QUERY PLAN is drawn as a tree in every mode (plans whose text
-- differs between SQLite 3.40 and the newer engine, e.g. compound selects,
-- are left out)
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
CREATE TABLE u(x, y);
CREATE INDEX u_x ON u(x);
EXPLAIN QUERY PLAN SELECT 1;
EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1;
EXPLAIN QUERY PLAN SELECT * FROM t WHERE a IN (SELECT x FROM u WHERE y > 2);
EXPLAIN QUERY PLAN SELECT * FROM t JOIN u ON u.x = t.a ORDER BY t.b;
