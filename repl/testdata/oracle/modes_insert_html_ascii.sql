CREATE TABLE m(a INTEGER, "b c" TEXT, "select" REAL, d BLOB, e);
INSERT INTO m VALUES (1, 'it''s', 2.5, x'00ff10', NULL);
INSERT INTO m VALUES (-7, 'two' || char(10) || 'lines' || char(13), 1e300*1e300, x'', 'x\n' || char(10));
INSERT INTO m VALUES (0, '<b>&"q"</b>', -0.0, NULL, 0.1);
INSERT INTO m VALUES (9223372036854775807, '', 123456789012.25, x'41', -1e300*1e300);
INSERT INTO m VALUES (2, 'a\nb\012c' || char(10), 1e19, NULL, 9.2233720368547758e18);
.mode insert
.mode
SELECT * FROM m;
.headers on
SELECT * FROM m;
SELECT a AS "table", a AS _x1, a AS "1a", a AS "where", a AS "a""q", a AS ab_9 FROM m WHERE a = 1;
.mode insert new_t
SELECT a, e FROM m ORDER BY a;
.mode insert "my table"
SELECT a FROM m WHERE a = 0;
.mode ins Order
SELECT 1.5e20, 1e-5, 100.0, 1.0/3;
SELECT * FROM m WHERE 0;
.headers off
.mode html
.mode
SELECT * FROM m;
.headers on
SELECT a AS "<a>", "b c" AS 'x''y', e FROM m;
SELECT * FROM m WHERE 0;
.nullvalue NIL
SELECT NULL, '&amp;';
.nullvalue ''
.mode ascii
.mode
SELECT * FROM m;
.headers off
SELECT a, "b c" FROM m;
.mode tabs
SELECT 1, 2;
.mode list
SELECT 1, 2;
.mode asc
.mode htm
.mode
