-- Window functions: OVER (PARTITION BY / ORDER BY / frame), named windows, ranking and value
-- functions, every aggregate as a window function, ROWS / RANGE / GROUPS frames with offsets and
-- EXCLUDE, window functions over grouped queries, and the errors PostgreSQL gives.
CREATE TABLE sales (id int PRIMARY KEY, region text, rep text, amount int, price numeric, sold date, ts timestamp);
INSERT INTO sales VALUES
  (1, 'eu', 'ann', 100, 1.50, '2024-01-01', '2024-01-01 10:00'),
  (2, 'eu', 'bob', 200, 2.25, '2024-01-02', '2024-01-01 11:00'),
  (3, 'eu', 'ann', 200, NULL, '2024-01-04', '2024-01-02 09:30'),
  (4, 'us', 'cid', 50, 0.75, '2024-01-01', '2024-01-03 00:00'),
  (5, 'us', 'cid', NULL, 3.00, '2024-01-03', '2024-01-03 12:00'),
  (6, 'us', 'dan', 300, 3.00, '2024-01-03', '2024-01-05 08:00'),
  (7, NULL, 'eve', 75, 1.00, NULL, NULL),
  (8, 'eu', 'bob', 100, 1.50, '2024-01-04', '2024-01-06 18:45');

-- ranking
SELECT id, row_number() OVER (ORDER BY id DESC) FROM sales ORDER BY id;
SELECT id, amount, rank() OVER (ORDER BY amount), dense_rank() OVER (ORDER BY amount), percent_rank() OVER (ORDER BY amount), cume_dist() OVER (ORDER BY amount) FROM sales ORDER BY id;
SELECT id, region, row_number() OVER (PARTITION BY region ORDER BY amount DESC NULLS LAST, id) FROM sales ORDER BY id;
SELECT id, rank() OVER (PARTITION BY region ORDER BY amount DESC) FROM sales ORDER BY id;
SELECT id, ntile(3) OVER (ORDER BY id), ntile(5) OVER (ORDER BY id), ntile(20) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, ntile(2) OVER (PARTITION BY region ORDER BY id) FROM sales ORDER BY id;
SELECT id, row_number() OVER () > 0 FROM sales ORDER BY id;
SELECT id, rank() OVER (), dense_rank() OVER (), percent_rank() OVER (), cume_dist() OVER () FROM sales ORDER BY id;

-- value functions
SELECT id, lag(amount) OVER (ORDER BY id), lead(amount) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, lag(amount, 2) OVER (ORDER BY id), lead(amount, 2, -1) OVER (ORDER BY id), lag(amount, 0) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, lag(amount, -1) OVER (ORDER BY id), lead(price, 1, 0) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, lag(rep, 1, 'none') OVER (PARTITION BY region ORDER BY id) FROM sales ORDER BY id;
SELECT id, lag(amount, NULL) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, first_value(rep) OVER (PARTITION BY region ORDER BY id), last_value(rep) OVER (PARTITION BY region ORDER BY id) FROM sales ORDER BY id;
SELECT id, last_value(rep) OVER (PARTITION BY region ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM sales ORDER BY id;
SELECT id, nth_value(amount, 2) OVER (ORDER BY id), nth_value(amount, 2) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM sales ORDER BY id;
SELECT id, first_value(amount) OVER (ORDER BY amount NULLS FIRST), last_value(amount) OVER (ORDER BY amount) FROM sales ORDER BY id;

-- aggregates as window functions, default frames with peers
SELECT id, amount, sum(amount) OVER (ORDER BY amount) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (), count(*) OVER (), count(amount) OVER (), avg(amount) OVER () FROM sales ORDER BY id;
SELECT id, region, sum(amount) OVER (PARTITION BY region), max(amount) OVER (PARTITION BY region), min(price) OVER (PARTITION BY region) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (PARTITION BY region ORDER BY id) FROM sales ORDER BY id;
SELECT id, string_agg(rep, ',') OVER (ORDER BY id), array_agg(amount) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, bool_and(amount > 60) OVER (ORDER BY id), bool_or(amount > 250) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT id, count(*) FILTER (WHERE amount > 100) OVER (ORDER BY id), sum(amount) FILTER (WHERE region = 'eu') OVER () FROM sales ORDER BY id;
SELECT id, sum(price) OVER (ORDER BY sold), avg(price) OVER (ORDER BY sold) FROM sales ORDER BY id;
SELECT id, jsonb_agg(amount) OVER (ORDER BY id ROWS 1 PRECEDING) FROM sales ORDER BY id;

-- ROWS / RANGE / GROUPS frames
SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ORDER BY id ROWS 2 PRECEDING) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) FROM sales ORDER BY id;
SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM sales ORDER BY id;
SELECT id, amount, sum(amount) OVER (ORDER BY amount RANGE BETWEEN 50 PRECEDING AND 50 FOLLOWING) FROM sales ORDER BY id;
SELECT id, amount, count(*) OVER (ORDER BY amount DESC RANGE BETWEEN 100 PRECEDING AND CURRENT ROW) FROM sales ORDER BY id;
SELECT id, amount, count(*) OVER (ORDER BY amount NULLS FIRST RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) FROM sales ORDER BY id;
SELECT id, amount, sum(amount) OVER (ORDER BY amount RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM sales ORDER BY id;
SELECT id, price, sum(amount) OVER (ORDER BY price RANGE BETWEEN 0.75 PRECEDING AND CURRENT ROW) FROM sales ORDER BY id;
SELECT id, sold, count(*) OVER (ORDER BY sold RANGE BETWEEN '1 day' PRECEDING AND CURRENT ROW) FROM sales ORDER BY id;
SELECT id, ts, count(*) OVER (ORDER BY ts RANGE BETWEEN CURRENT ROW AND '1 day' FOLLOWING) FROM sales ORDER BY id;
SELECT id, amount, count(*) OVER (ORDER BY amount GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM sales ORDER BY id;
SELECT id, amount, sum(amount) OVER (ORDER BY amount GROUPS 1 PRECEDING) FROM sales ORDER BY id;
SELECT id, amount, sum(amount) OVER (ORDER BY amount ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM sales ORDER BY id;
SELECT id, amount, count(*) OVER (ORDER BY amount RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE GROUP) FROM sales ORDER BY id;
SELECT id, amount, count(*) OVER (ORDER BY amount RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM sales ORDER BY id;
SELECT id, amount, first_value(id) OVER (ORDER BY amount ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) FROM sales ORDER BY id;
SELECT id, amount, sum(amount) OVER (ORDER BY amount GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE TIES) FROM sales ORDER BY id;
SELECT id, sum(amount) OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM (SELECT * FROM sales ORDER BY id) s ORDER BY id;

-- named windows
SELECT id, sum(amount) OVER w, row_number() OVER w FROM sales WINDOW w AS (PARTITION BY region ORDER BY id) ORDER BY id;
SELECT id, sum(amount) OVER (w ORDER BY id) FROM sales WINDOW w AS (PARTITION BY region) ORDER BY id;
SELECT id, sum(amount) OVER (w ROWS 1 PRECEDING) FROM sales WINDOW w AS (ORDER BY id) ORDER BY id;
SELECT id, sum(amount) OVER w2 FROM sales WINDOW w1 AS (PARTITION BY region), w2 AS (w1 ORDER BY amount) ORDER BY id;
SELECT id, count(*) OVER w FROM sales WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) ORDER BY id;

-- with grouping, DISTINCT, ORDER BY, expressions, subqueries
SELECT region, sum(amount), rank() OVER (ORDER BY sum(amount) DESC) FROM sales GROUP BY region ORDER BY region;
SELECT region, sum(sum(amount)) OVER () FROM sales GROUP BY region ORDER BY region;
SELECT region, count(*), 100.0 * count(*) / sum(count(*)) OVER () AS pct FROM sales GROUP BY region ORDER BY region;
SELECT rep, amount FROM sales ORDER BY row_number() OVER (ORDER BY amount DESC NULLS LAST, id) LIMIT 3;
SELECT DISTINCT region, count(*) OVER (PARTITION BY region) FROM sales ORDER BY 1;
SELECT id, amount - lag(amount) OVER (ORDER BY id) AS delta FROM sales ORDER BY id;
SELECT * FROM (SELECT id, rank() OVER (PARTITION BY region ORDER BY amount DESC) AS r FROM sales) t WHERE r = 1 ORDER BY id;
SELECT id, (SELECT max(amount) FROM sales) - sum(amount) OVER (ORDER BY id) FROM sales ORDER BY id;
SELECT s.id, sum(s.amount) OVER (PARTITION BY s.region ORDER BY s.id), x.n FROM sales s JOIN (VALUES (1, 'one'), (2, 'two')) x(k, n) ON x.k = s.id ORDER BY s.id;
SELECT id, row_number() OVER (ORDER BY id) FROM sales WHERE false;
SELECT count(*) OVER () FROM (SELECT 1 WHERE false) s;
SELECT sum(x) OVER (ORDER BY x) FROM (VALUES (1), (1), (2)) v(x);
SELECT x, avg(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM (VALUES (1.5), (2.5), (NULL)) v(x);
SELECT i, sum(i) OVER (ORDER BY i DESC ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM generate_series(1, 5) i ORDER BY i;

-- errors
SELECT id FROM sales WHERE row_number() OVER (ORDER BY id) > 1;
SELECT row_number() FROM sales;
SELECT count(*) OVER w FROM sales;
SELECT count(*) OVER w FROM sales WINDOW w AS (ORDER BY id), w AS (ORDER BY amount);
SELECT count(*) OVER (w PARTITION BY region) FROM sales WINDOW w AS (ORDER BY id);
SELECT count(*) OVER (w ORDER BY amount) FROM sales WINDOW w AS (ORDER BY id);
SELECT count(*) OVER (w) FROM sales WINDOW w AS (ORDER BY id ROWS CURRENT ROW);
SELECT sum(row_number() OVER ()) FROM sales;
SELECT row_number() OVER (PARTITION BY rank() OVER ()) FROM sales;
SELECT lower(rep) OVER () FROM sales;
SELECT count(DISTINCT amount) OVER () FROM sales;
SELECT region FROM sales GROUP BY region HAVING rank() OVER () > 1;
SELECT sum(amount) OVER (ORDER BY amount, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sales;
SELECT sum(amount) OVER (ORDER BY rep RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sales;
SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN amount PRECEDING AND CURRENT ROW) FROM sales;
SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM sales;
SELECT sum(amount) OVER (ORDER BY id RANGE BETWEEN -1 PRECEDING AND CURRENT ROW) FROM sales;
SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN NULL PRECEDING AND CURRENT ROW) FROM sales;
SELECT ntile(0) OVER (ORDER BY id) FROM sales;
SELECT nth_value(amount, 0) OVER (ORDER BY id) FROM sales;
SELECT id, sum(amount) OVER (ORDER BY id) FROM sales GROUP BY region;
SELECT rank() OVER (ORDER BY id) FROM sales GROUP BY id ORDER BY 1;
