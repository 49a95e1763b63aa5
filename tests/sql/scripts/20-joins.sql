-- FROM lists and joins: comma joins, [INNER] JOIN ... ON / USING, NATURAL, LEFT/RIGHT/FULL, CROSS,
-- aliases and column aliases, derived tables, VALUES, LATERAL, functions in FROM, name resolution.
CREATE TABLE dept (id int PRIMARY KEY, name text, region text);
CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int, salary int, boss int);
CREATE TABLE proj (code text PRIMARY KEY, dept_id int, budget numeric);
CREATE TABLE assign (emp_id int, code text, hours int, PRIMARY KEY (emp_id, code));
CREATE TABLE nokey (k int, v text);
CREATE TABLE empty_t (id int PRIMARY KEY, x int);
CREATE TABLE wide (id bigint PRIMARY KEY, label varchar(10));
CREATE TABLE person (id int PRIMARY KEY, email text UNIQUE, name text);
INSERT INTO dept VALUES (1, 'eng', 'eu'), (2, 'ops', 'us'), (3, 'hr', NULL), (4, 'empty', 'eu');
INSERT INTO emp VALUES (1, 'ann', 1, 100, NULL), (2, 'bob', 1, 80, 1), (3, 'cid', 2, NULL, 1), (4, 'dan', 2, 70, 3), (5, 'eve', NULL, 60, 3), (6, 'fay', 9, 90, 2);
INSERT INTO proj VALUES ('p1', 1, 1000.5), ('p2', 1, NULL), ('p3', 2, 250), ('p4', NULL, 10);
INSERT INTO assign VALUES (1, 'p1', 10), (1, 'p2', 5), (2, 'p1', 20), (3, 'p3', 7), (6, 'p9', 1);
INSERT INTO nokey VALUES (1, 'a'), (1, 'a'), (2, 'b'), (NULL, 'n'), (3, NULL);
INSERT INTO wide VALUES (1, 'one'), (2, 'two'), (5, 'five');
INSERT INTO person VALUES (1, 'ann@x', 'ann'), (2, 'bob@x', 'bob');

-- comma joins and inner joins
SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id ORDER BY e.id;
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY e.id;
SELECT e.name, d.name FROM emp e INNER JOIN dept d ON d.id = e.dept_id WHERE d.region = 'eu' ORDER BY e.id;
SELECT e.name, d.name FROM dept d, emp e WHERE e.dept_id = d.id AND e.salary > 75 ORDER BY e.id;
SELECT * FROM emp e JOIN dept d ON e.dept_id = d.id WHERE e.id = 2;
SELECT * FROM emp, dept WHERE emp.dept_id = dept.id AND dept.id = 2 ORDER BY emp.id;
SELECT count(*) FROM emp, dept;
SELECT count(*) FROM emp CROSS JOIN dept CROSS JOIN proj;
SELECT e.name, p.code FROM emp e JOIN proj p ON p.dept_id = e.dept_id AND p.budget > 100 ORDER BY 1, 2;
SELECT e.name, b.name AS boss FROM emp e JOIN emp b ON e.boss = b.id ORDER BY e.id;
SELECT e.name, d.name, p.code FROM emp e JOIN dept d ON e.dept_id = d.id JOIN proj p ON p.dept_id = d.id ORDER BY e.id, p.code;
SELECT e.name, a.code, a.hours FROM assign a JOIN emp e ON e.id = a.emp_id ORDER BY e.name, a.code;
SELECT a.emp_id, a.code, p.budget FROM assign a JOIN proj p ON p.code = a.code ORDER BY 1, 2;
SELECT e.name, a.hours FROM emp e JOIN assign a ON a.emp_id = e.id AND a.code = 'p1' ORDER BY 1;
SELECT x.name FROM emp x, emp y WHERE x.salary > y.salary AND y.name = 'bob' ORDER BY 1;
SELECT e.name FROM emp e JOIN dept d ON e.salary > d.id * 40 WHERE d.name = 'ops' ORDER BY 1;
SELECT * FROM emp e JOIN empty_t t ON t.id = e.id;
SELECT * FROM empty_t t LEFT JOIN emp e ON t.id = e.id;
SELECT e.id, t.x FROM emp e LEFT JOIN empty_t t ON t.id = e.id ORDER BY 1;
SELECT count(*) FROM emp, empty_t;
-- @unordered
SELECT n1.k, n1.v, n2.v FROM nokey n1 JOIN nokey n2 ON n1.k = n2.k;
-- @unordered
SELECT n.k, e.name FROM nokey n LEFT JOIN emp e ON e.id = n.k;
SELECT w.label, e.name FROM wide w JOIN emp e ON e.id = w.id ORDER BY 1;
SELECT e.name, w.label FROM emp e JOIN wide w ON w.id = e.id ORDER BY 1;
SELECT p.name, e.salary FROM person p JOIN emp e ON e.name = p.name ORDER BY 1;
SELECT e.name, p.email FROM emp e JOIN person p ON p.email = e.name || '@x' ORDER BY 1;

-- outer joins, ON versus WHERE
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id ORDER BY e.id;
SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept_id = d.id ORDER BY d.id, e.id;
SELECT e.name, d.name FROM emp e FULL JOIN dept d ON e.dept_id = d.id ORDER BY d.id, e.id;
SELECT e.name, d.name FROM emp e FULL OUTER JOIN dept d ON e.dept_id = d.id AND d.region = 'eu' ORDER BY e.id, d.id;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id AND d.region = 'eu' ORDER BY e.id;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.region = 'eu' ORDER BY e.id;
SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.id IS NULL ORDER BY e.id;
SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id WHERE e.id IS NULL ORDER BY 1;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id AND e.salary > 75 ORDER BY e.id;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON true ORDER BY e.id, d.id LIMIT 5;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON false ORDER BY e.id;
SELECT e.name, d.name, p.code FROM emp e LEFT JOIN dept d ON e.dept_id = d.id LEFT JOIN proj p ON p.dept_id = d.id ORDER BY e.id, p.code;
SELECT e.name, d.name, p.code FROM emp e LEFT JOIN (dept d JOIN proj p ON p.dept_id = d.id) ON e.dept_id = d.id ORDER BY e.id, p.code;
SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name ORDER BY d.name;
SELECT e.name, coalesce(d.name, '-') FROM emp e LEFT OUTER JOIN dept d ON d.id = e.dept_id ORDER BY e.id;
SELECT p.code, d.name, e.name FROM proj p FULL JOIN dept d ON p.dept_id = d.id FULL JOIN emp e ON e.dept_id = d.id ORDER BY 1, 2, 3;
SELECT a.emp_id, e.name FROM assign a LEFT JOIN emp e ON e.id = a.emp_id ORDER BY 1, a.code;
SELECT a.code, e.name FROM emp e RIGHT JOIN assign a ON e.id = a.emp_id ORDER BY 1, 2;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE e.dept_id = 1 ORDER BY e.id;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.id = 1 ORDER BY e.id;
SELECT e.name, d.name FROM emp e FULL JOIN dept d ON e.dept_id = d.id WHERE d.id = 4 OR e.id = 5 ORDER BY e.id;
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE d.id = 2 AND e.dept_id = 2 ORDER BY e.id;
SELECT e.name, a.code FROM emp e, assign a, proj p WHERE a.emp_id = e.id AND p.code = a.code AND p.code = 'p1' ORDER BY 1;
SELECT e.name FROM emp e JOIN emp b ON b.id = e.boss JOIN emp c ON c.id = b.boss WHERE c.id = 1 ORDER BY 1;

-- USING, NATURAL, merged columns, * order
SELECT * FROM dept JOIN proj USING (dept_id) ORDER BY code;
SELECT * FROM emp JOIN dept ON emp.dept_id = dept.id WHERE emp.id < 3 ORDER BY emp.id;
SELECT * FROM emp e JOIN assign a ON a.emp_id = e.id JOIN proj p USING (code) ORDER BY e.id, code;
SELECT code, e.name, hours FROM emp e JOIN assign a ON a.emp_id = e.id JOIN proj p USING (code) ORDER BY 1, 2;
SELECT * FROM proj FULL JOIN assign USING (code) ORDER BY code, emp_id;
SELECT code FROM proj FULL JOIN assign USING (code) ORDER BY code;
SELECT proj.code, assign.code FROM proj LEFT JOIN assign USING (code) ORDER BY 1, 2;
SELECT * FROM wide JOIN emp USING (id) ORDER BY id;
SELECT * FROM wide FULL JOIN emp USING (id) ORDER BY id;
SELECT * FROM (SELECT 1 AS k, 'a' AS v) x NATURAL JOIN (SELECT 1 AS k, 'b' AS w) y;
SELECT * FROM (SELECT 1 AS k, 'a' AS v) x NATURAL JOIN (SELECT 2 AS k, 'a' AS v) y;
SELECT count(*) FROM dept NATURAL JOIN assign;
SELECT * FROM dept d JOIN proj p USING (dept_id) WHERE dept_id = 1 ORDER BY code;
SELECT j.code, j.budget FROM (proj JOIN assign USING (code)) AS j ORDER BY 1, 2;
SELECT * FROM (proj JOIN assign USING (code)) AS j(c, d) ORDER BY c, emp_id;
SELECT u.code FROM proj JOIN assign USING (code) AS u ORDER BY 1;
SELECT proj.code FROM (proj JOIN assign USING (code)) AS j;
SELECT * FROM emp JOIN dept USING (nosuch);
SELECT * FROM emp JOIN dept USING (id, id);
SELECT * FROM emp e1 JOIN emp e2 ON e1.id = e2.id JOIN dept USING (id);
SELECT name FROM emp JOIN dept ON emp.dept_id = dept.id;
SELECT * FROM emp JOIN dept USING (name);

-- aliases and name resolution
SELECT * FROM emp AS e(i, n) WHERE i < 3 ORDER BY i;
SELECT e.i, e.salary FROM emp AS e(i) WHERE e.i = 1;
SELECT * FROM emp AS e(a, b, c, d, f, g);
SELECT emp.id FROM emp e;
SELECT nosuch.id FROM emp e;
SELECT * FROM emp, emp;
SELECT * FROM emp e, dept e;
SELECT * FROM emp e JOIN emp e ON true;
SELECT e.id FROM emp e, public.emp ORDER BY 1 LIMIT 1;
SELECT id FROM emp, dept;
SELECT e.nosuch FROM emp e JOIN dept d ON true;
SELECT * FROM emp e JOIN dept d ON d.id = x.id;
SELECT * FROM emp e, dept d JOIN proj p ON p.dept_id = e.dept_id;
SELECT d.* FROM emp e JOIN dept d ON e.dept_id = d.id WHERE e.id = 4;
SELECT e.name, d.* FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE e.id IN (5, 6) ORDER BY e.id;

-- derived tables, VALUES, TABLE
SELECT s.dept_id, s.total, d.name FROM (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id) s JOIN dept d ON d.id = s.dept_id ORDER BY 1;
SELECT * FROM (SELECT id, name FROM emp WHERE salary > 70) AS rich(i, n) JOIN assign a ON a.emp_id = rich.i ORDER BY i, code;
SELECT v.n, e.name FROM (VALUES (1), (3), (7)) AS v(n) LEFT JOIN emp e ON e.id = v.n ORDER BY 1;
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) CROSS JOIN (VALUES (true), (false)) w(z) ORDER BY x, z;
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(x, y, z);
SELECT * FROM (SELECT 1) s, (SELECT 2) s;
-- @unordered
TABLE dept;
SELECT * FROM (TABLE dept) t WHERE region = 'eu' ORDER BY id;

-- LATERAL and functions in FROM
SELECT d.name, top.name, top.salary FROM dept d, LATERAL (SELECT name, salary FROM emp e WHERE e.dept_id = d.id ORDER BY salary DESC NULLS LAST LIMIT 1) top ORDER BY d.id;
SELECT d.name, top.name FROM dept d LEFT JOIN LATERAL (SELECT name FROM emp e WHERE e.dept_id = d.id ORDER BY id LIMIT 1) top ON true ORDER BY d.id;
SELECT d.name, c.n FROM dept d CROSS JOIN LATERAL (SELECT count(*) AS n FROM emp e WHERE e.dept_id = d.id) c ORDER BY d.id;
SELECT e.name, g FROM emp e, generate_series(1, e.id % 3) g ORDER BY e.id, g;
SELECT e.name, x.g FROM emp e JOIN LATERAL generate_series(1, 2) x(g) ON x.g <= e.id ORDER BY 1, 2;
SELECT * FROM generate_series(1, 3) AS g JOIN emp e ON e.id = g ORDER BY g;
SELECT * FROM generate_series(2, 10, 4);
SELECT * FROM generate_series(5, 1, -2) s(n);
SELECT * FROM generate_series(1, 0);
SELECT * FROM generate_series(1.5, 3.5);
SELECT * FROM generate_series(1, 3) WITH ORDINALITY;
SELECT * FROM unnest(ARRAY['x', 'y', NULL]) WITH ORDINALITY AS u(val, pos);
SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b', 'c']) AS u(n, s);
SELECT * FROM ROWS FROM (generate_series(1, 2), unnest(ARRAY['a', 'b', 'c'])) AS r(a, b);
SELECT * FROM unnest('{}'::int[]);
SELECT * FROM unnest(NULL::int[]);
SELECT * FROM lower('ABC');
SELECT * FROM lower('ABC') AS l(x);
SELECT e.name, u FROM emp e, unnest(ARRAY[e.salary, e.boss]) u WHERE e.id <= 2 ORDER BY 1, 2;
SELECT * FROM emp e, (SELECT e.id) s;
SELECT * FROM generate_series(1, 2) g, LATERAL (SELECT g * 10 AS t) s ORDER BY g;
SELECT * FROM generate_series(1, 3) g LEFT JOIN LATERAL (SELECT * FROM emp WHERE id = g * 2) e ON true ORDER BY g;
SELECT * FROM nosuchfunc(1);

-- grouping, DISTINCT and ORDER BY over joins
SELECT d.name, count(*), sum(e.salary) FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.name ORDER BY d.name;
SELECT d.region, count(DISTINCT e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.region ORDER BY 1 NULLS FIRST;
SELECT d.name, avg(e.salary) FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.name HAVING count(*) > 1 ORDER BY 1;
SELECT DISTINCT d.region FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY 1;
SELECT DISTINCT ON (d.id) d.name, e.name FROM dept d JOIN emp e ON e.dept_id = d.id ORDER BY d.id, e.salary DESC NULLS LAST;
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY d.name DESC, e.name;
SELECT e.name FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY e.name, d.name ORDER BY d.name, e.name;
SELECT d.name, e.salary FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.name;

-- subqueries with joins
SELECT e.name FROM emp e WHERE EXISTS (SELECT 1 FROM assign a JOIN proj p USING (code) WHERE a.emp_id = e.id AND p.budget > 100) ORDER BY 1;
SELECT e.name, (SELECT d.name FROM dept d WHERE d.id = e.dept_id) FROM emp e ORDER BY e.id;
SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = (SELECT min(id) FROM dept) ORDER BY 1;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON d.id = e.dept_id AND EXISTS (SELECT 1 FROM proj p WHERE p.dept_id = d.id AND p.budget > 500) ORDER BY e.id;
SELECT e.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE e.salary > (SELECT avg(salary) FROM emp x WHERE x.dept_id = d.id) ORDER BY 1;
SELECT d.name FROM dept d WHERE d.id IN (SELECT e.dept_id FROM emp e JOIN assign a ON a.emp_id = e.id) ORDER BY 1;
SELECT (SELECT count(*) FROM emp e JOIN dept d ON e.dept_id = d.id);
