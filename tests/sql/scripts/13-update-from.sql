-- UPDATE ... FROM and DELETE ... USING: joins with tables, derived tables, VALUES and CTEs; RETURNING
-- over the FROM items; a target row matched several times; aliases, self-joins, correlated WHERE;
-- name resolution errors.
CREATE TABLE acct (id int PRIMARY KEY, owner text, balance int NOT NULL, tier text);
CREATE TABLE pay (id int PRIMARY KEY, acct_id int, amount int);
CREATE TABLE tiers (name text PRIMARY KEY, bonus int);
CREATE TABLE loose (k int, v text);
CREATE TABLE cap (id int PRIMARY KEY, n int CHECK (n < 100));
INSERT INTO acct VALUES (1, 'ann', 100, 'gold'), (2, 'bob', 50, 'silver'), (3, 'cid', 0, NULL), (4, 'dan', 10, 'gold');
INSERT INTO pay VALUES (1, 1, 5), (2, 2, 7), (3, 2, 7), (4, 9, 1);
INSERT INTO tiers VALUES ('gold', 10), ('silver', 3);
INSERT INTO loose VALUES (1, 'a'), (1, 'b'), (2, 'c'), (NULL, 'n');
INSERT INTO cap VALUES (1, 10), (2, 20);

-- a join with another table, keyed by the target's primary key
UPDATE acct SET balance = balance + t.bonus FROM tiers t WHERE acct.tier = t.name;
SELECT * FROM acct ORDER BY id;
UPDATE acct SET owner = upper(owner) FROM pay WHERE pay.acct_id = acct.id AND pay.id = 1 RETURNING acct.id, acct.owner, pay.amount;
-- @unordered
UPDATE acct a SET balance = a.balance - p.amount FROM pay p WHERE p.acct_id = a.id AND p.id <> 3 RETURNING *;
SELECT * FROM acct ORDER BY id;
-- no match: nothing changes
UPDATE acct SET balance = 0 FROM pay WHERE pay.acct_id = acct.id AND pay.amount > 1000;
UPDATE acct SET balance = 0 FROM tiers WHERE false RETURNING *;
-- the target row matched by two FROM rows is changed once (both matches give the same value)
-- @unordered
UPDATE acct SET balance = acct.balance + p.amount FROM pay p WHERE p.acct_id = acct.id AND p.acct_id = 2 RETURNING acct.id, acct.balance;
SELECT * FROM acct ORDER BY id;
UPDATE acct SET tier = 'x' FROM pay WHERE true;
SELECT count(*) FROM acct WHERE tier = 'x';
-- @unordered
UPDATE acct SET tier = t.name FROM tiers t, acct b WHERE b.id = acct.id AND t.bonus = 10 RETURNING acct.id;

-- derived tables, VALUES and joins in FROM
UPDATE acct SET balance = s.total FROM (SELECT acct_id, sum(amount) AS total FROM pay GROUP BY acct_id) s WHERE s.acct_id = acct.id RETURNING acct.id, s.total;
SELECT * FROM acct ORDER BY id;
-- @unordered
UPDATE acct SET owner = v.name, tier = v.tier FROM (VALUES (1, 'ANN', 'silver'), (3, 'CID', 'gold')) AS v(id, name, tier) WHERE v.id = acct.id RETURNING acct.*, v.name;
UPDATE acct SET balance = v.column2 FROM (VALUES (4, 44)) v WHERE v.column1 = acct.id RETURNING balance;
-- @unordered
UPDATE acct SET balance = acct.balance + t.bonus FROM pay p JOIN tiers t ON t.bonus > p.amount WHERE p.acct_id = acct.id AND p.id = 1 RETURNING acct.id, p.id, t.name;
UPDATE acct SET balance = 1 FROM pay p LEFT JOIN tiers t ON t.name = 'none' WHERE p.acct_id = acct.id AND p.id = 2 AND t.name IS NULL RETURNING acct.id, t.bonus;
UPDATE acct SET balance = 2 FROM tiers, LATERAL (SELECT tiers.bonus * 2 AS b2) l WHERE acct.id = 1 AND tiers.name = 'gold' RETURNING acct.balance, l.b2;
UPDATE acct SET balance = g FROM generate_series(5, 6) g WHERE acct.id = g - 4 RETURNING acct.id, g;
SELECT * FROM acct ORDER BY id;

-- WITH on UPDATE ... FROM and DELETE ... USING
WITH big AS (SELECT acct_id FROM pay WHERE amount > 5) UPDATE acct SET tier = 'big' FROM big WHERE big.acct_id = acct.id RETURNING acct.id, acct.tier;
WITH gone AS (SELECT 4 AS id) DELETE FROM acct USING gone WHERE gone.id = acct.id RETURNING acct.id, gone.id;
SELECT * FROM acct ORDER BY id;

-- correlated conditions and subqueries in SET and WHERE
UPDATE acct SET balance = (SELECT count(*) FROM pay WHERE pay.acct_id = acct.id) FROM tiers WHERE tiers.name = 'gold' AND acct.id < 3 RETURNING acct.id, acct.balance;
UPDATE acct SET balance = 9 FROM tiers t WHERE t.name = 'silver' AND EXISTS (SELECT 1 FROM pay p WHERE p.acct_id = acct.id AND p.amount = 7) RETURNING acct.id;
UPDATE acct SET balance = p.amount FROM pay p WHERE p.id = (SELECT min(id) FROM pay q WHERE q.acct_id = acct.id) AND acct.id = 2 RETURNING acct.id, p.id;
SELECT * FROM acct ORDER BY id;

UPDATE acct SET balance = (SELECT count(*) FROM pay q WHERE q.amount > t.bonus) FROM tiers t WHERE t.name = 'silver' AND acct.id = 1 RETURNING acct.balance, (SELECT max(amount) FROM pay WHERE pay.acct_id = acct.id) AS top;
UPDATE public.acct SET tier = tiers.name FROM public.tiers WHERE public.acct.id = 2 AND tiers.bonus = 3 RETURNING public.acct.id, acct.tier;
-- in a data-modifying CTE
WITH moved AS (UPDATE acct SET balance = acct.balance + p.amount FROM pay p WHERE p.id = 1 AND p.acct_id = acct.id RETURNING acct.id, p.amount) SELECT * FROM moved;
SELECT * FROM acct ORDER BY id;

-- self-join: the same table under another alias
-- @unordered
UPDATE acct SET balance = prev.balance + 1 FROM acct prev WHERE prev.id = acct.id - 1 RETURNING acct.id, acct.balance, prev.balance;
SELECT * FROM acct ORDER BY id;
UPDATE acct a SET owner = b.owner FROM acct b WHERE b.id = 3 AND a.id = 1 RETURNING a.id, a.owner;

-- tables without a primary key, matched several times
UPDATE loose SET v = v || '!' FROM acct WHERE acct.id = loose.k;
SELECT * FROM loose ORDER BY k, v;
-- @unordered
UPDATE loose l SET v = 'z' FROM loose m WHERE m.k = l.k AND m.v <> l.v RETURNING l.k, l.v;
SELECT * FROM loose ORDER BY k, v;

-- constraints still hold
UPDATE cap SET n = cap.n + v.d FROM (VALUES (1, 50), (2, 90)) v(id, d) WHERE v.id = cap.id;
SELECT * FROM cap ORDER BY id;
UPDATE acct SET balance = NULL FROM tiers WHERE acct.id = 1;

-- DELETE ... USING
DELETE FROM pay USING acct WHERE acct.id = pay.acct_id AND acct.owner = 'bob' RETURNING pay.id, acct.owner;
SELECT * FROM pay ORDER BY id;
DELETE FROM pay p USING (VALUES (9), (9)) v(a) WHERE p.acct_id = v.a RETURNING p.*, v.a;
INSERT INTO loose VALUES (5, 'p'), (5, 'q'), (5, 'q');
DELETE FROM loose USING loose other WHERE loose.k = other.k AND loose.v <> other.v;
SELECT * FROM loose ORDER BY k, v;
-- @unordered
DELETE FROM acct a USING acct b WHERE b.id = a.id + 1 RETURNING a.id, b.id;
SELECT * FROM acct ORDER BY id;
DELETE FROM acct USING tiers WHERE false;
INSERT INTO pay VALUES (5, 3, 1), (6, 3, 2);
-- @unordered
DELETE FROM acct USING pay, tiers WHERE pay.acct_id = acct.id AND tiers.name = acct.tier RETURNING acct.id, tiers.bonus;
SELECT count(*) FROM acct;

-- EXPLAIN (polygres names its own nodes: tests/sql/planning.test.ts checks the plan)
-- @expect-difference: EXPLAIN shows polygres's own plan nodes
EXPLAIN (COSTS OFF) UPDATE acct SET balance = 0 FROM tiers WHERE tiers.name = acct.tier AND acct.id = 3;

-- errors: names
-- @compare: message
UPDATE acct SET balance = 1 FROM acct;
-- @compare: message
UPDATE acct a SET balance = 1 FROM tiers a;
-- @compare: message
UPDATE acct SET balance = 1 FROM tiers t, pay t;
-- @compare: message
DELETE FROM acct USING acct;
-- @compare: message
UPDATE acct SET balance = id FROM pay WHERE false;
-- @compare: message
DELETE FROM acct USING pay WHERE id = 1;
-- @compare: message
UPDATE acct SET balance = nope FROM pay;
-- @compare: message
UPDATE acct SET balance = pay.nope FROM pay;
-- @compare: message
UPDATE acct SET balance = 1 FROM pay WHERE nope.id = 1;
-- @compare: message
UPDATE acct SET nope = 1 FROM pay;
UPDATE acct a SET balance = 1 FROM pay WHERE acct.id = pay.acct_id;
UPDATE acct SET balance = 1 FROM (SELECT acct.balance) s;
UPDATE acct SET balance = 1 FROM (SELECT balance) s;
-- @compare: message
UPDATE acct SET balance = 1 FROM generate_series(1, acct.balance) g;
-- @compare: message
UPDATE acct SET balance = 1 FROM LATERAL (SELECT balance) s;
-- @compare: message
DELETE FROM acct USING pay, LATERAL (SELECT acct.id) s;
UPDATE acct SET balance = 1 FROM pay JOIN tiers ON acct.tier = tiers.name;
UPDATE acct SET balance = 1 FROM nosuch;
UPDATE acct SET balance = 1 FROM pay WHERE pay.amount = 'x';
