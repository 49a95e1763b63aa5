/**
 * The extended query protocol through the real server: named and unnamed statements and portals,
 * several portals open at once, Execute row limits and PortalSuspended, pipelining (raw frames and
 * node-postgres's pipeline mode), errors that discard messages until Sync, Describe with inferred
 * parameter types, and RowDescription with the table's real OID and column numbers. Exchanges are
 * compared message by message with the real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { RunningServer } from '../support/server.js';
import {
  bindMessage,
  commandTag,
  dataRowValues,
  errorOf,
  pgClient,
  rawSession,
  referencePostgres,
  referenceUser,
  rowDescription,
  simpleQuery,
  startPolygres,
  summarize,
  targetOf,
  types,
  type Frame,
  type RawClient,
  type Target,
} from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_extended');

const SETUP = [
  'CREATE TABLE ext (id int PRIMARY KEY, v text NOT NULL, amount numeric(8,2), tags varchar(20))',
  "INSERT INTO ext VALUES (1, 'one', 1.50, 'a'), (2, 'two', 2.25, NULL), (3, 'three', NULL, 'c'), (4, 'four', 4, 'd'), (5, 'five', 5.5, 'e')",
  'CREATE TABLE zero (z int)',
  'INSERT INTO zero VALUES (0)',
];

/** Sends the messages at once (a pipeline) and reads until as many ReadyForQuery as Syncs sent. */
async function exchange(client: RawClient, messages: readonly Buffer[]): Promise<Frame[]> {
  const syncs = messages.filter((m) => m[0] === 0x53 /* S */ && m.length === 5).length;
  client.send(...messages);
  const out: Frame[] = [];
  for (let seen = 0; seen < syncs; ) {
    const f = await client.next(30_000);
    assert.ok(f, `connection closed after ${types(out)}`);
    out.push(f);
    if (f.type === 'Z') seen++;
  }
  return out;
}

const { parse, bind, describe: describeMessage, execute, sync, close } = serialize;

/** Exchanges run on both servers; the name says the rule. */
const SCENARIOS: ReadonlyArray<{ name: string; messages: () => Buffer[] }> = [
  {
    name: 'a named statement is parsed once and executed with different parameters; Describe gives ParameterDescription and RowDescription',
    messages: () => [
      parse({ name: 's_named', text: 'SELECT id, v FROM ext WHERE id > $1 ORDER BY id' }),
      describeMessage({ type: 'S', name: 's_named' }),
      sync(),
      bind({ statement: 's_named', values: ['3'] }),
      execute({}),
      bind({ statement: 's_named', values: ['4'] }),
      describeMessage({ type: 'P' }),
      execute({}),
      sync(),
      close({ type: 'S', name: 's_named' }),
      bind({ statement: 's_named', values: ['1'] }),
      sync(),
    ],
  },
  {
    name: 'the unnamed statement is replaced by the next unnamed Parse',
    messages: () => [parse({ text: 'SELECT 1 AS first' }), parse({ text: 'SELECT 2 AS second' }), bind({}), describeMessage({ type: 'P' }), execute({}), sync()],
  },
  {
    name: 'a duplicate statement name is 42P05 and everything up to Sync is discarded; the next block runs',
    messages: () => [
      parse({ name: 'dup', text: 'SELECT 1' }),
      sync(),
      parse({ name: 'dup', text: 'SELECT 2' }),
      bind({ statement: 'dup' }),
      execute({}),
      sync(),
      bind({ statement: 'dup' }),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'a missing statement is 26000, a missing portal 34000',
    messages: () => [bind({ statement: 'nope' }), sync(), describeMessage({ type: 'S', name: 'nope' }), sync(), execute({ portal: 'nope' }), sync(), describeMessage({ type: 'P', name: 'nope' }), sync()],
  },
  {
    name: 'a wrong number of parameters or result formats is 08P01 and the session continues',
    messages: () => [
      parse({ name: 'p1', text: 'SELECT $1::int AS x' }),
      bind({ statement: 'p1', values: [] }),
      execute({}),
      sync(),
      bindMessage({ statement: 'p1', values: ['1'], resultFormats: [0, 0] }),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'several portals are open at once and read interleaved with row limits (PortalSuspended)',
    messages: () => [
      parse({ text: 'BEGIN' }),
      bind({}),
      execute({}),
      parse({ name: 'asc', text: 'SELECT id FROM ext ORDER BY id' }),
      parse({ name: 'desc', text: 'SELECT v FROM ext ORDER BY id DESC' }),
      bind({ portal: 'p_asc', statement: 'asc' }),
      bind({ portal: 'p_desc', statement: 'desc' }),
      execute({ portal: 'p_asc', rows: 2 }),
      execute({ portal: 'p_desc', rows: 3 }),
      execute({ portal: 'p_asc', rows: 2 }),
      execute({ portal: 'p_desc', rows: 0 }),
      execute({ portal: 'p_asc', rows: 5 }),
      execute({ portal: 'p_asc', rows: 5 }),
      sync(),
      execute({ portal: 'p_asc', rows: 1 }),
      close({ type: 'P', name: 'p_asc' }),
      execute({ portal: 'p_asc', rows: 1 }),
      sync(),
      parse({ text: 'COMMIT' }),
      bind({}),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'a page that ends exactly at the last row is suspended; the next Execute completes the portal with SELECT 0',
    messages: () => [parse({ text: 'SELECT id FROM ext WHERE id <= 5 ORDER BY id' }), bind({ portal: 'x' }), execute({ portal: 'x', rows: 5 }), execute({ portal: 'x', rows: 5 }), sync()],
  },
  {
    name: 'portals of an implicit transaction end at Sync',
    messages: () => [
      parse({ name: 'all', text: 'SELECT id FROM ext ORDER BY id' }),
      bind({ portal: 'cur', statement: 'all' }),
      execute({ portal: 'cur', rows: 1 }),
      sync(),
      execute({ portal: 'cur', rows: 1 }),
      sync(),
    ],
  },
  {
    name: 'an error in a pipeline discards only its own Sync block',
    messages: () => [
      parse({ text: "INSERT INTO ext VALUES (10, 'ten')" }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: "INSERT INTO ext VALUES (11, 'eleven')" }),
      bind({}),
      execute({}),
      parse({ text: 'SELECT 1/z FROM zero' }),
      bind({}),
      execute({}),
      parse({ text: "INSERT INTO ext VALUES (12, 'twelve')" }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'SELECT id FROM ext WHERE id >= 10 ORDER BY id' }),
      bind({}),
      execute({}),
      parse({ text: 'DELETE FROM ext WHERE id >= 10' }),
      bind({}),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'statements in one Sync block share one implicit transaction',
    messages: () => [
      parse({ text: "INSERT INTO ext VALUES (20, 'twenty')" }),
      bind({}),
      execute({}),
      parse({ text: "INSERT INTO ext VALUES (20, 'again')" }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'SELECT count(*) FROM ext WHERE id = 20' }),
      bind({}),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'Describe infers parameter types from context',
    messages: () =>
      [
        'SELECT * FROM ext WHERE id = $1 AND v = $2',
        'INSERT INTO ext (id, v, amount) VALUES ($1, $2, $3)',
        'UPDATE ext SET tags = $1 WHERE amount > $2',
        'SELECT $1::text || $2',
        'SELECT id FROM ext ORDER BY id LIMIT $1 OFFSET $2',
        'SELECT $1 AS alone',
        'SELECT id FROM ext WHERE id IN ($1, $2)',
        'DELETE FROM ext WHERE v LIKE $1 RETURNING id',
      ].flatMap((text) => [parse({ text }), describeMessage({ type: 'S' }), sync()]),
  },
  {
    name: 'an untyped parameter nothing determines is 42P18',
    messages: () => [parse({ text: 'SELECT $1 = $2' }), describeMessage({ type: 'S' }), sync()],
  },
  {
    name: 'an empty statement executes as EmptyQueryResponse; several statements in one Parse are 42601',
    messages: () => [parse({ text: '' }), bind({}), describeMessage({ type: 'P' }), execute({}), sync(), parse({ text: 'SELECT 1; SELECT 2' }), sync()],
  },
  {
    name: 'Close answers CloseComplete, also for names that do not exist',
    messages: () => [parse({ name: 'c1', text: 'SELECT 1' }), close({ type: 'S', name: 'c1' }), close({ type: 'S', name: 'never' }), close({ type: 'P', name: 'never' }), sync()],
  },
  {
    name: 'RowDescription carries the column numbers of table columns, 0 for expressions, and the type modifiers',
    messages: () => [parse({ text: 'SELECT v, id, id + 1 AS next, amount, tags FROM ext WHERE id = 1' }), describeMessage({ type: 'S' }), bind({}), execute({}), sync()],
  },
  {
    name: 'SQL cursors: a DECLAREd cursor is a portal Describe finds by name (psycopg); FETCH describes its columns and honours row limits; MOVE has none',
    messages: () => [
      parse({ text: 'BEGIN' }),
      bind({}),
      execute({}),
      parse({ text: 'DECLARE cur SCROLL CURSOR FOR SELECT id, v, amount FROM ext ORDER BY id' }),
      bind({}),
      execute({}),
      describeMessage({ type: 'P', name: 'cur' }),
      parse({ name: 'fetch2', text: 'FETCH 2 FROM cur' }),
      describeMessage({ type: 'S', name: 'fetch2' }),
      bind({ statement: 'fetch2' }),
      describeMessage({ type: 'P' }),
      execute({}),
      bind({ statement: 'fetch2' }),
      execute({ rows: 1 }),
      execute({ rows: 1 }),
      execute({ rows: 1 }),
      parse({ text: 'MOVE BACKWARD ALL IN cur' }),
      bind({}),
      describeMessage({ type: 'P' }),
      execute({}),
      parse({ text: 'FETCH ALL FROM cur' }),
      bind({}),
      execute({}),
      parse({ text: 'CLOSE cur' }),
      bind({}),
      execute({}),
      describeMessage({ type: 'P', name: 'cur' }),
      sync(),
      parse({ text: 'ROLLBACK' }),
      bind({}),
      execute({}),
      close({ type: 'S', name: 'fetch2' }),
      sync(),
    ],
  },
  {
    name: 'DECLAREd cursors and Bind portals share one namespace: each refuses the other\'s name with 42P03',
    messages: () => [
      parse({ text: 'BEGIN' }),
      bind({}),
      execute({}),
      parse({ text: 'DECLARE shared_name CURSOR FOR SELECT 1 AS one' }),
      bind({}),
      execute({}),
      parse({ name: 'two', text: 'SELECT 2 AS two' }),
      bind({ statement: 'two', portal: 'shared_name' }),
      sync(),
      parse({ text: 'ROLLBACK' }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'BEGIN' }),
      bind({}),
      execute({}),
      bind({ statement: 'two', portal: 'bound_first' }),
      parse({ text: 'DECLARE bound_first CURSOR FOR SELECT 3' }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'ROLLBACK' }),
      bind({}),
      execute({}),
      close({ type: 'S', name: 'two' }),
      sync(),
    ],
  },
  {
    name: 'psycopg\'s named cursor WITH HOLD: DECLARE, Describe of the cursor portal, FETCH FORWARD n before and after COMMIT, CLOSE',
    messages: () => [
      parse({ text: 'BEGIN' }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'DECLARE "psy_cur" CURSOR WITH HOLD FOR SELECT id, v FROM ext WHERE id > $1 ORDER BY id' }),
      bind({ values: ['1'] }),
      describeMessage({ type: 'P' }),
      execute({}),
      sync(),
      describeMessage({ type: 'P', name: 'psy_cur' }),
      sync(),
      parse({ text: 'FETCH FORWARD 2 FROM "psy_cur"' }),
      bind({}),
      describeMessage({ type: 'P' }),
      execute({}),
      sync(),
      parse({ text: 'COMMIT' }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'FETCH FORWARD 2 FROM "psy_cur"' }),
      bind({}),
      describeMessage({ type: 'P' }),
      execute({}),
      sync(),
      parse({ text: 'FETCH FORWARD 2 FROM "psy_cur"' }),
      bind({}),
      execute({}),
      parse({ text: 'CLOSE "psy_cur"' }),
      bind({}),
      execute({}),
      sync(),
    ],
  },
  {
    name: 'PREPARE / EXECUTE: EXECUTE describes the prepared statement\'s columns; DEALLOCATE also drops a statement named by Parse',
    messages: () => [
      parse({ text: 'PREPARE above(int) AS SELECT id, v FROM ext WHERE id > $1 ORDER BY id' }),
      bind({}),
      execute({}),
      parse({ name: 'exec_above', text: 'EXECUTE above(3)' }),
      describeMessage({ type: 'S', name: 'exec_above' }),
      bind({ statement: 'exec_above' }),
      execute({}),
      parse({ name: 'by_parse', text: 'SELECT 1 AS one' }),
      parse({ text: 'DEALLOCATE by_parse' }),
      bind({}),
      execute({}),
      bind({ statement: 'by_parse' }),
      sync(),
      parse({ text: 'PREPARE exec_above AS SELECT 2' }),
      bind({}),
      execute({}),
      sync(),
      parse({ text: 'DEALLOCATE ALL' }),
      bind({}),
      execute({}),
      describeMessage({ type: 'S', name: 'exec_above' }),
      sync(),
    ],
  },
];

describe('extended query protocol, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let ours: RawClient;
  let theirs: RawClient;

  before(async () => {
    server = await startPolygres();
    ours = (await rawSession(targetOf(server))).client;
    theirs = (await rawSession(reference!.target, { user: referenceUser(), database: reference!.database })).client;
    for (const c of [ours, theirs]) for (const sql of SETUP) assert.equal(types(await simpleQuery(c, sql)).includes('E'), false, sql);
  });
  after(async () => {
    ours?.close();
    theirs?.close();
    await server?.stop();
    await reference?.drop();
  });

  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const mine = summarize(await exchange(ours, scenario.messages()));
      const pg = summarize(await exchange(theirs, scenario.messages()));
      assert.deepEqual(mine, pg);
    });
  }

  test('a simple Query FETCHes a BINARY cursor in binary', async () => {
    const sql = "BEGIN; DECLARE bin BINARY CURSOR FOR SELECT id, v, amount FROM ext ORDER BY id; FETCH 2 FROM bin; MOVE 1 IN bin; FETCH bin; COMMIT";
    const mine = summarize(await simpleQuery(ours, sql));
    const pg = summarize(await simpleQuery(theirs, sql));
    assert.deepEqual(mine, pg);
    assert.ok(mine.some((m) => m.startsWith('T ') && m.endsWith(':1')), mine.join('\n'));
  });
});

describe('extended query protocol on the real server', () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    const c = await pgClient(target);
    await c.query('CREATE TABLE big (id int PRIMARY KEY, label text)');
    await c.query("INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, 10000) g");
    await c.query("CREATE TABLE ext (id int PRIMARY KEY, v text NOT NULL); INSERT INTO ext VALUES (1, 'one')");
    await c.end();
  });
  after(() => server.stop());

  test('RowDescription gives the real table OID (what ::regclass::oid says) and attribute numbers', async () => {
    const { client } = await rawSession(target);
    try {
      const oidRow = (await simpleQuery(client, "SELECT 'ext'::regclass::oid, 'ext'::regclass")).find((f) => f.type === 'D')!;
      const [oid, name] = dataRowValues(oidRow);
      assert.equal(name, 'ext');
      const frames = await exchange(client, [parse({ text: 'SELECT v, id, id * 2 AS twice FROM ext' }), describeMessage({ type: 'S' }), sync()]);
      const fields = rowDescription(frames.find((f) => f.type === 'T')!);
      assert.deepEqual(
        fields.map((f) => [f.name, f.tableOid, f.column, f.typeOid]),
        [['v', Number(oid), 2, 25], ['id', Number(oid), 1, 23], ['twice', 0, 0, 23]],
      );
      assert.ok(Number(oid) >= 16384, 'a user table OID');
    } finally {
      client.close();
    }
  });

  test('10,000 rows read through a portal 100 rows per Execute: PortalSuspended after each page, then SELECT 0', async () => {
    const { client } = await rawSession(target);
    try {
      const messages = [parse({ text: 'SELECT id, label FROM big ORDER BY id' }), bind({ portal: 'c' })];
      // As in PostgreSQL, a page that ends exactly at the last row is still suspended: the next
      // Execute finds nothing more and completes the portal.
      for (let i = 0; i < 101; i++) messages.push(execute({ portal: 'c', rows: 100 }));
      messages.push(sync());
      const frames = await exchange(client, messages);
      const rows = frames.filter((f) => f.type === 'D').map(dataRowValues);
      assert.equal(rows.length, 10_000);
      assert.deepEqual(rows[0], ['1', 'row 1']);
      assert.deepEqual(rows[9_999], ['10000', 'row 10000']);
      assert.equal(frames.filter((f) => f.type === 's').length, 100);
      assert.equal(commandTag(frames.find((f) => f.type === 'C')!), 'SELECT 0');
      const pages = types(frames).replace(/^12/, '').replace(/CZ$/, '').split('s');
      assert.deepEqual(new Set(pages), new Set(['D'.repeat(100), '']));
    } finally {
      client.close();
    }
  });

  test('node-postgres reads 10,000 rows with a fetch size of 100 (Execute with a row limit, Flush between pages)', async () => {
    const c = await pgClient(target);
    try {
      const result = await c.query({ text: 'SELECT id FROM big WHERE id > $1 ORDER BY id', values: [0], rows: 100 } as pg.QueryConfig);
      assert.equal(result.rows.length, 10_000);
      assert.deepEqual(result.rows.at(-1), { id: 10_000 });
    } finally {
      await c.end();
    }
  });

  test('node-postgres pipeline mode: many queries in flight, answered in order, an error fails only its own query', async () => {
    const piped = await pgClient(target, { pipeline: true } as Partial<pg.ClientConfig>);
    try {
      const queries = Array.from({ length: 60 }, (_, i) => (i === 30 ? piped.query('SELECT 1/(id - 1) FROM big WHERE id = 1') : piped.query('SELECT $1::int4 AS i, label FROM big WHERE id = $1', [i + 1])));
      const settled = await Promise.allSettled(queries);
      settled.forEach((s, i) => {
        if (i === 30) {
          assert.equal(s.status, 'rejected');
          assert.equal((s as PromiseRejectedResult).reason.code, '22012');
        } else {
          assert.equal(s.status, 'fulfilled', String((s as PromiseRejectedResult).reason));
          assert.deepEqual((s as PromiseFulfilledResult<pg.QueryResult>).value.rows, [{ i: i + 1, label: `row ${i + 1}` }]);
        }
      });
    } finally {
      await piped.end();
    }
  });

  test('Flush sends what is ready without ending the pipeline; Sync then ends the implicit transaction', async () => {
    const { client } = await rawSession(target);
    try {
      client.send(parse({ text: 'SELECT label FROM big WHERE id = $1' }), bind({ values: ['7'] }), execute({}), serialize.flush());
      const partial = await client.readUntil('C');
      assert.equal(types(partial), '12DC');
      assert.deepEqual(dataRowValues(partial[2]!), ['row 7']);
      client.send(sync());
      assert.equal(types(await client.readUntil('Z')), 'Z');
    } finally {
      client.close();
    }
  });

  test('a failed Bind (a bad parameter) fails its block: the Execute after it is skipped until Sync', async () => {
    const { client } = await rawSession(target);
    try {
      const frames = await exchange(client, [
        parse({ name: 'q', text: 'SELECT label FROM big WHERE id = $1' }),
        bind({ statement: 'q', values: ['not a number'] }),
        execute({}),
        sync(),
        bind({ statement: 'q', values: ['9'] }),
        execute({}),
        sync(),
      ]);
      assert.equal(types(frames), '1EZ2DCZ');
      assert.equal(errorOf(frames).C, '22P02');
      assert.equal(errorOf(frames).M, 'invalid input syntax for type integer: "not a number"');
    } finally {
      client.close();
    }
  });
});
