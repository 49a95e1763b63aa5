-- SQL-level PREPARE / EXECUTE / DEALLOCATE and cursors (DECLARE / FETCH / MOVE / CLOSE).
CREATE TABLE pc (a int PRIMARY KEY, b text);
INSERT INTO pc SELECT g, 'r' || g FROM generate_series(1, 5) g;
-- PREPARE with declared and inferred parameter types; EXECUTE reports the inner statement's tag
PREPARE sel(int) AS SELECT * FROM pc WHERE a = $1;
EXECUTE sel(2);
EXECUTE sel('3');
EXECUTE sel(2.5);
EXECUTE sel(NULL);
EXECUTE sel(1 + 3);
PREPARE untyped AS SELECT $1;
EXECUTE untyped('a');
PREPARE extra(int) AS SELECT $2;
EXECUTE extra(1, 2);
PREPARE ins(int, text) AS INSERT INTO pc VALUES ($1, $2);
EXECUTE ins(10, 'x');
PREPARE upd AS UPDATE pc SET b = 'y' WHERE a > 3;
EXECUTE upd;
PREPARE del AS DELETE FROM pc WHERE a = 10 RETURNING *;
EXECUTE del;
EXECUTE del;
PREPARE vals(int) AS VALUES ($1), ($1 * 2);
EXECUTE vals(21);
PREPARE twoinferred AS SELECT $1 + $2;
EXECUTE twoinferred(1, 2);
SELECT name, statement, parameter_types, from_sql FROM pg_prepared_statements ORDER BY name;
-- errors
-- @compare: message
PREPARE sel AS SELECT 1;
PREPARE sel AS SELECT * FROM nosuchtable;
-- @compare: message
EXECUTE nope;
-- @compare: message
EXECUTE sel(1, 2);
-- @compare: message
EXECUTE sel;
EXECUTE sel('x');
-- @compare: message
EXECUTE sel(true);
EXECUTE vals(a);
EXECUTE vals($1);
EXECUTE vals(sum(1));
EXECUTE vals((SELECT 1));
PREPARE badtype(nosuchtype) AS SELECT 1;
PREPARE badop(int) AS SELECT $1 FROM pc WHERE b = $1;
PREPARE badtable AS SELECT * FROM nosuchtable;
-- @compare: message
DEALLOCATE nope;
DEALLOCATE sel;
DEALLOCATE PREPARE untyped;
EXECUTE sel(1);
-- prepared statements outlive a rolled back transaction
BEGIN;
PREPARE intx AS SELECT count(*) FROM pc;
ROLLBACK;
EXECUTE intx;
-- in a failed block EXECUTE is refused like any statement
BEGIN;
SELECT 1 / 0;
EXECUTE intx;
ROLLBACK;
-- a plan is made again after DDL; its result columns must stay the same
PREPARE star AS SELECT * FROM pc WHERE a = 1;
ALTER TABLE pc ADD COLUMN c int;
EXECUTE star;
ALTER TABLE pc DROP COLUMN c;
EXECUTE star;
DEALLOCATE ALL;
SELECT count(*) FROM pg_prepared_statements;
PREPARE again AS SELECT 1 AS one;
DISCARD ALL;
EXECUTE again;
-- cursors need a transaction block unless WITH HOLD
-- @compare: message
DECLARE c CURSOR FOR SELECT * FROM pc;
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT * FROM pc ORDER BY a;
SELECT name, statement, is_holdable, is_binary, is_scrollable FROM pg_cursors;
FETCH c;
FETCH 2 FROM c;
FETCH PRIOR IN c;
FETCH NEXT c;
FETCH ALL c;
FETCH c;
FETCH PRIOR c;
FETCH BACKWARD 2 c;
FETCH ABSOLUTE 2 c;
FETCH ABSOLUTE -1 c;
FETCH RELATIVE 0 c;
FETCH RELATIVE -2 c;
FETCH FIRST c;
FETCH LAST c;
FETCH FORWARD ALL c;
FETCH BACKWARD ALL c;
MOVE FORWARD 2 c;
MOVE ALL c;
MOVE BACKWARD ALL c;
MOVE 0 c;
FETCH 0 c;
MOVE c;
MOVE 0 c;
FETCH 0 FROM c;
FETCH BACKWARD 0 FROM c;
MOVE ABSOLUTE 10 c;
MOVE RELATIVE -1 c;
FETCH ABSOLUTE -10 c;
FETCH RELATIVE 3 c;
FETCH -1 c;
FETCH FORWARD -1 c;
FETCH BACKWARD -1 c;
MOVE ABSOLUTE 0 c;
FETCH FORWARD 3 c;
-- @compare: message
DECLARE c CURSOR FOR SELECT 1;
ROLLBACK;
-- cursors close at the end of their transaction
BEGIN;
DECLARE gone CURSOR FOR SELECT 1;
COMMIT;
FETCH gone;
-- NO SCROLL cursors only go forward
BEGIN;
DECLARE ns NO SCROLL CURSOR FOR SELECT * FROM pc ORDER BY a;
FETCH 2 ns;
MOVE 1 ns;
FETCH FORWARD 1 ns;
-- @compare: message
FETCH PRIOR ns;
ROLLBACK;
BEGIN;
DECLARE ns NO SCROLL CURSOR FOR SELECT * FROM pc ORDER BY a;
FETCH 2 ns;
FETCH 0 ns;
ROLLBACK;
BEGIN;
DECLARE ns NO SCROLL CURSOR FOR SELECT * FROM pc ORDER BY a;
FETCH 2 ns;
FETCH ABSOLUTE 4 ns;
-- @compare: message
FETCH FIRST ns;
ROLLBACK;
BEGIN;
DECLARE ns NO SCROLL CURSOR FOR SELECT * FROM pc ORDER BY a;
FETCH ABSOLUTE 0 ns;
FETCH FIRST ns;
MOVE BACKWARD ALL ns;
ROLLBACK;
-- without SCROLL or NO SCROLL, backward fetches are allowed when the plan scans backwards
BEGIN;
DECLARE agg CURSOR FOR SELECT a, count(*) FROM pc GROUP BY a;
DECLARE plain CURSOR FOR SELECT * FROM pc;
DECLARE sorted CURSOR FOR SELECT a FROM pc ORDER BY a DESC;
DECLARE series CURSOR FOR SELECT * FROM generate_series(1, 3) g;
DECLARE noform CURSOR FOR SELECT 1 AS x;
SELECT name, is_scrollable FROM pg_cursors ORDER BY name;
FETCH 2 sorted;
FETCH PRIOR sorted;
FETCH LAST series;
FETCH PRIOR series;
FETCH noform;
FETCH PRIOR noform;
ROLLBACK;
-- positions across many rows: a scroll cursor keeps what it read, a NO SCROLL one streams
BEGIN;
DECLARE big SCROLL CURSOR FOR SELECT g FROM generate_series(1, 3000) g;
FETCH ABSOLUTE 700 big;
FETCH RELATIVE -300 big;
FETCH BACKWARD 3 big;
MOVE LAST IN big;
FETCH PRIOR big;
MOVE BACKWARD ALL IN big;
FETCH big;
DECLARE stream NO SCROLL CURSOR FOR SELECT g FROM generate_series(1, 3000) g;
MOVE 2500 stream;
FETCH 3 stream;
FETCH ABSOLUTE 2999 stream;
FETCH ALL stream;
FETCH stream;
ROLLBACK;
-- unknown cursors and CLOSE
BEGIN;
DECLARE k1 CURSOR FOR SELECT a FROM pc ORDER BY a;
DECLARE k2 CURSOR FOR SELECT b FROM pc ORDER BY a;
CLOSE k1;
-- @compare: message
FETCH k1;
ROLLBACK;
BEGIN;
-- @compare: message
CLOSE nope;
ROLLBACK;
BEGIN;
DECLARE k1 CURSOR FOR SELECT a FROM pc ORDER BY a;
DECLARE k2 CURSOR FOR SELECT b FROM pc ORDER BY a;
CLOSE ALL;
SELECT count(*) FROM pg_cursors;
MOVE k2;
ROLLBACK;
CLOSE ALL;
-- WITH HOLD cursors outlive their transaction, and keep their position
DECLARE h CURSOR WITH HOLD FOR SELECT * FROM pc ORDER BY a;
FETCH 2 h;
FETCH PRIOR h;
BEGIN;
FETCH h;
ROLLBACK;
FETCH h;
SELECT name, statement, is_holdable, is_scrollable FROM pg_cursors;
FETCH FORWARD ALL FROM h;
CLOSE h;
-- @compare: message
CLOSE h;
BEGIN;
DECLARE hb BINARY CURSOR WITH HOLD FOR SELECT 1 AS x;
DECLARE hs SCROLL CURSOR WITH HOLD FOR SELECT a FROM pc ORDER BY a;
FETCH 3 hs;
COMMIT;
SELECT name, is_holdable, is_binary, is_scrollable FROM pg_cursors ORDER BY name;
FETCH PRIOR hs;
FETCH LAST hs;
FETCH FIRST hs;
CLOSE ALL;
BEGIN;
DECLARE h2 CURSOR WITH HOLD FOR SELECT 1;
ROLLBACK;
FETCH h2;
BEGIN;
DECLARE n NO SCROLL CURSOR WITH HOLD FOR SELECT a FROM pc ORDER BY a;
FETCH n;
COMMIT;
FETCH n;
FETCH PRIOR n;
CLOSE ALL;
-- a held cursor whose query fails when it is materialised at commit is not declared
DECLARE x CURSOR WITH HOLD FOR SELECT a / (a - 3) FROM pc ORDER BY a;
FETCH x;
-- a cursor sees the rows of its query, including this transaction's writes before DECLARE
BEGIN;
INSERT INTO pc VALUES (20, 'new');
DECLARE w CURSOR FOR SELECT a, b FROM pc WHERE a > 4 ORDER BY a;
FETCH ALL w;
ROLLBACK;
-- writes of the transaction after DECLARE are not seen by the cursor
BEGIN;
DECLARE before_update CURSOR FOR SELECT a, b FROM pc WHERE a = 5;
DECLARE before_insert CURSOR FOR SELECT count(*) FROM pc;
DECLARE before_delete NO SCROLL CURSOR FOR SELECT a FROM pc WHERE a >= 4;
FETCH before_delete;
UPDATE pc SET b = 'changed' WHERE a = 5;
INSERT INTO pc VALUES (21, 'later');
DELETE FROM pc WHERE a >= 4;
FETCH before_update;
FETCH before_insert;
FETCH ALL before_delete;
ROLLBACK;
-- several statements in one query string are an implicit transaction block: DECLARE works there
DECLARE implicit CURSOR FOR SELECT 1; FETCH implicit;
FETCH implicit;
-- savepoints: ROLLBACK TO closes cursors declared after the savepoint
BEGIN;
DECLARE s1 CURSOR FOR SELECT 1;
SAVEPOINT sp;
DECLARE s2 CURSOR FOR SELECT 2;
ROLLBACK TO sp;
FETCH s1;
FETCH s2;
ROLLBACK;
BEGIN;
DECLARE s1 CURSOR FOR SELECT 1;
SAVEPOINT sp;
DECLARE s2 CURSOR FOR SELECT 2;
RELEASE sp;
FETCH s2;
ROLLBACK;
-- a cursor that locks its rows does not scroll, and cannot be held or declared SCROLL
BEGIN;
DECLARE locking CURSOR FOR SELECT a FROM pc ORDER BY a FOR UPDATE;
SELECT name, is_scrollable FROM pg_cursors;
FETCH locking;
-- @compare: message
DECLARE held_lock CURSOR WITH HOLD FOR SELECT a FROM pc FOR UPDATE;
ROLLBACK;
BEGIN;
-- @compare: message
DECLARE scroll_lock SCROLL CURSOR FOR SELECT a FROM pc FOR SHARE;
ROLLBACK;
BEGIN;
DECLARE insensitive INSENSITIVE CURSOR FOR SELECT 1 AS one;
FETCH insensitive;
ROLLBACK;
-- EXPLAIN EXECUTE explains the prepared statement (polygres names its own plan nodes)
PREPARE explained AS SELECT a FROM pc WHERE a = 1;
-- @compare: error-only
EXPLAIN EXECUTE explained;
EXPLAIN EXECUTE nope;
DEALLOCATE explained;
-- DECLARE accepts only queries without data-modifying WITH
BEGIN;
DECLARE u CURSOR FOR WITH m AS (UPDATE pc SET b = 'z' RETURNING *) SELECT * FROM m;
ROLLBACK;
BEGIN;
DECLARE v CURSOR FOR VALUES (1), (2);
FETCH ALL v;
-- DISCARD ALL is refused in a block
DISCARD ALL;
ROLLBACK;
-- EXECUTE of a prepared SELECT in a cursor-like loop, and a cursor over joins
PREPARE j(int) AS SELECT p.a, q.b FROM pc p JOIN pc q ON q.a = p.a WHERE p.a <= $1 ORDER BY p.a;
EXECUTE j(3);
BEGIN;
DECLARE jc CURSOR FOR SELECT p.a, q.b FROM pc p JOIN pc q ON q.a = p.a ORDER BY p.a;
FETCH 2 jc;
FETCH 2 jc;
FETCH 2 jc;
FETCH 2 jc;
COMMIT;
