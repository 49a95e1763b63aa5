/**
 * The catalog queries ORMs and drivers send, through the real server with bind parameters as the
 * drivers send them, answered as the real PostgreSQL answers them for the same schema: Knex's
 * hasTable and columnInfo, SQLAlchemy's has_table, Prisma's introspection, psycopg's
 * TypeInfo.fetch (binary results, and 42704 or no row for a missing type), and postgres.js,
 * which reads pg_type's array types when it connects and then parses arrays with them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import type { RunningServer } from '../support/server.js';
import { query, referencePostgres, referenceUser, startPolygres, targetOf, USER, type Target } from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_catalog_clients');

const SCHEMA = [
  'CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text, age int CHECK (age > 0), created timestamptz DEFAULT now(), tags text[])',
  "CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE, note text DEFAULT 'x')",
  'CREATE INDEX orders_note_idx ON orders (note)',
  "COMMENT ON TABLE users IS 'people'",
];

const corpus = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'client-statements.json'), 'utf8')) as Array<{ source: string; sql: string }>;
const fromCorpus = (file: string): string => corpus.find((e) => e.source.includes(file))!.sql;

/** name, SQL, bind values (sent untyped, as node-postgres and Knex send them). */
const QUERIES: ReadonlyArray<readonly [string, string, readonly unknown[]]> = [
  ['Knex hasTable', 'select * from information_schema.tables where table_name = $1 and table_schema = current_schema()', ['users']],
  ['Knex columnInfo', 'select * from information_schema.columns where table_name = $1 and table_catalog = current_database() and table_schema = current_schema()', ['users']],
  [
    'SQLAlchemy has_table',
    'SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace ' +
      'WHERE pg_catalog.pg_class.relname = $1 AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2, $3, $4, $5, $6]) ' +
      'AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != $7',
    ['users', 'r', 'p', 'f', 'v', 'm', 'pg_catalog'],
  ],
  ['SQLAlchemy version', 'select pg_catalog.version()', []],
  ['Prisma namespaces', fromCorpus('namespaces_query.sql'), [['public']]],
  ['Prisma tables', fromCorpus('tables_query.sql'), [['public']]],
  ['Prisma constraints', fromCorpus('constraints_query.sql'), [['public']]],
  ['Prisma indexes', fromCorpus('indexes_query.sql'), [['public']]],
  ['Prisma sequences', 'SELECT sequencename AS sequence_name, start_value, min_value, max_value, increment_by, cycle, cache_size FROM pg_sequences WHERE schemaname = ANY ( $1 ) ORDER BY sequencename', [['public']]],
  ['Prisma extensions', 'SELECT ext.extname AS extension_name, ext.extversion AS extension_version, ext.extrelocatable AS extension_relocatable, pn.nspname AS extension_schema FROM pg_extension ext INNER JOIN pg_namespace pn ON ext.extnamespace = pn.oid ORDER BY ext.extname ASC', []],
  ['psycopg TypeInfo.fetch (to_regtype)', 'SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS alt_name, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype($1) ORDER BY t.oid', ['int4']],
  ['psycopg TypeInfo.fetch of a missing type (to_regtype)', 'SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS alt_name, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype($1) ORDER BY t.oid', ['hstore']],
  ['psycopg TypeInfo.fetch of a missing type (::regtype)', 'SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS alt_name, typdelim AS delimiter FROM pg_type t WHERE t.oid = $1::regtype ORDER BY t.oid', ['hstore']],
];

interface Outcome {
  readonly fields: ReadonlyArray<readonly [string, number, number]>;
  readonly rows: readonly string[];
  readonly error: string | null;
}

/** Rows with OID values masked (they differ between the servers), sorted; binary values as hex. */
async function run(client: pg.Client, sql: string, values: readonly unknown[], binary: boolean): Promise<Outcome> {
  try {
    // node-postgres asks for every result column in binary when `binary` is set.
    const config: pg.QueryArrayConfig & { binary: boolean } = { text: sql, values: [...values], rowMode: 'array', binary, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig };
    const r = await client.query(config);
    const oidColumns = new Set(r.fields.map((f, i) => (f.dataTypeID === 26 ? i : -1)));
    const show = (v: unknown, i: number): unknown => (v === null ? null : oidColumns.has(i) ? '<oid>' : Buffer.isBuffer(v) ? v.toString('hex') : v);
    return {
      fields: r.fields.map((f) => [f.name, f.dataTypeID, String(f.format) === 'binary' ? 1 : 0] as const),
      rows: (r.rows as unknown[][]).map((row) => JSON.stringify(row.map(show))).sort(),
      error: null,
    };
  } catch (e) {
    return { fields: [], rows: [], error: (e as { code?: string }).code ?? String(e) };
  }
}

describe('ORM and driver catalog queries through the real server, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let target: Target;
  let ours: pg.Client;
  let theirs: pg.Client;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    for (const sql of SCHEMA) await query(target, sql);
    const ref = new pg.Client({ connectionString: reference!.url });
    await ref.connect();
    for (const sql of SCHEMA) await ref.query(sql);
    await ref.end();
    // The same database name on both sides: information_schema shows it.
    ours = new pg.Client({ host: target.host, port: target.port, user: USER, database: reference!.database });
    await ours.connect();
    theirs = new pg.Client({ connectionString: reference!.url });
    await theirs.connect();
  });
  after(async () => {
    await ours?.end();
    await theirs?.end();
    await server?.stop();
    await reference?.drop();
  });

  for (const [name, sql, values] of QUERIES) {
    test(`${name}: same columns and rows`, async () => {
      const mine = await run(ours, sql, values, false);
      const reference = await run(theirs, sql, values, false);
      if (name === 'SQLAlchemy version') {
        // SQLAlchemy reads the major and minor version out of this text with a regular expression.
        assert.match(JSON.parse(mine.rows[0]!)[0] as string, /^PostgreSQL (\d+)\.?(\d+)? .*polygres/);
        return;
      }
      assert.deepEqual(mine, reference);
      assert.equal(mine.error, name.includes('::regtype') ? '42704' : null);
    });
  }

  test('psycopg TypeInfo.fetch in binary (psycopg reads it with a binary cursor)', async () => {
    const sql = 'SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS alt_name, typdelim AS delimiter FROM pg_type t WHERE t.oid = $1::regtype ORDER BY t.oid';
    for (const type of ['int4', 'text[]', 'character varying', 'jsonb']) {
      const mine = await run(ours, sql, [type], true);
      assert.deepEqual(mine, await run(theirs, sql, [type], true), type);
      assert.equal(mine.rows.length, 1);
    }
  });

  test("postgres.js reads pg_type's array types at connect, then returns arrays as arrays", async () => {
    const connect = (port: number, host: string, database: string, user: string) => postgres({ host, port, database, username: user, max: 1, onnotice: () => {} });
    const mine = connect(target.port, target.host, reference!.database, USER);
    const ref = connect(reference!.target.port, reference!.target.host, reference!.database, referenceUser());
    try {
      const q = (sql: postgres.Sql) => sql`SELECT ARRAY[1, 2]::int4[] AS ints, ARRAY['a', NULL]::text[] AS texts, ARRAY[true]::bool[] AS bools, ARRAY[1.5]::numeric[] AS nums`;
      const [a] = await q(mine);
      const [b] = await q(ref);
      assert.deepEqual(a, b);
      assert.deepEqual(a!.ints, [1, 2]);
      assert.deepEqual(a!.bools, [true]);
    } finally {
      await mine.end();
      await ref.end();
    }
  });
});
