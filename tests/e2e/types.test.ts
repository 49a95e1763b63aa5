/**
 * Every type a driver meets, stored in real tables through the real server and read back in text
 * and in binary, compared byte for byte with the real PostgreSQL: bool, int2/4/8, float4/8, numeric,
 * text, varchar, bpchar, bytea, date, time, timestamp, timestamptz, interval, uuid, json, jsonb,
 * oid, name and arrays. Binary parameters are PostgreSQL's own binary output sent back in a Bind.
 * (postgres.js 3.4.9 always binds text and asks for text results, so binary is checked here with
 * raw frames, and with pgjdbc in jdbc.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { RunningServer } from '../support/server.js';
import {
  bindMessage,
  dataRowBytes,
  dataRowValues,
  errorFields,
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
} from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_types');

/** Column name, type, and values in PostgreSQL's text input form (null: SQL NULL). */
const COLUMNS: ReadonlyArray<readonly [string, string, ReadonlyArray<string | null>]> = [
  ['b', 'bool', ['t', 'f', null]],
  ['i2', 'int2', ['-32768', '32767', '0']],
  ['i4', 'int4', ['-2147483648', '2147483647', '42']],
  ['i8', 'int8', ['-9223372036854775808', '9223372036854775807', '1']],
  ['f4', 'float4', ['3.4028235e+38', '-1.5', 'NaN']],
  ['f8', 'float8', ['1.7976931348623157e+308', '-Infinity', '0.1']],
  ['n', 'numeric', ['123456789012345678901234567890.123456789', '-0.000001', 'NaN']],
  ['ns', 'numeric(10,3)', ['1234567.891', '-0.5', '0']],
  ['t', 'text', ['plain', 'ünïcödé € 😀 "quoted" \\ back\tslash', '']],
  ['vc', 'varchar(10)', ['ten chars!', 'x', null]],
  ['bc', 'char(5)', ['ab', 'abcde', ' ']],
  ['by', 'bytea', ['\\x00ff10', '\\x', '\\x5c7830']],
  ['d', 'date', ['2024-02-29', '0001-01-01', '1999-12-31']],
  ['tm', 'time', ['23:59:59.999999', '00:00:00', '12:34:56.5']],
  ['ts', 'timestamp', ['2000-01-01 00:00:00', '1969-07-20 20:17:40.123456', '2038-01-19 03:14:08']],
  ['tz', 'timestamptz', ['2024-06-01 12:34:56.789+02', '1970-01-01 00:00:00+00', '2099-12-31 23:59:59.999999-12']],
  ['iv', 'interval', ['1 year 2 mons 3 days 04:05:06.789', '-1 days +00:00:01', '00:00:00']],
  ['u', 'uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF']],
  ['j', 'json', ['{"a": [1, 2.50, "x"],  "b": null}', '[]', '"string"']],
  ['jb', 'jsonb', ['{"b": {"c": [true, false]}, "a": 1.50}', '[]', '{"a": "dup", "a": "last"}']],
  ['o', 'oid', ['4294967295', '0', '16384']],
  ['nm', 'name', ['a_name', 'With Spaces', '']],
  ['ai4', 'int4[]', ['{1,NULL,-3}', '{}', '{{1,2},{3,4}}']],
  ['ai8', 'int8[]', ['{9223372036854775807}', '{}', null]],
  ['at', 'text[]', ['{"a b","c,d","e\\"f",NULL,""}', '{}', '{x}']],
  ['avc', 'varchar[]', ['{one,two}', '{NULL}', '{}']],
  ['ab', 'bool[]', ['{t,f}', '{}', '{NULL,t}']],
  ['af8', 'float8[]', ['{1.5,NaN,-0}', '{}', '{1e100}']],
  ['an', 'numeric[]', ['{1.10,-2.5}', '{}', '{NaN}']],
  ['ad', 'date[]', ['{2024-01-01,1999-12-31}', '{}', '{NULL}']],
  ['atz', 'timestamptz[]', ['{"2024-01-01 00:00:00+00","2024-06-01 12:00:00+05:30"}', '{}', null]],
  ['au', 'uuid[]', ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{}', '{}']],
  ['aby', 'bytea[]', ['{"\\\\x00ff"}', '{}', '{}']],
  ['ajb', 'jsonb[]', ['{"{\\"a\\": 1}"}', '{}', '{}']],
];
const ROWS = COLUMNS[0]![2].length;
const TABLE_COLUMNS = `(id int PRIMARY KEY, ${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`;
const PARAMS = COLUMNS.map((_, i) => `$${i + 2}`).join(', ');

async function exchange(client: RawClient, messages: readonly Buffer[]): Promise<Frame[]> {
  client.send(...messages, serialize.sync());
  const frames = await client.readUntil('Z', 30_000);
  const e = frames.find((f) => f.type === 'E');
  assert.equal(e ? errorFields(e).M : undefined, undefined);
  return frames;
}

describe('every type stored and read back in text and binary, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let ours: RawClient;
  let theirs: RawClient;

  before(async () => {
    server = await startPolygres();
    ours = (await rawSession(targetOf(server))).client;
    theirs = (await rawSession(reference!.target, { user: referenceUser(), database: reference!.database })).client;
    for (const c of [ours, theirs]) {
      for (const sql of ["SET TimeZone = 'UTC'", `CREATE TABLE typed ${TABLE_COLUMNS}`, `CREATE TABLE typed_back ${TABLE_COLUMNS}`]) {
        assert.equal(types(await simpleQuery(c, sql)).includes('E'), false, sql);
      }
      // Text parameters whose types the server infers from the columns.
      for (let r = 0; r < ROWS; r++) {
        await exchange(c, [
          serialize.parse({ text: `INSERT INTO typed VALUES ($1, ${PARAMS})` }),
          bindMessage({ values: [String(r + 1), ...COLUMNS.map(([, , values]) => values[r] ?? null)] }),
          serialize.execute({}),
        ]);
      }
    }
  });
  after(async () => {
    ours?.close();
    theirs?.close();
    await server?.stop();
    await reference?.drop();
  });

  test('text output of every type (simple query) is PostgreSQL\'s', async () => {
    const mine = summarize(await simpleQuery(ours, 'SELECT * FROM typed ORDER BY id'));
    const pg = summarize(await simpleQuery(theirs, 'SELECT * FROM typed ORDER BY id'));
    assert.equal(pg.filter((m) => m.startsWith('D ')).length, ROWS);
    assert.deepEqual(mine, pg);
  });

  test('binary output of every type (Bind with result format 1) is PostgreSQL\'s send format', async () => {
    const read = async (c: RawClient) => {
      const frames = await exchange(c, [serialize.parse({ text: 'SELECT * FROM typed ORDER BY id' }), bindMessage({ resultFormats: [1] }), serialize.describe({ type: 'P' }), serialize.execute({})]);
      return { fields: rowDescription(frames.find((f) => f.type === 'T')!), rows: frames.filter((f) => f.type === 'D').map(dataRowBytes) };
    };
    const mine = await read(ours);
    const pg = await read(theirs);
    assert.equal(pg.rows.length, ROWS);
    assert.deepEqual(mine.fields.map((f) => [f.name, f.typeOid, f.typeModifier, f.format]), pg.fields.map((f) => [f.name, f.typeOid, f.typeModifier, f.format]));
    for (let r = 0; r < pg.rows.length; r++) {
      pg.fields.forEach((f, i) => {
        assert.equal(mine.rows[r]![i]?.toString('hex') ?? null, pg.rows[r]![i]?.toString('hex') ?? null, `row ${r + 1}, column ${f.name} (type ${f.typeOid})`);
      });
    }
  });

  test("binary parameters (PostgreSQL's binary values) are stored and read back as PostgreSQL reads them", async () => {
    const frames = await exchange(theirs, [serialize.parse({ text: 'SELECT * FROM typed ORDER BY id' }), bindMessage({ resultFormats: [1] }), serialize.execute({})]);
    const pgBinaryRows = frames.filter((f) => f.type === 'D').map(dataRowBytes);
    for (const c of [ours, theirs]) {
      for (const row of pgBinaryRows) {
        await exchange(c, [
          serialize.parse({ text: `INSERT INTO typed_back VALUES ($1, ${PARAMS})` }),
          bindMessage({ paramFormats: [1], values: row }),
          serialize.execute({}),
        ]);
      }
    }
    const mine = summarize(await simpleQuery(ours, 'SELECT * FROM typed_back ORDER BY id'));
    const pg = summarize(await simpleQuery(theirs, 'SELECT * FROM typed_back ORDER BY id'));
    assert.deepEqual(mine, pg);
    assert.deepEqual(summarize(await simpleQuery(ours, 'SELECT * FROM typed ORDER BY id')).slice(1), mine.slice(1), 'the round trip changes nothing');
  });

  test('mixed formats: text for some result columns, binary for others', async () => {
    const formats = COLUMNS.map((_, i) => i % 2);
    const read = async (c: RawClient) => {
      const frames = await exchange(c, [serialize.parse({ text: `SELECT ${COLUMNS.map(([n]) => n).join(', ')} FROM typed WHERE id = 1` }), bindMessage({ resultFormats: formats }), serialize.execute({})]);
      return dataRowBytes(frames.find((f) => f.type === 'D')!).map((b) => b?.toString('hex') ?? null);
    };
    assert.deepEqual(await read(ours), await read(theirs));
  });

  test('text parameters in the session TimeZone and DateStyle read and print as PostgreSQL does', async () => {
    for (const c of [ours, theirs]) await simpleQuery(c, "SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'");
    const read = async (c: RawClient) => {
      const frames = await exchange(c, [
        serialize.parse({ text: 'SELECT $1::timestamptz AS tz, $2::date AS d, $3::timestamp AS ts, tz AS stored FROM typed WHERE id = 1' }),
        bindMessage({ values: ['2024-03-10 02:30:00', '03/04/2024', '2024-03-10 02:30:00'] }),
        serialize.execute({}),
      ]);
      return dataRowValues(frames.find((f) => f.type === 'D')!);
    };
    const mine = await read(ours);
    assert.deepEqual(mine, await read(theirs));
    for (const c of [ours, theirs]) await simpleQuery(c, "SET TimeZone = 'UTC'; RESET DateStyle");
  });
});
