/**
 * psql against the real server: scripts (-c, -f, ON_ERROR_STOP, \set and variables, \gset, \if,
 * \echo, \timing, \copy and COPY with inline data, \pset) whose output must equal what the same
 * script prints against the real PostgreSQL, and an interactive session in a terminal (banner,
 * prompts showing the transaction state, \x, \timing, \conninfo, \encoding).
 *
 * psql's catalog commands (\d, \dt, \l, \df ...) are compared in psql-catalog.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { DATABASE, InteractivePsql, query, referencePostgres, referenceUser, runPsql, startPolygres, targetOf, USER, type Target } from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_psql');

const SETUP = `CREATE TABLE fruit (id int PRIMARY KEY, name text NOT NULL, price numeric(6,2));
INSERT INTO fruit VALUES (1, 'apple', 1.20), (2, 'banana', 0.50), (3, 'cherry', NULL)`;

const SCRIPT = String.raw`\set ON_ERROR_STOP 1
\set wanted 2
\set label 'a fruit''s name'
\echo wanted is :wanted and label is :'label'
SELECT name FROM fruit WHERE id = :wanted;
SELECT count(*) AS n, max(price) AS top FROM fruit \gset
\echo there are :n fruits, the dearest costs :top
\if :{?n}
\echo the table is not empty
\else
\echo the table is empty
\endif
\pset format unaligned
\pset fieldsep ,
SELECT id, name, price FROM fruit ORDER BY id;
\pset format aligned
\x on
SELECT * FROM fruit WHERE id = 1;
\x off
\set ON_ERROR_STOP 0
BEGIN;
INSERT INTO fruit VALUES (4, 'date', 3.00);
SAVEPOINT s;
INSERT INTO fruit VALUES (4, 'duplicate', 0);
ROLLBACK TO s;
COMMIT;
INSERT INTO fruit VALUES (10, NULL, 1);
\set ON_ERROR_STOP 1
COPY fruit FROM STDIN;
5	elderberry	\N
6	fig	2.25
\.
\copy fruit FROM stdin WITH (FORMAT csv)
7,grape,1.00
8,"honeydew, ripe",4.50
\.
\copy (SELECT id, name FROM fruit WHERE id > 4 ORDER BY id) TO stdout WITH (FORMAT csv, HEADER)
\timing on
SELECT count(*) FROM fruit;
\timing off
DROP TABLE IF EXISTS no_such_table;
SELECT 1/(id - 1) FROM fruit WHERE id = 1;
SELECT 'not reached';
`;

/**
 * psql with FETCH_COUNT reads results through DECLARE / FETCH FORWARD n / CLOSE in a transaction.
 * The failing row is the first of the engine's third batch of 256 rows and of psql's sixth FETCH,
 * so both servers fail at the same FETCH (polygres computes a batch at a time).
 */
const CURSOR_SCRIPT = String.raw`\set FETCH_COUNT 3
SELECT g AS n, repeat('x', g) AS bar FROM generate_series(1, 8) g;
BEGIN;
SELECT id, name FROM fruit ORDER BY id;
SELECT name FROM fruit WHERE false;
COMMIT;
\pset format unaligned
\set FETCH_COUNT 100
SELECT g, 10 / (513 - g) AS q FROM generate_series(1, 600) g;
\pset format aligned
\unset FETCH_COUNT
PREPARE dear(numeric) AS SELECT name FROM fruit WHERE price > $1 ORDER BY name;
EXECUTE dear(1);
SELECT name, parameter_types FROM pg_prepared_statements;
DEALLOCATE dear;
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id FROM fruit ORDER BY id;
FETCH LAST c;
MOVE BACKWARD 2 IN c;
FETCH ALL c;
COMMIT;
`;

/** psql's \timing line differs from run to run. */
function stable(output: string): string {
  return output.replace(/^Time: [\d.]+ ms.*$/gm, 'Time: <n> ms');
}

describe('psql scripts, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let target: Target;
  let dir: string;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    dir = mkdtempSync(join(tmpdir(), 'polygres-e2e-psql-'));
  });
  after(async () => {
    await server?.stop();
    await reference?.drop();
  });

  test('psql -f: variables, \\gset, \\if, \\pset, \\x, savepoints, COPY and \\copy with inline data, \\timing, ON_ERROR_STOP (exit 3)', async () => {
    const script = join(dir, 'script.sql');
    writeFileSync(script, SCRIPT);
    // The same table on both servers, then the same script.
    await query(target, 'DROP TABLE IF EXISTS fruit');
    await query(target, SETUP);
    await runPsql(reference!.target, ['-c', 'DROP TABLE IF EXISTS fruit', '-c', SETUP], { user: referenceUser(), database: reference!.database });
    const mine = await runPsql(target, ['-f', script], { user: USER, database: DATABASE });
    const theirs = await runPsql(reference!.target, ['-f', script], { user: referenceUser(), database: reference!.database });
    assert.equal(theirs.code, 3, theirs.stderr);
    assert.equal(mine.code, 3, mine.stderr);
    assert.equal(stable(mine.stdout), stable(theirs.stdout));
    assert.equal(mine.stderr, theirs.stderr);
    assert.match(mine.stdout, /wanted is 2 and label is 'a fruit''s name'/);
    assert.match(mine.stderr, /ERROR: {2}division by zero/);
    assert.doesNotMatch(mine.stdout, /not reached/);
  });

  test('psql with FETCH_COUNT (DECLARE / FETCH / CLOSE), a failure between fetches, PREPARE / EXECUTE and a scroll cursor', async () => {
    const script = join(dir, 'cursors.sql');
    writeFileSync(script, CURSOR_SCRIPT);
    await query(target, 'DROP TABLE IF EXISTS fruit');
    await query(target, SETUP);
    await runPsql(reference!.target, ['-c', 'DROP TABLE IF EXISTS fruit', '-c', SETUP], { user: referenceUser(), database: reference!.database });
    const mine = await runPsql(target, ['-f', script], { user: USER, database: DATABASE });
    const theirs = await runPsql(reference!.target, ['-f', script], { user: referenceUser(), database: reference!.database });
    assert.equal(mine.code, theirs.code, mine.stderr);
    assert.equal(mine.stdout, theirs.stdout);
    assert.equal(mine.stderr, theirs.stderr);
    // The rows of the first FETCH were printed before the second one failed.
    assert.match(mine.stdout, /^500\|0Output format is aligned/m);
    assert.match(mine.stderr, /ERROR: {2}division by zero/);
    assert.match(mine.stdout, /MOVE 2/);
  });

  test('psql -c several times, -v variables, -tA output, and a failing -c with ON_ERROR_STOP', async () => {
    const args = ['-v', 'ON_ERROR_STOP=1', '-v', 'id=3', '-tA', '-c', 'SELECT name FROM fruit WHERE id = 1', '-c', "SELECT coalesce(price::text, 'none') FROM fruit WHERE id = 3", '-c', 'SELECT 1/0', '-c', 'SELECT 2'];
    const mine = await runPsql(target, args, { user: USER, database: DATABASE });
    const theirs = await runPsql(reference!.target, args, { user: referenceUser(), database: reference!.database });
    assert.equal(mine.code, theirs.code);
    assert.equal(mine.stdout, theirs.stdout);
    assert.equal(mine.stdout, 'apple\nnone\n');
    assert.equal(mine.stderr, theirs.stderr);
  });
});

describe('interactive psql on the real server', () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    await query(target, SETUP);
  });
  after(() => server.stop());

  test('banner, \\set and \\echo, a query, prompts showing the transaction state, \\x, \\timing, \\conninfo, \\encoding', async () => {
    const psql = new InteractivePsql(target);
    try {
      await psql.expect(/server 16\.4\)[\s\S]*postgres=# $/);
      await psql.run('\\set answer 42\n\\echo the answer is :answer\n', /the answer is 42\npostgres=# $/);
      await psql.run('SELECT id, name FROM fruit ORDER BY id;\n', / id \| {2}name {2}\n----\+--------\n {2}1 \| apple\n {2}2 \| banana\n {2}3 \| cherry\n\(3 rows\)\n\npostgres=# $/);
      // The prompt's %x: * inside a block, ! in a failed one (from ReadyForQuery).
      await psql.run('BEGIN;\n', /BEGIN\npostgres=\*# $/);
      await psql.run("INSERT INTO fruit VALUES (9, 'kiwi', 1);\n", /INSERT 0 1\npostgres=\*# $/);
      await psql.run("SELECT 1/(id - 1) FROM fruit WHERE name = 'apple';\n", /ERROR: {2}division by zero\npostgres=!# $/);
      await psql.run('SELECT 1;\n', /ERROR: {2}current transaction is aborted, commands ignored until end of transaction block\npostgres=!# $/);
      await psql.run('ROLLBACK;\n', /ROLLBACK\npostgres=# $/);
      await psql.run('\\x\nSELECT * FROM fruit WHERE id = 2;\n', /Expanded display is on\.\npostgres=# [^\n]*\n-\[ RECORD 1 \]-*\nid {4}\| 2\nname {2}\| banana\nprice \| 0\.50\n\npostgres=# $/);
      await psql.run('\\x\n\\timing\nSELECT count(*) FROM fruit;\n', /Timing is on\.\npostgres=# [\s\S]*\(1 row\)\n\nTime: [\d.]+ ms\npostgres=# $/);
      await psql.run('\\conninfo\n', new RegExp(`You are connected to database "${DATABASE}" as user "${USER}" on host "${target.host}" at port "${target.port}"\\.\\npostgres=# $`));
      await psql.run('\\encoding\n', /UTF8\npostgres=# $/);
      await psql.run("SELECT count(*) FROM fruit WHERE id = 9;\n", / count \n-------\n {5}0\n\(1 row\)/);
      psql.type('\\q\n');
    } finally {
      psql.close();
    }
  });
});
