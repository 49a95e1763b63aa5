-- GROUP BY, HAVING and the aggregates, with PostgreSQL's result types and empty-input results.
CREATE TABLE sales (id int PRIMARY KEY, region text, product text, amount int, price numeric(8,2), weight float8, big bigint, ok bool);
INSERT INTO sales VALUES
  (1, 'east', 'a', 10, 1.50, 0.5, 10000000000, true),
  (2, 'east', 'b', 20, 2.25, 1.5, 20000000000, false),
  (3, 'west', 'a', 5, 3.00, NULL, NULL, true),
  (4, 'west', 'c', NULL, NULL, 2.0, 5, NULL),
  (5, 'north', 'a', 7, 0.99, 3.25, 1, true);
SELECT count(*), count(amount), count(DISTINCT region), sum(amount), avg(amount), min(amount), max(amount) FROM sales;
SELECT sum(price), avg(price), min(price), max(price) FROM sales;
SELECT sum(weight), avg(weight), min(weight), max(weight) FROM sales;
SELECT sum(big), avg(big), sum(big::int2 % 3) FROM sales;
SELECT bool_and(ok), bool_or(ok), every(ok) FROM sales;
SELECT string_agg(product, ','), string_agg(DISTINCT product, '|') FROM sales;
SELECT string_agg(product, ',' ORDER BY id DESC), array_agg(amount ORDER BY id) FROM sales;
SELECT region, count(*), sum(amount) FROM sales GROUP BY region ORDER BY region;
SELECT region, count(*) AS n FROM sales GROUP BY 1 HAVING count(*) > 1 ORDER BY 1;
SELECT region, sum(amount) FILTER (WHERE ok) FROM sales GROUP BY region ORDER BY region;
SELECT product, region, max(price) FROM sales GROUP BY product, region ORDER BY product, region;
SELECT upper(region) AS r, count(*) FROM sales GROUP BY upper(region) ORDER BY r;
SELECT region AS r FROM sales GROUP BY r ORDER BY r;
SELECT count(*) FROM sales WHERE false;
SELECT sum(amount), max(price), string_agg(product, ','), array_agg(id), bool_and(ok) FROM sales WHERE false;
SELECT region, count(*) FROM sales WHERE false GROUP BY region;
SELECT region, amount FROM sales GROUP BY region;
SELECT count(*) FROM sales WHERE count(*) > 1;
SELECT sum(count(*)) FROM sales;
SELECT sum(region) FROM sales;
SELECT count(*) + 1, max(amount) - min(amount), round(avg(amount), 2) FROM sales;
SELECT region, count(*) FROM sales GROUP BY region HAVING sum(amount) IS NULL OR sum(amount) > 20 ORDER BY 2 DESC, 1;
SELECT DISTINCT region FROM sales ORDER BY region;
SELECT count(*) AS c FROM sales HAVING count(*) > 100;
SELECT avg(x) FROM (VALUES (1), (2), (4)) AS v(x);
SELECT array_agg(x), json_agg(x), jsonb_agg(x) FROM (VALUES (1), (NULL), (3)) AS v(x);
SELECT region, json_object_agg(product, amount) FROM sales WHERE region = 'east' GROUP BY region;
SELECT min(region), max(product) FROM sales;
SELECT count(1), count('x'), count(NULL::int) FROM sales;
-- Grouping by a primary key determines the table's other columns (Sequelize groups by the id alone).
SELECT id, region, product, sum(amount) FROM sales GROUP BY id ORDER BY region, id;
SELECT s.id, s.region, count(o.id) AS n FROM sales s LEFT JOIN sales o ON o.region = s.region AND o.id <> s.id GROUP BY s.id HAVING s.region <> 'north' ORDER BY s.product DESC, s.id;
SELECT s.region, count(*) FROM sales s JOIN sales o ON o.id = s.id GROUP BY o.id ORDER BY 1;
SELECT region, count(*) FROM sales GROUP BY product;
SELECT s.region FROM (SELECT id, region FROM sales) s GROUP BY s.id;
WITH w AS (SELECT id, region FROM sales) SELECT w.region FROM w GROUP BY w.id;
SELECT id, region FROM sales GROUP BY ROLLUP (id) ORDER BY id;
CREATE TABLE sales_nokey (id int, region text);
SELECT id, region FROM sales_nokey GROUP BY id;
