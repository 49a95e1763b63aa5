-- Views: CREATE [OR REPLACE] VIEW, reading views (filters, joins, aggregates over them), DROP VIEW,
-- ALTER VIEW, dependencies, errors, DML on views, and what the catalogs show.
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), qty int DEFAULT 0);
INSERT INTO items VALUES (1, 'apple', 1.50, 10), (2, 'pear', 2.25, 0), (3, 'plum', 0.75, 7), (4, 'kiwi', NULL, 3);
CREATE TABLE orders (id int PRIMARY KEY, item_id int REFERENCES items (id), amount int);
INSERT INTO orders VALUES (10, 1, 2), (11, 1, 5), (12, 3, 1), (13, 4, 9);
CREATE VIEW in_stock AS SELECT id, name, price FROM items WHERE qty > 0;
SELECT * FROM in_stock ORDER BY id;
SELECT name FROM in_stock WHERE price > 1 ORDER BY name;
SELECT * FROM in_stock WHERE id = 3;
SELECT s.name, o.amount FROM in_stock s JOIN orders o ON o.item_id = s.id ORDER BY o.id;
SELECT count(*), sum(price) FROM in_stock;
SELECT * FROM items i WHERE EXISTS (SELECT 1 FROM in_stock s WHERE s.id = i.id) ORDER BY id;
SELECT x.id, x.name FROM in_stock AS x(id, name) ORDER BY 1;
SELECT in_stock.name FROM in_stock ORDER BY 1;
SELECT public.in_stock.id FROM public.in_stock ORDER BY 1;
-- the view reads the table at each use
UPDATE items SET qty = 1 WHERE id = 2;
SELECT id FROM in_stock ORDER BY id;
-- column names, aliases and types fixed at creation
CREATE VIEW priced (item, cost) AS SELECT name, price * 2 FROM items WHERE price IS NOT NULL;
SELECT * FROM priced ORDER BY item;
CREATE VIEW partly (label) AS SELECT name, qty FROM items;
SELECT * FROM partly ORDER BY label;
CREATE VIEW literals AS SELECT 'x' AS s, 1.5 AS n, NULL AS z, 42 AS i, now() IS NOT NULL AS b;
SELECT * FROM literals;
CREATE VIEW nocols AS SELECT 1, 2;
SELECT * FROM nocols;
-- views over views, aggregates, set operations, CTEs, VALUES
CREATE VIEW totals AS SELECT item_id, sum(amount) AS total, count(*) AS n FROM orders GROUP BY item_id;
CREATE VIEW named_totals AS SELECT s.name, t.total FROM in_stock s JOIN totals t ON t.item_id = s.id;
SELECT * FROM named_totals ORDER BY name;
SELECT name FROM named_totals WHERE total > 3 ORDER BY 1;
CREATE VIEW both_ids AS SELECT id FROM items UNION SELECT item_id FROM orders;
SELECT * FROM both_ids ORDER BY id;
CREATE VIEW with_cte AS WITH cheap AS (SELECT * FROM items WHERE price < 2) SELECT name FROM cheap;
SELECT * FROM with_cte ORDER BY name;
CREATE VIEW vals (a, b) AS VALUES (1, 'one'), (2, 'two');
SELECT * FROM vals ORDER BY a;
CREATE VIEW ranked AS SELECT name, rank() OVER (ORDER BY price DESC NULLS LAST) AS r FROM items;
SELECT * FROM ranked ORDER BY r, name;
CREATE VIEW sorted AS SELECT id FROM items ORDER BY id DESC LIMIT 2;
SELECT * FROM sorted;
-- a CTE of the statement does not hide what the view reads
WITH items AS (SELECT 99 AS id, 'ghost' AS name) SELECT * FROM in_stock ORDER BY id;
WITH in_stock AS (SELECT 1 AS id) SELECT * FROM in_stock;
-- the search path does not change which table a view reads
CREATE SCHEMA other;
CREATE TABLE other.items (id int, name text, price numeric, qty int);
SET search_path TO other, public;
SELECT id FROM in_stock ORDER BY id;
RESET search_path;
CREATE VIEW other.v_other AS SELECT count(*) AS n FROM other.items;
SELECT * FROM other.v_other;
-- duplicates and bad definitions
-- @compare: message
CREATE VIEW in_stock AS SELECT 1;
CREATE VIEW items AS SELECT 1;
-- @compare: message
CREATE VIEW bad_cols (a, b, c) AS SELECT id, name FROM items;
-- @compare: message
CREATE VIEW dup_cols AS SELECT id AS x, name AS x FROM items;
CREATE VIEW dup_alias (a, a) AS SELECT id, name FROM items;
CREATE VIEW missing AS SELECT * FROM nosuchtable;
CREATE VIEW badcol AS SELECT nosuchcolumn FROM items;
CREATE VIEW param AS SELECT $1;
-- @compare: message
CREATE VIEW modifying AS WITH x AS (INSERT INTO items VALUES (9, 'x') RETURNING id) SELECT id FROM x;
CREATE VIEW nosuchschema.v AS SELECT 1;
-- CREATE OR REPLACE: same columns, more columns at the end, nothing else
CREATE OR REPLACE VIEW in_stock AS SELECT id, name, price FROM items WHERE qty > 5;
SELECT * FROM in_stock ORDER BY id;
CREATE OR REPLACE VIEW in_stock AS SELECT id, name, price, qty FROM items WHERE qty > 0;
SELECT * FROM in_stock ORDER BY id;
-- @compare: message
CREATE OR REPLACE VIEW in_stock AS SELECT id, name FROM items;
-- @compare: message
CREATE OR REPLACE VIEW in_stock AS SELECT id, name AS title, price, qty FROM items;
-- @compare: message
CREATE OR REPLACE VIEW in_stock AS SELECT id, name, price::float8, qty FROM items;
-- @compare: message
CREATE OR REPLACE VIEW in_stock AS SELECT id, name, price, qty::bigint FROM items;
-- @compare: message
CREATE OR REPLACE VIEW items AS SELECT 1;
CREATE OR REPLACE VIEW fresh AS SELECT 1 AS one;
-- @compare: message
SELECT * FROM fresh;
-- a view that reads itself
CREATE OR REPLACE VIEW fresh AS SELECT * FROM fresh;
SELECT * FROM fresh;
DROP VIEW fresh;
-- INSERT, UPDATE, DELETE on views that PostgreSQL cannot update either
-- @compare: message
INSERT INTO totals VALUES (1, 2, 3);
-- @compare: message
UPDATE totals SET total = 0;
-- @compare: message
DELETE FROM totals;
-- @compare: message
DELETE FROM both_ids;
-- @compare: message
UPDATE with_cte SET name = 'x';
-- @compare: message
DELETE FROM sorted;
-- @compare: message
INSERT INTO ranked (name) VALUES ('x');
-- @compare: message
DELETE FROM named_totals;
-- @compare: message
INSERT INTO literals VALUES ('a', 1, NULL, 1, true);
CREATE VIEW distinct_names AS SELECT DISTINCT name FROM items;
-- @compare: message
DELETE FROM distinct_names;
CREATE VIEW having_v AS SELECT name FROM items GROUP BY name HAVING count(*) > 0;
-- @compare: message
DELETE FROM having_v;
CREATE VIEW srf AS SELECT generate_series(1, 2) AS g FROM items;
-- @compare: message
DELETE FROM srf;
CREATE VIEW agg_only AS SELECT max(id) AS m FROM items;
-- @compare: message
UPDATE agg_only SET m = 1;
-- automatically updatable views write to the table underneath
INSERT INTO in_stock (id, name, qty) VALUES (5, 'fig', 1) RETURNING *;
INSERT INTO in_stock VALUES (6, 'lime', 0.5, 0) RETURNING id, name;
SELECT * FROM items ORDER BY id;
UPDATE in_stock SET name = 'Apple' WHERE id = 1 RETURNING in_stock.*, price * 2 AS twice;
-- the view's own condition narrows UPDATE and DELETE (item 6 has qty 0: not in the view)
UPDATE in_stock SET price = 0;
SELECT id, price FROM items ORDER BY id;
DELETE FROM in_stock WHERE id = 3 RETURNING id;
DELETE FROM in_stock WHERE id = 6;
SELECT id, name FROM items ORDER BY id;
UPDATE in_stock SET id = id;
INSERT INTO in_stock (id, name) VALUES (1, 'dup');
INSERT INTO in_stock (id, nosuch) VALUES (7, 'x');
INSERT INTO in_stock (id, name) VALUES (7, 'x') ON CONFLICT DO NOTHING;
CREATE VIEW computed AS SELECT id, upper(name) AS big, qty FROM items;
-- @compare: message
INSERT INTO computed (id, big) VALUES (8, 'X');
-- @compare: message
UPDATE computed SET big = 'x';
UPDATE computed SET qty = qty + 1 WHERE big = 'APPLE' RETURNING *;
DELETE FROM computed WHERE big = 'FIG' RETURNING big;
CREATE VIEW computed_only AS SELECT id + 1 AS next FROM items;
-- @compare: message
INSERT INTO computed_only VALUES (1);
-- @compare: message
UPDATE computed_only SET next = 1;
DELETE FROM computed_only WHERE next = 100;
CREATE VIEW over_view (ident, label) AS SELECT id, big FROM computed WHERE qty > 1;
UPDATE over_view SET ident = ident + 100 WHERE ident = 1 RETURNING *;
SELECT * FROM over_view ORDER BY ident;
UPDATE over_view SET ident = ident - 100 RETURNING ident;
DROP VIEW over_view;
DROP VIEW computed_only;
DROP VIEW computed;
SELECT * FROM items ORDER BY id;
-- @compare: message
COPY in_stock TO STDOUT;
TRUNCATE in_stock;
CREATE INDEX ON in_stock (id);
-- DROP and its dependencies
-- @compare: message
DROP VIEW nosuch;
DROP VIEW IF EXISTS nosuch;
-- @compare: message
DROP VIEW items;
-- @compare: message
DROP TABLE in_stock;
-- @compare: message
DROP INDEX in_stock;
DROP SEQUENCE in_stock;
-- @compare: message
DROP TABLE items;
-- @compare: message
DROP TABLE orders;
-- @compare: message
DROP VIEW in_stock;
-- @compare: message
DROP VIEW totals;
DROP VIEW IF EXISTS named_totals, nosuch;
DROP VIEW totals;
SELECT * FROM named_totals;
-- columns a view reads
-- @compare: message
ALTER TABLE items DROP COLUMN price;
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);
ALTER TABLE items DROP COLUMN qty CASCADE;
SELECT relname FROM pg_class WHERE relkind = 'v' AND relnamespace = 'public'::regnamespace ORDER BY 1;
ALTER TABLE items ADD COLUMN extra text;
SELECT * FROM priced ORDER BY item;
-- ALTER VIEW / ALTER TABLE ... RENAME
ALTER VIEW priced RENAME TO priced2;
SELECT * FROM priced2 ORDER BY item;
SELECT * FROM priced;
ALTER TABLE priced2 RENAME TO priced3;
-- @compare: message
ALTER VIEW items RENAME TO items2;
ALTER VIEW nosuch RENAME TO x;
ALTER VIEW IF EXISTS nosuch RENAME TO x;
ALTER VIEW priced3 RENAME TO vals;
ALTER VIEW priced3 RENAME COLUMN item TO thing;
SELECT thing, cost FROM priced3 ORDER BY 1;
ALTER VIEW priced3 RENAME COLUMN nosuch TO x;
ALTER VIEW priced3 RENAME COLUMN thing TO cost;
-- a renamed table, a renamed schema: views follow
CREATE TABLE base (a int, b text);
INSERT INTO base VALUES (1, 'x'), (2, 'y');
CREATE VIEW over_base AS SELECT base.a, b FROM base WHERE a > 0;
CREATE VIEW over_over AS SELECT a FROM over_base;
ALTER TABLE base RENAME TO base2;
SELECT * FROM over_base ORDER BY a;
ALTER VIEW over_base RENAME TO over_base2;
SELECT * FROM over_over ORDER BY a;
ALTER SCHEMA other RENAME TO other2;
SELECT * FROM other2.v_other;
-- @compare: message
DROP VIEW over_base2;
DROP VIEW over_base2 CASCADE;
SELECT * FROM over_over;
DROP TABLE base2 CASCADE;
-- several views dropped by one statement
CREATE TABLE t3 (a int);
CREATE VIEW v3a AS SELECT a FROM t3;
CREATE VIEW v3b AS SELECT a FROM v3a;
DROP VIEW v3a, v3b;
DROP TABLE t3;
-- DROP TABLE ... CASCADE drops the views that read it
CREATE TABLE t4 (a int);
CREATE VIEW v4a AS SELECT a FROM t4;
CREATE VIEW v4b AS SELECT count(*) FROM v4a;
-- @compare: message
DROP TABLE t4;
DROP TABLE t4 CASCADE;
SELECT * FROM v4b;
DROP SCHEMA other2;
DROP SCHEMA other2 CASCADE;
-- DDL on views is transactional
BEGIN;
CREATE VIEW tx_view AS SELECT 1 AS a;
SELECT * FROM tx_view;
ROLLBACK;
SELECT * FROM tx_view;
BEGIN;
DROP VIEW vals;
ROLLBACK;
SELECT * FROM vals ORDER BY a;
-- catalogs
SELECT c.relname, c.relkind, c.relnatts, c.relhasrules, c.relhasindex, c.reltuples, c.relpersistence, c.relreplident, c.relam, c.reltype <> 0 AS has_type
FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' ORDER BY 1;
SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef
FROM pg_attribute a WHERE a.attrelid = 'priced3'::regclass ORDER BY a.attnum;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'literals'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT t.typname, t.typtype, t.typrelid = 'priced3'::regclass AS matches FROM pg_type t WHERE t.typname = 'priced3';
SELECT schemaname, viewname, viewowner FROM pg_views WHERE schemaname = 'public' ORDER BY viewname;
SELECT table_name, table_type, is_insertable_into FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name;
SELECT table_name, check_option, is_trigger_updatable FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name;
SELECT table_name, column_name, ordinal_position, data_type, numeric_precision, numeric_scale, is_nullable
FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('priced3', 'literals') ORDER BY table_name, ordinal_position;
SELECT rulename, ev_type, is_instead, ev_enabled FROM pg_rewrite WHERE ev_class = 'priced3'::regclass;
SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON d.objid = r.oid WHERE r.ev_class = 'named_totals'::regclass AND d.refobjid = 'named_totals'::regclass AND d.deptype = 'i';
SELECT 'priced3'::regclass, pg_table_is_visible('priced3'::regclass), to_regclass('priced3') IS NOT NULL;
COMMENT ON VIEW priced3 IS 'prices';
COMMENT ON COLUMN priced3.cost IS 'twice';
COMMENT ON VIEW items IS 'x';
SELECT obj_description('priced3'::regclass, 'pg_class'), col_description('priced3'::regclass, 2);
-- @expect-difference: pg_get_viewdef shows the query as written in CREATE VIEW, PostgreSQL its own deparse
SELECT pg_get_viewdef('priced3'::regclass);
-- @expect-difference: pg_views shows the query as written in CREATE VIEW, PostgreSQL its own deparse
SELECT definition FROM pg_views WHERE viewname = 'literals';
SELECT pg_get_viewdef('items'::regclass) IS NULL;
-- column metadata of a view's result
SELECT * FROM literals WHERE false;
SELECT cost FROM priced3 WHERE cost > 100;
