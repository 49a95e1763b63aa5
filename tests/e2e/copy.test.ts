/**
 * COPY FROM STDIN and COPY TO STDOUT through the real server: the SQL engine reads and writes the
 * rows (text, CSV, binary; PostgreSQL's options and escapes), checks them as INSERT does, and runs
 * every COPY as one all-or-nothing statement. 100,000 rows in and out through psql's \copy and raw
 * protocol frames; options, escapes, errors and binary data compared with the real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { RunningServer } from '../support/server.js';
import {
  commandTag,
  dataRowValues,
  errorFields,
  pgClient,
  query,
  RawClient,
  rawSession,
  readyStatus,
  referencePostgres,
  referenceUser,
  runPsql,
  simpleQuery,
  startPolygres,
  targetOf,
  types,
  USER,
  DATABASE,
  type Frame,
  type Reference,
  type Target,
} from './support.js';

const ROWS = 100_000;
/** Beyond the old limit of 100,000 writes per transaction (now 500,000, src/txn/config.ts). */
const FRAME_ROWS = 150_000;

/** What a client sees of one COPY: its tag, or its error's fields, and the data of COPY TO. */
interface CopyOutcome {
  readonly tag: string | null;
  readonly error: Record<string, string> | null;
  readonly data: Buffer[];
  readonly status: string;
}

function outcomeOf(frames: readonly Frame[], data: Buffer[] = []): CopyOutcome {
  const c = frames.find((f) => f.type === 'C');
  const e = frames.find((f) => f.type === 'E');
  const z = frames.find((f) => f.type === 'Z')!;
  return { tag: c ? commandTag(c) : null, error: e ? errorFields(e) : null, data, status: readyStatus(z) };
}

/** COPY ... FROM STDIN over raw frames: the data in CopyData messages of `chunkBytes`, then CopyDone. */
async function copyIn(client: RawClient, sql: string, data: Buffer | string, chunkBytes = 65_536): Promise<CopyOutcome> {
  client.send(serialize.query(sql));
  const first: Frame[] = [];
  for (;;) {
    const f = await client.next(60_000);
    assert.ok(f, 'connection closed');
    first.push(f);
    if (f.type === 'G') break;
    if (f.type === 'Z') return outcomeOf(first);
  }
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  for (let at = 0; at < bytes.length; at += chunkBytes) client.send(serialize.copyData(bytes.subarray(at, at + chunkBytes)));
  client.send(serialize.copyDone());
  return outcomeOf(await client.readUntil('Z', 120_000));
}

/** COPY ... TO STDOUT over raw frames: every CopyData payload. */
async function copyOut(client: RawClient, sql: string): Promise<CopyOutcome> {
  client.send(serialize.query(sql));
  const frames: Frame[] = [];
  const data: Buffer[] = [];
  for (;;) {
    const f = await client.next(120_000);
    assert.ok(f, 'connection closed');
    if (f.type === 'd') data.push(Buffer.from(f.body));
    else frames.push(f);
    if (f.type === 'Z') return outcomeOf(frames, data);
  }
}

async function rows(client: RawClient, sql: string): Promise<Array<Array<string | null>>> {
  const frames = await simpleQuery(client, sql);
  const e = frames.find((f) => f.type === 'E');
  assert.equal(e ? errorFields(e).M : undefined, undefined, sql);
  return frames.filter((f) => f.type === 'D').map(dataRowValues);
}

function textRows(count: number, separator: string): string {
  let out = '';
  for (let i = 1; i <= count; i++) out += `${i}${separator}row ${i}\n`;
  return out;
}

/** Only the fields a user sees of an error: SQLSTATE, message, detail, hint, context, position. */
function visible(error: Record<string, string> | null): Record<string, string> | null {
  if (!error) return null;
  const out: Record<string, string> = {};
  for (const k of ['C', 'M', 'D', 'H', 'W', 'P']) if (error[k] !== undefined) out[k] = error[k]!;
  return out;
}

describe('COPY through the real server', () => {
  let server: RunningServer;
  let target: Target;
  let dir: string;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    dir = mkdtempSync(join(tmpdir(), 'polygres-e2e-copy-'));
    await query(
      target,
      `CREATE TABLE copy_text (id int PRIMARY KEY, label text NOT NULL, qty int DEFAULT 7);
       CREATE TABLE copy_csv (id int PRIMARY KEY, label text);
       CREATE TABLE copy_frames (id int, label text);
       CREATE TABLE copy_small (id int PRIMARY KEY, label text NOT NULL)`,
    );
  });
  after(async () => {
    await server.stop();
  });

  test(`psql \\copy FROM a file and TO a file: ${ROWS} rows, text, defaults filled in`, async () => {
    const input = join(dir, 'in.txt');
    writeFileSync(input, textRows(ROWS, '\t'));
    const load = await runPsql(target, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy copy_text (id, label) FROM '${input}'`], { user: USER, database: DATABASE, timeoutMs: 180_000 });
    assert.equal(load.stderr, '');
    assert.equal(load.stdout.trim(), `COPY ${ROWS}`);
    const stats = await query(target, 'SELECT count(*) AS n, sum(id) AS s, count(*) FILTER (WHERE qty = 7) AS defaulted FROM copy_text');
    assert.deepEqual(stats.rows, [{ n: String(ROWS), s: String((ROWS * (ROWS + 1)) / 2), defaulted: String(ROWS) }]);

    const output = join(dir, 'out.txt');
    const dump = await runPsql(target, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT id, label FROM copy_text ORDER BY id) TO '${output}'`], {
      user: USER,
      database: DATABASE,
      timeoutMs: 180_000,
    });
    assert.equal(dump.stderr, '');
    assert.equal(dump.stdout.trim(), `COPY ${ROWS}`);
    assert.equal(readFileSync(output, 'utf8'), readFileSync(input, 'utf8'));
  });

  test(`psql \\copy FROM and TO a file: ${ROWS} rows, CSV with a header and quoted values`, async () => {
    let csv = 'id,label\n';
    for (let i = 1; i <= ROWS; i++) csv += i % 3 === 0 ? `${i},"row, ""${i}"""\n` : `${i},row ${i}\n`;
    const input = join(dir, 'in.csv');
    writeFileSync(input, csv);
    const load = await runPsql(target, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy copy_csv FROM '${input}' WITH CSV HEADER`], { user: USER, database: DATABASE, timeoutMs: 180_000 });
    assert.equal(load.stderr, '');
    assert.equal(load.stdout.trim(), `COPY ${ROWS}`);
    assert.deepEqual((await query(target, 'SELECT label FROM copy_csv WHERE id IN (3, 4) ORDER BY id')).rows, [{ label: 'row, "3"' }, { label: 'row 4' }]);

    const output = join(dir, 'out.csv');
    const dump = await runPsql(target, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT * FROM copy_csv ORDER BY id) TO '${output}' (FORMAT csv, HEADER)`], {
      user: USER,
      database: DATABASE,
      timeoutMs: 180_000,
    });
    assert.equal(dump.stderr, '');
    assert.equal(readFileSync(output, 'utf8'), csv);
  });

  test(`raw frames: ${FRAME_ROWS} rows (more than the 100,000 writes one transaction used to allow) in 64 KiB CopyData messages that split rows anywhere, then out as ${FRAME_ROWS} CopyData messages`, async () => {
    const { client } = await rawSession(target);
    try {
      const data = textRows(FRAME_ROWS, '\t');
      const loaded = await copyIn(client, 'COPY copy_frames FROM STDIN', data);
      assert.equal(loaded.error, null);
      assert.equal(loaded.tag, `COPY ${FRAME_ROWS}`);
      assert.equal(loaded.status, 'I');

      const out = await copyOut(client, 'COPY (SELECT * FROM copy_frames ORDER BY id) TO STDOUT');
      assert.equal(out.tag, `COPY ${FRAME_ROWS}`);
      assert.equal(out.data.length, FRAME_ROWS, 'one CopyData message per row');
      assert.equal(Buffer.concat(out.data).toString(), data);
    } finally {
      client.close();
    }
  });

  test('a failing COPY leaves nothing behind: outside a block, inside one, after a savepoint, on CopyFail and on disconnect', async () => {
    const { client } = await rawSession(target);
    try {
      // A bad value on line 20,000 of an implicit transaction: no row stays.
      const bad = textRows(19_999, '\t') + 'oops\tbad\n' + textRows(3, '\t');
      const failed = await copyIn(client, 'COPY copy_small FROM STDIN', bad);
      assert.deepEqual(visible(failed.error), {
        C: '22P02',
        M: 'invalid input syntax for type integer: "oops"',
        W: 'COPY copy_small, line 20000, column id: "oops"',
      });
      assert.equal(failed.status, 'I');
      assert.deepEqual(await rows(client, 'SELECT count(*) FROM copy_small'), [['0']]);

      // Inside a block: the block fails (E), and ROLLBACK undoes the earlier INSERT too.
      await simpleQuery(client, "BEGIN; INSERT INTO copy_small VALUES (-1, 'before')");
      const inBlock = await copyIn(client, 'COPY copy_small FROM STDIN', '1\ta\n2\t\\N\n');
      assert.equal(inBlock.error?.C, '23502');
      assert.equal(inBlock.error?.W, 'COPY copy_small, line 2: "2\t\\N"');
      assert.equal(inBlock.status, 'E');
      assert.equal(errorFields((await simpleQuery(client, 'SELECT 1')).find((f) => f.type === 'E')!).C, '25P02');
      await simpleQuery(client, 'ROLLBACK');
      assert.deepEqual(await rows(client, 'SELECT count(*) FROM copy_small'), [['0']]);

      // A savepoint keeps what came before it.
      await simpleQuery(client, "BEGIN; INSERT INTO copy_small VALUES (-1, 'kept'); SAVEPOINT s");
      const dup = await copyIn(client, 'COPY copy_small FROM STDIN', '1\ta\n1\tb\n');
      assert.deepEqual(visible(dup.error), {
        C: '23505',
        M: 'duplicate key value violates unique constraint "copy_small_pkey"',
        D: 'Key (id)=(1) already exists.',
        W: 'COPY copy_small, line 2',
      });
      await simpleQuery(client, 'ROLLBACK TO s; COMMIT');
      assert.deepEqual(await rows(client, 'SELECT id, label FROM copy_small ORDER BY id'), [['-1', 'kept']]);

      // CopyFail from the client: 57014, nothing written, the session goes on.
      client.send(serialize.query('COPY copy_small FROM STDIN'));
      await client.readUntil('G');
      client.send(serialize.copyData(Buffer.from('10\tx\n11\ty\n')), serialize.copyFail('the client gave up'));
      const abandoned = outcomeOf(await client.readUntil('Z'));
      assert.deepEqual(visible(abandoned.error), { C: '57014', M: 'COPY from stdin failed: the client gave up' });
      assert.deepEqual(await rows(client, 'SELECT count(*) FROM copy_small'), [['1']]);
    } finally {
      client.close();
    }

    // A client that disconnects in the middle of its data: nothing is written, the server serves on.
    const { client: gone } = await rawSession(target);
    gone.send(serialize.query('COPY copy_small FROM STDIN'));
    await gone.readUntil('G');
    gone.send(serialize.copyData(Buffer.from(textRows(5000, '\t'))));
    gone.close();
    const after = await query(target, 'SELECT count(*)::int AS n FROM copy_small');
    assert.deepEqual(after.rows, [{ n: 1 }]);
  });

  test('a COPY inside a transaction block is seen by others only after COMMIT', async () => {
    const { client } = await rawSession(target);
    const other = await pgClient(target);
    try {
      await query(target, 'CREATE TABLE copy_block (id int PRIMARY KEY, label text)');
      await simpleQuery(client, 'BEGIN');
      const loaded = await copyIn(client, 'COPY copy_block FROM STDIN (FORMAT csv)', textRows(1000, ','));
      assert.equal(loaded.tag, 'COPY 1000');
      assert.equal(loaded.status, 'T');
      assert.deepEqual(await rows(client, 'SELECT count(*) FROM copy_block'), [['1000']]);
      assert.deepEqual((await other.query('SELECT count(*)::int AS n FROM copy_block')).rows, [{ n: 0 }]);
      assert.equal(readyStatus((await simpleQuery(client, 'COMMIT')).at(-1)!), 'I');
      assert.deepEqual((await other.query('SELECT count(*)::int AS n FROM copy_block')).rows, [{ n: 1000 }]);
    } finally {
      client.close();
      await other.end();
    }
  });

  test('COPY FROM takes the INSERT path: serial and identity columns, defaults, CHECK, UNIQUE and foreign keys', async () => {
    await query(
      target,
      `CREATE TABLE copy_parent (code text PRIMARY KEY);
       INSERT INTO copy_parent VALUES ('a'), ('b');
       CREATE TABLE copy_child (
         id serial PRIMARY KEY,
         n int GENERATED BY DEFAULT AS IDENTITY,
         code text REFERENCES copy_parent,
         email text UNIQUE,
         amount numeric(6,2) CHECK (amount >= 0) DEFAULT 1.5,
         note varchar(5) DEFAULT 'none')`,
    );
    const { client } = await rawSession(target);
    try {
      const ok = await copyIn(client, 'COPY copy_child (code, email) FROM STDIN', 'a\tx@example.com\nb\ty@example.com\n\\N\t\\N\n');
      assert.equal(ok.tag, 'COPY 3');
      assert.deepEqual(await rows(client, 'SELECT id, n, code, email, amount, note FROM copy_child ORDER BY id'), [
        ['1', '1', 'a', 'x@example.com', '1.50', 'none'],
        ['2', '2', 'b', 'y@example.com', '1.50', 'none'],
        ['3', '3', null, null, '1.50', 'none'],
      ]);
      const unique = await copyIn(client, 'COPY copy_child (code, email) FROM STDIN', 'a\tz@example.com\nb\tx@example.com\n');
      assert.deepEqual(visible(unique.error), {
        C: '23505',
        M: 'duplicate key value violates unique constraint "copy_child_email_key"',
        D: 'Key (email)=(x@example.com) already exists.',
        W: 'COPY copy_child, line 2',
      });
      const check = await copyIn(client, 'COPY copy_child (amount) FROM STDIN', '2\n-1\n');
      assert.equal(check.error?.C, '23514');
      assert.equal(check.error?.M, 'new row for relation "copy_child" violates check constraint "copy_child_amount_check"');
      assert.equal(check.error?.W, 'COPY copy_child, line 2: "-1"');
      const fk = await copyIn(client, 'COPY copy_child (code) FROM STDIN', 'a\nzz\n');
      assert.equal(fk.error?.C, '23503');
      assert.equal(fk.error?.M, 'insert or update on table "copy_child" violates foreign key constraint "copy_child_code_fkey"');
      const long = await copyIn(client, 'COPY copy_child (note) FROM STDIN', 'abcdef\n');
      assert.deepEqual(visible(long.error), { C: '22001', M: 'value too long for type character varying(5)', W: 'COPY copy_child, line 1, column note: "abcdef"' });
      assert.deepEqual(await rows(client, 'SELECT count(*) FROM copy_child'), [['3']]);
    } finally {
      client.close();
    }
  });

  test('COPY in the extended protocol: Parse/Bind/Execute, CopyData, CopyDone, Sync', async () => {
    const { client } = await rawSession(target);
    try {
      await query(target, 'CREATE TABLE copy_extended (id int, label text)');
      client.send(serialize.parse({ text: 'COPY copy_extended FROM STDIN (FORMAT csv)' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.flush());
      const head = await client.readUntil('G');
      assert.equal(types(head), '12nG');
      client.send(serialize.copyData(Buffer.from('1,one\n2,t')), serialize.copyData(Buffer.from('wo\n')), serialize.copyDone(), serialize.sync());
      const tail = await client.readUntil('Z');
      assert.equal(types(tail), 'CZ');
      assert.equal(commandTag(tail[0]!), 'COPY 2');
      assert.deepEqual(await rows(client, 'SELECT * FROM copy_extended ORDER BY id'), [['1', 'one'], ['2', 'two']]);
    } finally {
      client.close();
    }
  });

  test('COPY to or from a server file or a program is refused with 42501: polygres serves STDIN and STDOUT only', async () => {
    const { client } = await rawSession(target);
    try {
      for (const [sql, message] of [
        ["COPY copy_small FROM '/etc/passwd'", 'must be superuser or have privileges of the pg_read_server_files role to COPY from a file'],
        ["COPY copy_small TO '/tmp/polygres-copy-out'", 'must be superuser or have privileges of the pg_write_server_files role to COPY to a file'],
        ["COPY copy_small FROM PROGRAM 'cat /etc/passwd'", 'must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program'],
      ] as const) {
        const e = errorFields((await simpleQuery(client, sql)).find((f) => f.type === 'E')!);
        assert.equal(e.C, '42501', sql);
        assert.equal(e.M, message);
        assert.match(e.D!, /only over the client connection \(FROM STDIN, TO STDOUT\)/);
        assert.equal(e.H, "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.");
      }
    } finally {
      client.close();
    }
  });
});

/** A table with one column per type COPY has to write and read, and rows with awkward values. */
const TYPES_COLUMNS = `(
  id int PRIMARY KEY, t text, v varchar(12), c char(4), n numeric(12,3), f8 float8, f4 float4, b bool, by bytea,
  d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb, i2 int2, i8 int8,
  ia int4[], ta text[])`;
const TYPES_ROWS = [
  `INSERT INTO copy_types VALUES (1, E'tab\\there, new\\nline, back\\\\slash, "quote", comma', 'x|y', 'ab', 123456789.125, 1.5e300, 3.25, true,
    '\\x00ff41'::bytea, '2024-02-29', '23:59:59.999999', '2000-01-01 00:00:00', '2024-06-01 12:34:56.789+02', '1 year 2 mons 3 days 04:05:06.5',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": {"c": null}, "a": 1}', -32768, 9223372036854775807,
    '{1,NULL,3}', '{"a b","c,d","e\\"f",NULL,""}')`,
  `INSERT INTO copy_types VALUES (2, '', '', '', -0.001, 'NaN', '-Infinity', false, '\\x'::bytea, '1900-01-01', '00:00', '1999-12-31 23:59:59.5',
    '1970-01-01 00:00:00+00', '-1 days -00:00:01', '00000000-0000-0000-0000-000000000000', '[]', '[]', 0, -1, '{}', '{}')`,
  `INSERT INTO copy_types (id, t) VALUES (3, '\\.'), (4, NULL)`,
  `INSERT INTO copy_types (id, t, v) VALUES (5, 'ünïcödé €', '😀')`,
];

/** COPY TO statements whose output must equal PostgreSQL's byte for byte. */
const COPY_TO_CASES = [
  'COPY copy_types TO STDOUT',
  'COPY copy_types TO STDOUT (FORMAT csv)',
  'COPY copy_types TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *)',
  "COPY copy_types (id, t, v) TO STDOUT (FORMAT csv, DELIMITER '|', QUOTE '''', ESCAPE '\\', NULL 'NULL', FORCE_QUOTE (v))",
  "COPY copy_types (id, t) TO STDOUT WITH DELIMITER ',' NULL 'nil'",
  'COPY copy_types (id, t, ta) TO STDOUT WITH CSV HEADER FORCE QUOTE t',
  'COPY copy_types (t) TO STDOUT (FORMAT csv)',
  'COPY copy_types TO STDOUT (FORMAT text, HEADER true)',
  'COPY (SELECT id, t, n * 2 AS doubled FROM copy_types WHERE id < 4 ORDER BY id DESC) TO STDOUT (FORMAT csv, HEADER)',
  'COPY copy_types TO STDOUT (FORMAT binary)',
  'COPY (SELECT id, ia, ta, jb FROM copy_types ORDER BY id) TO STDOUT WITH BINARY',
];

/** COPY FROM cases: the statement, the data, and the query whose rows must equal PostgreSQL's afterwards. */
const COPY_FROM_CASES: ReadonlyArray<{ sql: string; data: string | Buffer }> = [
  { sql: 'COPY copy_in FROM STDIN', data: '1\tx\\ty\t\\N\n2\t\\x41\\101\\b\\f\\v\tz\\\\\n3\t\\\t\\\\N\n' },
  { sql: "COPY copy_in FROM STDIN (DELIMITER '|', NULL 'nil')", data: '1|a\\|b|nil\n2|nil|\\N\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\tb\r\n2\tc\td\r\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\tb\n\\.\nignored after the end marker\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\tb\n2\tlast line\twithout newline' },
  { sql: 'COPY copy_in FROM STDIN (HEADER)', data: 'a\tb\tc\n1\tx\ty\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv)', data: '1,"a,b","he said ""hi"""\n2,,""\n3,"multi\nline",x\n' },
  { sql: "COPY copy_in FROM STDIN WITH CSV HEADER DELIMITER ';' QUOTE '''' ESCAPE '\\'", data: "a;b;c\n1;'x;y';'it\\'s'\n" },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv, FORCE_NOT_NULL (b), FORCE_NULL (c))', data: '1,,""\n2,"",\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv, HEADER match)', data: 'a,b,c\n1,x,y\n' },
  { sql: "COPY copy_in FROM STDIN (FORMAT csv, NULL 'NULL')", data: '1,NULL,"NULL"\n' },
  { sql: 'COPY copy_in (a, c) FROM STDIN', data: '1\tz\n' },
  { sql: 'COPY copy_in FROM STDIN WHERE a > 1', data: '1\ta\tb\n2\tc\td\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv)', data: '1,"\\.",x\n\\.\n' },
  { sql: "COPY copy_in FROM STDIN (ENCODING 'utf8')", data: '1\tÄö€😀\tx\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv)', data: '1,a,b\r2,c,d\r' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\t\\x4g\\0101\\q\tcontinued\\\nline\n2\tx\ty\\' },
  { sql: 'COPY copy_in (a, b) FROM STDIN (FORMAT csv, QUOTE \'|\', ESCAPE \'!\')', data: '1,|a!|b!!c|\n2,|x,y|\n' },
];

/** Bad COPY FROM input: SQLSTATE, message, detail and CONTEXT must be PostgreSQL's. */
const COPY_ERROR_CASES: ReadonlyArray<{ sql: string; data: string | Buffer }> = [
  { sql: 'COPY copy_in FROM STDIN', data: 'x\ta\tb\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\tb\tc\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\tb\n2\ta\tb\r\n' },
  { sql: 'COPY copy_in FROM STDIN', data: '1\ta\\.b\tc\n' },
  { sql: 'COPY copy_in FROM STDIN', data: Buffer.from([0x31, 0x09, 0xff, 0x09, 0x61, 0x0a]) },
  { sql: 'COPY copy_in FROM STDIN', data: '1\t\\xff\tb\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv)', data: '1,"abc\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv)', data: '1,a,b\n2,c,d\r\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv, HEADER match)', data: 'a,x,c\n' },
  { sql: "COPY copy_in FROM STDIN (FORMAT csv, HEADER match, NULL 'n')", data: 'a,n,c\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT csv, HEADER match)', data: 'a,b\n' },
  { sql: 'COPY copy_strict FROM STDIN', data: '1\t\\N\n' },
  { sql: 'COPY copy_strict FROM STDIN', data: '1\tx\n1\ty\n' },
  { sql: 'COPY copy_strict (id, label, amount) FROM STDIN', data: '1\tx\t-1\n' },
  { sql: 'COPY copy_strict (id, label, amount) FROM STDIN', data: '1\tx\t123456.5\n' },
  { sql: 'COPY copy_strict (id, label) FROM STDIN', data: '99999999999\tx\n' },
  { sql: 'COPY copy_strict (id, label, day) FROM STDIN', data: '1\tx\t2020-13-01\n' },
  { sql: 'COPY copy_strict (id, label, flag) FROM STDIN', data: '1\tx\tmaybe\n' },
  { sql: 'COPY copy_strict (id, label, code) FROM STDIN', data: `1\tx\t${'y'.repeat(150)}\n` },
  { sql: 'COPY copy_in FROM STDIN (FORMAT binary)', data: 'not binary\n' },
  { sql: 'COPY copy_in FROM STDIN (FORMAT binary)', data: Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8), Buffer.from([0, 1, 0, 0, 0, 1, 0x31])]) },
  { sql: 'COPY copy_in FROM STDIN (FORMAT binary)', data: Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8), Buffer.from([0, 3, 0, 0, 0, 2, 0])]) },
];

/** Statements refused before any data: options checked in PostgreSQL's order, with its messages. */
const COPY_OPTION_ERRORS = [
  "COPY copy_in FROM STDIN (FORMAT csv, QUOTE 'xx')",
  "COPY copy_in FROM STDIN (FORMAT text, QUOTE '\"')",
  'COPY copy_in TO STDOUT (FORMAT csv, FORCE_NOT_NULL (a))',
  'COPY copy_in FROM STDIN (FORMAT csv, FORCE_QUOTE (a))',
  'COPY copy_in FROM STDIN (FORMAT csv, FORCE_NOT_NULL (zz))',
  'COPY copy_in (a) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (b))',
  'COPY copy_in (a) TO STDOUT (FORMAT csv, FORCE_QUOTE (b))',
  'COPY copy_in FROM STDIN (FORMAT foo)',
  'COPY copy_in FROM STDIN (bogus 1)',
  "COPY copy_in FROM STDIN (HEADER 'maybe')",
  'COPY copy_in TO STDOUT (HEADER match)',
  "COPY copy_in FROM STDIN (DELIMITER ',', DELIMITER ';')",
  "COPY copy_in FROM STDIN (ENCODING 'nonsense')",
  "COPY copy_in FROM STDIN (DELIMITER 'ab')",
  "COPY copy_in FROM STDIN (DELIMITER E'\\n')",
  "COPY copy_in FROM STDIN (DELIMITER 'a')",
  "COPY copy_in FROM STDIN (NULL E'\\r')",
  "COPY copy_in FROM STDIN (FORMAT csv, DELIMITER ',', QUOTE ',')",
  "COPY copy_in FROM STDIN (FORMAT csv, NULL 'a,b')",
  "COPY copy_in FROM STDIN (FORMAT csv, NULL 'a\"b')",
  'COPY copy_in (a, a) FROM STDIN',
  'COPY copy_in (zz) FROM STDIN',
  'COPY nosuch FROM STDIN',
  "COPY copy_in FROM STDIN (FORMAT binary, NULL 'x')",
  'COPY copy_in FROM STDIN (FORMAT binary, HEADER)',
  "COPY copy_in FROM STDIN (FORMAT binary, DELIMITER ',')",
  "COPY copy_in FROM STDIN (FORMAT text, ESCAPE 'x')",
  'COPY copy_in FROM STDIN (FORMAT text, FORCE_NULL (a))',
  'COPY copy_in TO STDOUT WHERE a > 1',
  "COPY copy_in FROM STDIN (FREEZE 'x')",
  'COPY (INSERT INTO copy_in VALUES (1)) TO STDOUT',
  'COPY (SELECT 1 AS x) TO STDOUT (FORMAT csv, FORCE_QUOTE (zz))',
];

const { reference, skip } = await referencePostgres('polygres_e2e_copy');

function errorIn(frames: readonly Frame[]): Record<string, string> | null {
  const e = frames.find((f) => f.type === 'E');
  return e ? visible(errorFields(e)) : null;
}

describe('COPY compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let mine: RawClient;
  let theirs: RawClient;

  const SETUP = [
    "SET TimeZone = 'UTC'",
    `CREATE TABLE copy_types ${TYPES_COLUMNS}`,
    ...TYPES_ROWS,
    'CREATE TABLE copy_in (a int, b text, c text DEFAULT \'dflt\')',
    `CREATE TABLE copy_strict (id int PRIMARY KEY, label text NOT NULL, amount numeric(6,1) CHECK (amount >= 0), day date, flag bool, code varchar(120))`,
    `CREATE TABLE copy_back ${TYPES_COLUMNS}`,
  ];

  before(async () => {
    server = await startPolygres();
    mine = (await rawSession(targetOf(server))).client;
    theirs = (await rawSession((reference as Reference).target, { user: referenceUser(), database: (reference as Reference).database })).client;
    for (const sql of SETUP) {
      for (const c of [mine, theirs]) {
        const frames = await simpleQuery(c, sql);
        assert.equal(errorIn(frames)?.M, undefined, sql);
      }
    }
  });
  after(async () => {
    mine?.close();
    theirs?.close();
    await server?.stop();
    await reference?.drop();
  });

  test('COPY TO STDOUT writes the bytes PostgreSQL writes: text, CSV, binary, headers, quoting, escapes, NULL', async () => {
    for (const sql of COPY_TO_CASES) {
      const ours = await copyOut(mine, sql);
      const pg = await copyOut(theirs, sql);
      assert.equal(ours.error, null, `${sql}: ${ours.error?.M}`);
      assert.equal(ours.tag, pg.tag, sql);
      assert.equal(ours.data.length, pg.data.length, `${sql}: CopyData messages`);
      assert.equal(Buffer.concat(ours.data).toString('hex'), Buffer.concat(pg.data).toString('hex'), `${sql}\nours:\n${Buffer.concat(ours.data).toString()}\nPostgreSQL:\n${Buffer.concat(pg.data).toString()}`);
    }
  });

  test("PostgreSQL's binary COPY output loads into polygres and comes back identical", async () => {
    const pgBinary = Buffer.concat((await copyOut(theirs, 'COPY copy_types TO STDOUT (FORMAT binary)')).data);
    const loaded = await copyIn(mine, 'COPY copy_back FROM STDIN (FORMAT binary)', pgBinary, 7);
    assert.equal(loaded.error, null, loaded.error?.M);
    assert.equal(loaded.tag, `COPY ${TYPES_ROWS.length + 1}`);
    const back = Buffer.concat((await copyOut(mine, 'COPY copy_back TO STDOUT (FORMAT binary)')).data);
    assert.equal(back.toString('hex'), pgBinary.toString('hex'));
    const text = (c: RawClient) => copyOut(c, 'COPY (SELECT * FROM copy_types ORDER BY id) TO STDOUT');
    const pgText = Buffer.concat((await text(theirs)).data).toString();
    assert.equal(Buffer.concat((await copyOut(mine, 'COPY (SELECT * FROM copy_back ORDER BY id) TO STDOUT')).data).toString(), pgText);
  });

  test('COPY FROM STDIN reads options, escapes, quoting, line endings and the end marker as PostgreSQL does', async () => {
    for (const { sql, data } of COPY_FROM_CASES) {
      const results = [];
      for (const c of [mine, theirs]) {
        await simpleQuery(c, 'TRUNCATE copy_in');
        const outcome = await copyIn(c, sql, data, 3);
        results.push({ tag: outcome.tag, error: visible(outcome.error), rows: await rows(c, 'SELECT * FROM copy_in ORDER BY a, b, c') });
      }
      assert.deepEqual(results[0], results[1], `${sql} with ${JSON.stringify(data.toString())}`);
    }
  });

  test("bad COPY data fails with PostgreSQL's SQLSTATE, message, detail and CONTEXT line", async () => {
    for (const { sql, data } of COPY_ERROR_CASES) {
      const results = [];
      for (const c of [mine, theirs]) {
        const outcome = await copyIn(c, sql, data, 5);
        results.push({ tag: outcome.tag, error: visible(outcome.error), status: outcome.status });
      }
      assert.ok(results[1]!.error, `PostgreSQL accepted ${sql}`);
      assert.deepEqual(results[0], results[1], `${sql} with ${JSON.stringify(data.toString())}`);
    }
    assert.deepEqual(await rows(mine, 'SELECT count(*) FROM copy_strict'), [['0']]);
  });

  test("COPY options are checked as PostgreSQL checks them, with its errors", async () => {
    for (const sql of COPY_OPTION_ERRORS) {
      const ours = errorIn(await simpleQuery(mine, sql));
      const pg = errorIn(await simpleQuery(theirs, sql));
      assert.ok(pg?.C, `PostgreSQL accepted ${sql}`);
      assert.deepEqual(ours, pg, sql);
    }
  });
});
