-- joins, aggregates, window functions, CTEs
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER REFERENCES dept(id), salary INTEGER, boss INTEGER);
INSERT INTO dept VALUES (1, 'Engineering'), (2, 'Sales'), (3, 'Empty');
INSERT INTO emp VALUES (1, 'Ann', 1, 120, NULL), (2, 'Bob', 1, 100, 1), (3, 'Cid', 2, 90, 1),
  (4, 'Dee', 2, 95, 3), (5, 'Eve', NULL, 50, 1), (6, 'Fay', 1, 100, 2);
SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept_id ORDER BY e.id;
SELECT d.name, count(e.id), sum(e.salary), max(e.salary), min(e.salary) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.id ORDER BY d.id;
SELECT dept_id, avg(salary) FROM emp GROUP BY dept_id HAVING count(*) > 1 ORDER BY dept_id;
SELECT name, salary, rank() OVER (ORDER BY salary DESC), row_number() OVER (PARTITION BY dept_id ORDER BY id) FROM emp ORDER BY id;
SELECT name, sum(salary) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), lag(name) OVER (ORDER BY id), lead(salary, 1, 0) OVER (ORDER BY id) FROM emp ORDER BY id;
WITH RECURSIVE chain(id, name, depth) AS (
  SELECT id, name, 0 FROM emp WHERE boss IS NULL
  UNION ALL
  SELECT e.id, e.name, c.depth + 1 FROM emp e JOIN chain c ON e.boss = c.id
)
SELECT * FROM chain ORDER BY depth, id;
WITH big AS (SELECT * FROM emp WHERE salary >= 100) SELECT group_concat(name, ';') FROM big;
SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE name LIKE 'S%') ORDER BY 1;
SELECT CASE WHEN salary > 99 THEN 'high' ELSE 'low' END AS band, count(*) FROM emp GROUP BY band ORDER BY band;
VALUES (1, 'a'), (2, 'b');
SELECT DISTINCT dept_id FROM emp ORDER BY 1;
SELECT name FROM emp ORDER BY salary DESC, name LIMIT 2 OFFSET 1;
SELECT json_object('n', name, 's', salary) FROM emp WHERE id < 3 ORDER BY id;
