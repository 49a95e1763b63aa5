/**
 * The simple query protocol through the real server, compared message by message with the real
 * PostgreSQL: several statements in one Query, the implicit transaction they share (an error rolls
 * back everything before it in the string), BEGIN / COMMIT / ROLLBACK mixed into the string, empty
 * statements, notices, and the ReadyForQuery status after each string.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { rawSession, referencePostgres, referenceUser, simpleQuery, startPolygres, summarize, targetOf, type RawClient } from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_simple');

/** Query strings run one after the other; after each, the table's rows are compared too. */
const SCENARIOS: ReadonlyArray<{ name: string; queries: readonly string[] }> = [
  { name: 'an error rolls back the statements before it in the same string', queries: ["INSERT INTO sq VALUES (1, 'a'); SELECT 1/z FROM zero;"] },
  { name: 'nothing after the error runs', queries: ["SELECT 1/z FROM zero; INSERT INTO sq VALUES (5, 'e')"] },
  { name: 'a duplicate key in the middle undoes the whole string', queries: ["INSERT INTO sq VALUES (1, 'a'); INSERT INTO sq VALUES (1, 'dup'); INSERT INTO sq VALUES (2, 'b')"] },
  { name: 'a syntax error anywhere fails the string before anything runs', queries: ["INSERT INTO sq VALUES (6, 'f'); SELEC 1"] },
  { name: 'a committed block survives a later error in the same string', queries: ["BEGIN; INSERT INTO sq VALUES (1, 'a'); COMMIT; INSERT INTO sq VALUES (2, 'b'); SELECT 1/z FROM zero"] },
  {
    name: 'BEGIN in the middle of a string takes the statements before it into the block',
    queries: ["INSERT INTO sq VALUES (1, 'a'); BEGIN; INSERT INTO sq VALUES (2, 'b')", 'SELECT count(*) FROM sq', 'SELECT 1/z FROM zero', 'ROLLBACK'],
  },
  { name: 'an error inside a block leaves it failed (E) until ROLLBACK', queries: ["BEGIN; INSERT INTO sq VALUES (1, 'a'); SELECT 1/z FROM zero; COMMIT", 'SELECT 1', 'COMMIT'] },
  { name: 'COMMIT and ROLLBACK outside a block warn and end the implicit transaction', queries: ["INSERT INTO sq VALUES (3, 'c'); COMMIT; INSERT INTO sq VALUES (4, 'd'); ROLLBACK", 'COMMIT'] },
  { name: 'an open block spans query strings', queries: ["BEGIN; INSERT INTO sq VALUES (8, 'h')", "INSERT INTO sq VALUES (9, 'i'); SELECT count(*) FROM sq", 'COMMIT; SELECT count(*) FROM sq'] },
  { name: 'a failed string rolls back its SET too', queries: ["SET application_name = 'changed'; SELECT 1/z FROM zero", 'SHOW application_name'] },
  { name: 'SAVEPOINT outside a block is an error; inside it ROLLBACK TO undoes later statements', queries: ['SAVEPOINT a', "BEGIN; INSERT INTO sq VALUES (10, 'j'); SAVEPOINT a; INSERT INTO sq VALUES (11, 'k'); ROLLBACK TO a; COMMIT"] },
  { name: 'several results, empty statements and comments', queries: ["SELECT 1 AS a; ; SELECT 'x' AS b, 2 AS c", ';', '', '-- only a comment', 'SELECT 1; -- trailing comment'] },
  { name: 'notices: IF EXISTS and transaction warnings', queries: ['DROP TABLE IF EXISTS nosuch', 'ROLLBACK', 'BEGIN; BEGIN; COMMIT'] },
  {
    name: 'reg* values print as names through the catalog: regclass, regtype, regnamespace',
    queries: ["SELECT 'sq'::regclass, 'public.sq'::regclass, 'int4'::regtype, pg_typeof(1.5), pg_typeof('x'::varchar), 'public'::regnamespace, 'pg_catalog'::regnamespace", "SELECT 'sq'::regclass::text"],
  },
  { name: 'DDL in a failed string is rolled back', queries: ['CREATE TABLE sq_tmp (x int); SELECT 1/z FROM zero', 'SELECT * FROM sq_tmp'] },
];

describe('simple query and implicit transactions, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let ours: RawClient;
  let theirs: RawClient;

  before(async () => {
    server = await startPolygres();
    ours = (await rawSession(targetOf(server))).client;
    theirs = (await rawSession(reference!.target, { user: referenceUser(), database: reference!.database })).client;
    // 1/z fails as the row is computed (PostgreSQL folds a constant 1/0 before sending RowDescription).
    for (const c of [ours, theirs]) await simpleQuery(c, 'CREATE TABLE sq (id int PRIMARY KEY, v text); CREATE TABLE zero (z int); INSERT INTO zero VALUES (0)');
  });
  after(async () => {
    ours?.close();
    theirs?.close();
    await server?.stop();
    await reference?.drop();
  });

  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      for (const c of [ours, theirs]) await simpleQuery(c, 'DELETE FROM sq');
      for (const sql of [...scenario.queries, 'SELECT * FROM sq ORDER BY id']) {
        const mine = summarize(await simpleQuery(ours, sql));
        const pg = summarize(await simpleQuery(theirs, sql));
        assert.deepEqual(mine, pg, JSON.stringify(sql));
      }
    });
  }
});
