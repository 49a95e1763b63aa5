-- WITH: plain CTEs (referenced several times, computed once), column aliases, nesting and
-- shadowing, WITH RECURSIVE (UNION and UNION ALL), data-modifying CTEs, and their errors.
CREATE TABLE node (id int PRIMARY KEY, parent int, label text);
CREATE TABLE edge (src int, dst int);
CREATE TABLE ledger (id serial PRIMARY KEY, account text, amount int);
CREATE TABLE archive (id int PRIMARY KEY, account text, amount int);
INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, NULL, 'other');
INSERT INTO edge VALUES (1, 2), (2, 3), (3, 1), (3, 4);
INSERT INTO ledger (account, amount) VALUES ('x', 10), ('y', 20), ('x', 5), ('z', NULL);

-- plain CTEs
WITH t AS (SELECT id, label FROM node WHERE parent = 1) SELECT * FROM t ORDER BY id;
WITH t(i, l) AS (SELECT id, label FROM node) SELECT i, l FROM t WHERE i > 4 ORDER BY i;
WITH t(i) AS (SELECT id, label FROM node) SELECT * FROM t WHERE i < 3 ORDER BY i;
WITH t AS (SELECT id FROM node) SELECT count(*) FROM t a, t b;
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b;
WITH a AS (SELECT 1 AS x) SELECT * FROM (WITH a AS (SELECT 2 AS x) SELECT * FROM a) s, a;
WITH a AS (SELECT 1 AS x) SELECT (SELECT x FROM a) + 1;
WITH a AS (SELECT id FROM node) SELECT label FROM node WHERE id IN (SELECT id FROM a WHERE id > 4) ORDER BY 1;
WITH totals AS (SELECT account, sum(amount) AS total FROM ledger GROUP BY account) SELECT account, total FROM totals WHERE total IS NOT NULL ORDER BY total DESC;
WITH empty AS (SELECT * FROM node WHERE false) SELECT count(*) FROM empty;
WITH t AS MATERIALIZED (SELECT 1 AS v) SELECT * FROM t;
WITH t AS NOT MATERIALIZED (SELECT 2 AS v) SELECT * FROM t;
WITH t AS (SELECT 'text' AS v) SELECT v, pg_typeof(v) FROM t;
WITH node AS (SELECT 42 AS id) SELECT * FROM node;
WITH t AS (SELECT 1 AS v UNION ALL SELECT 2) SELECT sum(v) FROM t;
WITH t AS (VALUES (1, 'a'), (2, 'b')) SELECT * FROM t ORDER BY 1;
SELECT * FROM (WITH q AS (SELECT 3 AS v) SELECT v * 2 AS w FROM q) s;
-- errors
WITH t AS (SELECT 1), t AS (SELECT 2) SELECT * FROM t;
WITH t(a, b) AS (SELECT 1) SELECT * FROM t;
WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a;
WITH t AS (SELECT 1 AS v) SELECT * FROM public.t;

-- WITH RECURSIVE
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r LIMIT 3;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT sum(n), count(*) FROM r;
WITH RECURSIVE sub(id, label, depth) AS (
  SELECT id, label, 0 FROM node WHERE id = 1
  UNION ALL
  SELECT n.id, n.label, s.depth + 1 FROM node n JOIN sub s ON n.parent = s.id
) SELECT * FROM sub ORDER BY depth, id;
WITH RECURSIVE path(id, path) AS (
  SELECT id, label FROM node WHERE parent IS NULL
  UNION ALL
  SELECT n.id, p.path || '/' || n.label FROM node n, path p WHERE n.parent = p.id
) SELECT * FROM path ORDER BY path;
WITH RECURSIVE reach(v) AS (SELECT 1 UNION SELECT e.dst FROM edge e JOIN reach r ON e.src = r.v) SELECT * FROM reach ORDER BY v;
WITH RECURSIVE reach(v) AS (SELECT 1 UNION SELECT e.dst FROM reach r, edge e WHERE e.src = r.v) SELECT count(*) FROM reach;
WITH RECURSIVE t(a, b) AS (SELECT 1, 1 UNION ALL SELECT b, a + b FROM t WHERE b < 50) SELECT a FROM t;
WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM node WHERE id = 5 UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) SELECT id FROM up ORDER BY id;
WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n FROM t) SELECT * FROM t;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), u AS (SELECT n * 10 AS m FROM t) SELECT * FROM u ORDER BY m;
WITH RECURSIVE nonrec AS (SELECT 7 AS v) SELECT * FROM nonrec;
WITH RECURSIVE s(x) AS (SELECT 'a'::text UNION ALL SELECT x || 'a' FROM s WHERE length(x) < 3) SELECT * FROM s;
-- errors
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1.5 FROM t WHERE n < 3) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT n FROM t) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT a.n FROM t a, t b) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t ORDER BY 1) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1, 2 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t;

-- data-modifying CTEs
WITH ins AS (INSERT INTO ledger (account, amount) VALUES ('w', 7) RETURNING account, amount) SELECT * FROM ins;
WITH moved AS (DELETE FROM ledger WHERE account = 'x' RETURNING id, account, amount) INSERT INTO archive SELECT * FROM moved;
SELECT account, amount FROM archive ORDER BY id;
SELECT account FROM ledger ORDER BY id;
WITH up AS (UPDATE ledger SET amount = amount * 2 WHERE account = 'y' RETURNING account, amount) SELECT account, amount FROM up;
WITH d AS (DELETE FROM archive WHERE amount > 7 RETURNING id) SELECT count(*) FROM d;
WITH d AS (DELETE FROM archive RETURNING *) SELECT 1;
SELECT count(*) FROM archive;
WITH d AS (DELETE FROM ledger WHERE id = -1) SELECT 1;
WITH d AS (DELETE FROM ledger WHERE id = -1) SELECT * FROM d;
WITH src AS (SELECT 100 AS id, 'v' AS account, 1 AS amount) INSERT INTO archive SELECT * FROM src RETURNING *;
WITH gone AS (SELECT id FROM archive) DELETE FROM archive WHERE id IN (SELECT id FROM gone);
WITH n AS (SELECT 2 AS factor) UPDATE ledger SET amount = amount + 1 WHERE account IN (SELECT 'y' FROM n);
SELECT account, amount FROM ledger ORDER BY id;
-- @expect-difference: the main query of a WITH with a data-modifying CTE sees that CTE's changes in polygres (the CTE runs first, in the same transaction); PostgreSQL runs every part on one snapshot taken before any of them
WITH d AS (DELETE FROM ledger WHERE account = 'y' RETURNING *) SELECT count(*) FROM ledger;
SELECT * FROM (WITH d AS (DELETE FROM ledger RETURNING *) SELECT * FROM d) s;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT id FROM node WHERE id IN (SELECT n + 1 FROM t)) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT s.m FROM node, LATERAL (SELECT n + 1 AS m FROM t WHERE t.n = node.id) s WHERE s.m < 4) SELECT * FROM t ORDER BY 1;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + g FROM node, (t CROSS JOIN generate_series(1, 1) g) WHERE node.id = t.n AND t.n < 3) SELECT * FROM t ORDER BY 1;
