-- DDL, DML, NULLs, integers, text and unicode
CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, age INTEGER);
INSERT INTO person(name, city, age) VALUES ('Ada', 'London', 36), ('Grace', 'New York', 85), ('Linus', NULL, 54);
INSERT INTO person(name, city, age) VALUES ('Zoë', 'Zürich', NULL);
INSERT INTO person(name, city, age) VALUES ('山田', '東京', 29), ('Émile', 'Paris, France', 41);
SELECT * FROM person ORDER BY id;
SELECT name, city IS NULL AS no_city, age FROM person WHERE age > 30 ORDER BY age DESC;
UPDATE person SET city = 'Helsinki' WHERE name = 'Linus';
DELETE FROM person WHERE age IS NULL;
SELECT id, name, city FROM person ORDER BY name;
SELECT 'it''s', 'say "hi"', 'tab	tab', 'semi;colon', 'line
break', '', ' lead', 'trail ', NULL, 'a,b';
SELECT 9223372036854775807, -9223372036854775808, 0, -1, 42;
SELECT length('héllo'), upper('abc'), lower('ÀB'), 'x' || 'y', substr('hello', 2, 3);
SELECT 1; SELECT 2;
  SELECT 3
  ;
SELECT 'multi',
  'line',
  'statement';
/* a comment; with a semicolon */ SELECT 'after comment';
-- a comment line; not a statement
SELECT name AS "Quoted ""Name""", age AS [bracket] FROM person WHERE id = 1;
CREATE TABLE "odd;name"(x);
INSERT INTO "odd;name" VALUES (';');
SELECT * FROM "odd;name";
SELECT count(*), typeof(1), typeof('a'), typeof(NULL), typeof(x'00'), typeof(1.5);
SELECT 5
