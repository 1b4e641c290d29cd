-- errors go to stderr with the line of their statement; the rest runs
CREATE TABLE t(a INTEGER UNIQUE, b TEXT NOT NULL, c INTEGER CHECK (c > 0));
INSERT INTO t VALUES (1, 'one', 1);

INSERT INTO t VALUES (1, 'dup', 2);
INSERT INTO t VALUES (2, NULL, 2);
INSERT INTO t VALUES (3, 'three', -1);
SELECT x frm t;
SELECT * FROM nosuch;
SELECT nosuchcol FROM t;
SELECT abs(-9223372036854775808);
COMMIT;
ROLLBACK;
INSERT INTO t VALUES (4, 'four', 4);
SELECT * FROM t ORDER BY a;
CREATE TABLE t(x);
SELECT 1 +;
SELECT 'after errors';
SELECT 'unterminated
