-- Constraint violations: SQLSTATE, message and detail as PostgreSQL reports them.
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, name text NOT NULL);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id), qty int CHECK (qty > 0), note varchar(5));
INSERT INTO parent VALUES (1, 'a', 'one'), (2, 'b', 'two');
-- @compare: message
INSERT INTO parent VALUES (1, 'c', 'dup');
-- @compare: message
INSERT INTO parent VALUES (3, 'a', 'dup code');
-- @compare: message
INSERT INTO parent VALUES (3, 'c', NULL);
INSERT INTO parent VALUES (3, NULL, 'null code'), (4, NULL, 'another null code');
-- @compare: message
INSERT INTO parent (id, code) VALUES (5, 'e');
-- @compare: message
INSERT INTO child VALUES (1, 9, 1, 'x');
INSERT INTO child VALUES (1, 1, 1, 'x'), (2, NULL, 2, 'y');
-- @compare: message
INSERT INTO child VALUES (3, 1, 0, 'z');
INSERT INTO child VALUES (3, 1, NULL, 'z');
-- @compare: message
INSERT INTO child VALUES (4, 1, 1, 'toolong');
INSERT INTO child VALUES (4, 1, 1, 'abc  ');
SELECT id, note, length(note) FROM child ORDER BY id;
-- @compare: message
UPDATE child SET qty = -1 WHERE id = 1;
-- @compare: message
UPDATE child SET parent_id = 42 WHERE id = 1;
-- @compare: message
DELETE FROM parent WHERE id = 1;
DELETE FROM parent WHERE id = 2;
-- @compare: message
UPDATE parent SET id = 10 WHERE id = 1;
-- @compare: message
UPDATE parent SET code = 'a' WHERE id = 3;
UPDATE parent SET code = 'z' WHERE id = 3;
UPDATE parent SET code = 'a2' WHERE id = 1;
INSERT INTO parent VALUES (6, 'a', 'reuses the freed code');
SELECT * FROM parent ORDER BY id;
-- @compare: message
UPDATE parent SET name = NULL WHERE id = 6;
-- a duplicate within one statement
-- @compare: message
INSERT INTO parent VALUES (7, 'g', 'x'), (7, 'h', 'y');
SELECT count(*) FROM parent WHERE id = 7;
-- composite keys
CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b));
INSERT INTO pairs VALUES (1, 'x', 1), (1, 'y', 2);
-- @compare: message
INSERT INTO pairs VALUES (1, 'x', 3);
SELECT * FROM pairs WHERE a = 1 AND b = 'y';
-- named constraints and table-level checks
CREATE TABLE named (a int, b int, CONSTRAINT a_lt_b CHECK (a < b), CHECK (b < 100), CONSTRAINT uq UNIQUE (a, b));
-- @compare: message
INSERT INTO named VALUES (2, 1);
-- @compare: message
INSERT INTO named VALUES (1, 200);
INSERT INTO named VALUES (1, 2);
-- @compare: message
INSERT INTO named VALUES (1, 2);
-- ON DELETE CASCADE / SET NULL
CREATE TABLE orders (id int PRIMARY KEY);
CREATE TABLE lines (id int PRIMARY KEY, order_id int REFERENCES orders ON DELETE CASCADE);
CREATE TABLE notes (id int PRIMARY KEY, order_id int REFERENCES orders ON DELETE SET NULL);
INSERT INTO orders VALUES (1), (2);
INSERT INTO lines VALUES (10, 1), (11, 1), (12, 2);
INSERT INTO notes VALUES (20, 1);
DELETE FROM orders WHERE id = 1;
SELECT * FROM lines ORDER BY id;
SELECT * FROM notes ORDER BY id;
-- @compare: message
DROP TABLE orders;
DROP TABLE orders CASCADE;
INSERT INTO lines VALUES (13, 99);
-- @compare: message
CREATE TABLE bad_fk (id int REFERENCES parent(name));
CREATE TABLE self_ref (id int PRIMARY KEY, parent int REFERENCES self_ref(id));
INSERT INTO self_ref VALUES (1, NULL), (2, 1);
-- @compare: message
INSERT INTO self_ref VALUES (3, 5);
-- An index on the first column of a two-column primary key (TypeORM's many-to-many join tables):
-- reading by that column and cascading a delete through it.
CREATE TABLE link_parent (id int PRIMARY KEY, t text);
CREATE TABLE link_child (parent_id int NOT NULL REFERENCES link_parent (id) ON DELETE CASCADE, other int NOT NULL, PRIMARY KEY (parent_id, other));
CREATE INDEX link_child_parent_idx ON link_child (parent_id);
INSERT INTO link_parent VALUES (1, 'a'), (2, 'b');
INSERT INTO link_child VALUES (1, 1), (1, 2), (2, 1);
SELECT * FROM link_child WHERE parent_id = 1 ORDER BY other;
DELETE FROM link_parent WHERE id = 1;
SELECT * FROM link_child ORDER BY parent_id, other;

-- Tables dropped by one DROP TABLE may reference each other (pgbench -i drops its tables so).
CREATE TABLE fk_head (id int PRIMARY KEY);
CREATE TABLE fk_tail (id int PRIMARY KEY, head int REFERENCES fk_head);
-- @compare: message
DROP TABLE fk_head;
DROP TABLE IF EXISTS fk_head, fk_missing, fk_tail;
SELECT count(*) FROM pg_class WHERE relname IN ('fk_head', 'fk_tail');
