CREATE TABLE pt(a, b);
.parameter set :a 1
.parameter set @b 'hello world'
.parameter set $c 2.5
.parameter set ?3 x'00ff'
.parameter set :e 1+2*3
.parameter set :t "'it''s'"
.parameter set :n NULL
.parameter set :w nosuchcolumn
.parameter list
SELECT :a, @b, $c, ?3, :e, :t, :n, :w, :unset;
SELECT typeof(:a), typeof(@b), typeof($c), typeof(?3), typeof(:e), typeof(:n);
SELECT ':a', '?3', ":a" FROM (SELECT 1 AS ":a");
INSERT INTO pt VALUES (:a, :t);
INSERT INTO pt VALUES (:e, :e);
BEGIN;
INSERT INTO pt VALUES (@b, 'x');
INSERT INTO pt VALUES ('y', $c);
INSERT INTO pt VALUES (:a + :e, :zz);
COMMIT;
SELECT * FROM pt ORDER BY rowid;
SELECT count(*) FROM pt WHERE a = :a;
UPDATE pt SET b = :e WHERE a = :a;
SELECT * FROM pt WHERE a = :a;
.parameter set ?2 7
SELECT ?1, ?, ?;
SELECT ?2, ?, ?;
SELECT ?, ?, ?;
.parameter unset :a
.parameter unset :nothing
.parameter list
SELECT :a, :e;
.parameter set :abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz 1
.parameter list
.parameter clear
.parameter list
SELECT :e;
.parameter
.parameter set :x
.parameter bogus
.parameter init
.parameter list
.parameter set ?5 55
.parameter set :m 'm'
SELECT ?5, :m;
SELECT :m, ?5, ?;
SELECT ?4, ?;
