-- the table modes: control characters, newlines and TABs in values, long
-- values wrapped at 60 by default, .mode options, .width, .headers in column
CREATE TABLE w(id INTEGER PRIMARY KEY, s TEXT);
INSERT INTO w(s) VALUES ('a'||char(27)||'[2Jb'), ('line1'||char(10)||'line2'||char(10)||'line3'), ('crlf'||char(13)||char(10)||'next'), ('tab'||char(9)||'x'||char(9)||char(9)||'y'), ('ctl'||char(1)||char(2)||'z'||char(127)), (char(10)), ('trailing'||char(10)), ('wide 日本語 é'), (NULL), (''), ('cr'||char(13)||'only'), ('ff'||char(12)||'vt'||char(11)||'end');
SELECT id, s FROM w ORDER BY id;
SELECT 'h' || char(9) || 'd' AS "tab	name", 'two' || char(10) || 'lines' AS "new
line";
SELECT length(replace(hex(zeroblob(1500)), '00', 'ab')) AS n, replace(hex(zeroblob(1500)), '00', 'ab') AS long;
SELECT 'The quick brown fox jumps over the lazy dog and keeps running far beyond the sixty-character limit of a box' AS sentence, 'x' AS y;
SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbb cc' AS unbroken;
.mode box --wrap 20 --wordwrap on
SELECT 'The quick brown fox jumps over the lazy dog and keeps running far beyond the limit' AS sentence, 'a,b;c.d-e_f(g)h[i]j/k\l:m<n>o' AS punct, 'tab	in	a	wrapped	value' AS tabs;
.mode
.mode table --ww --quote
SELECT id, s, 1.5, x'00ff', NULL FROM w WHERE id < 6;
.mode
.mode column --wrap 12 --noquote
SELECT 'column mode wraps long values too' AS c, 'short' AS d;
.headers off
SELECT 'no header' AS c, 2 AS d;
.mode column
SELECT 'still no header' AS c;
.headers on
.width 5 -8 0
SELECT 12345678901 AS big, 'right' AS r, 'abc' AS c;
.mode table
SELECT 12345678901 AS big, 'right' AS r, 'abc' AS c;
.width
SELECT 12345678901 AS big, 'right' AS r, 'abc' AS c;
.mode qbox
SELECT 'it''s' AS q, NULL AS n;
.mode
.mode markdown --wrap 8
SELECT 'markdown wraps too' AS m, 2;
.nullvalue <null>
.mode box --wrap 0
SELECT NULL AS n, replace(hex(zeroblob(40)), '00', 'xy') AS nowrap;
.mode box --bogus
.mode
.mode box --wrap 3 x y
.mode tabs
.mode
SELECT 1, 2;
.mode list
SELECT 'list keeps headers on after column mode' AS h;
