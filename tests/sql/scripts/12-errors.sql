-- Errors a client sees: SQLSTATE and message, and the session stays usable.
-- @compare: message
SELEC 1;
-- @compare: message
SELECT 1 FROM;
-- @compare: message
SELECT * FROM missing_table;
CREATE TABLE e1 (id int PRIMARY KEY, t text);
-- @compare: message
SELECT missing_col FROM e1;
-- @compare: message
SELECT e1.missing_col FROM e1;
-- @compare: message
SELECT 1 / 0;
-- @compare: message
SELECT 2147483647 + 1;
-- @compare: message
SELECT 'x'::int;
-- @compare: message
SELECT '2024-13-01'::date;
-- @compare: message
SELECT 'abc'::uuid;
-- @compare: message
SELECT '{"a":'::jsonb;
-- @compare: message
SELECT no_such_function(1, 'a');
-- @compare: message
SELECT 1 + 'a'::text;
-- @compare: message
INSERT INTO e1 VALUES ('x', 'y');
-- @compare: message
INSERT INTO e1 (id, t) VALUES (1, 2), (2, 'b');
INSERT INTO e1 VALUES (1, 'a');
-- @compare: message
UPDATE e1 SET id = 'z';
-- @compare: message
UPDATE e1 SET nope = 1;
-- @compare: message
DELETE FROM nope;
-- @compare: message
CREATE TABLE e1 (id int);
-- @compare: message
DROP TABLE nope;
-- @compare: message
ALTER TABLE nope ADD COLUMN x int;
-- @compare: message
SELECT id FROM e1 GROUP BY t;
-- @compare: message
SELECT sum(t) FROM e1;
-- @compare: message
SELECT CASE WHEN true THEN 1 ELSE 'a' END;
-- @compare: message
SELECT ARRAY[];
-- @compare: message
SELECT 5 / 0.0;
-- @compare: message
SELECT (-2147483648)::int4 / -1;
-- @compare: message
SELECT -32768::int2 * -1::int2;
-- @compare: message
SELECT 10::numeric(2,0) * 100;
-- @compare: message
SELECT 12345.6::numeric(5,2);
-- @compare: message
SELECT 'abcdef'::varchar(3)::char(2), 'toolong'::varchar(3);
CREATE TABLE e2 (v varchar(3), c char(2), n numeric(4,1), s smallint);
-- @compare: message
INSERT INTO e2 (v) VALUES ('abcd');
-- @compare: message
INSERT INTO e2 (c) VALUES ('abc');
-- @compare: message
INSERT INTO e2 (n) VALUES (1234.5);
-- @compare: message
INSERT INTO e2 (s) VALUES (40000);
INSERT INTO e2 VALUES ('ab ', 'a', 1.25, 1);
SELECT v, c, n, s FROM e2;
SELECT 'session still works' AS status;
