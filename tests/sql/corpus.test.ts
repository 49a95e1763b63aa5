/**
 * Every statement that psql, drivers, ORMs and pgbench send (tests/fixtures/client-statements.json, a copy of the shared corpus)
 * parses with polygres's grammar and runs. Application DML, session and DDL statements must run
 * on a fresh database. Catalog statements (psql's \d family, pgjdbc's DatabaseMetaData, Prisma's,
 * TypeORM's and Knex's introspection, postgres.js's type query) run against the same schema on
 * polygres and on the real PostgreSQL: they must give the same columns (names and type OIDs) and,
 * where the two catalogs hold the same objects, the same rows; a statement PostgreSQL 15 refuses
 * (psql 17's \l reads pg_database.datlocale) must fail with the same SQLSTATE.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PolygresInProcessTarget, PolygresInstance, type StatementOutcome } from './support/targets.js';
import { freshPostgresDatabase, skipUnlessPostgres, type FreshDatabase } from '../support/storages.js';

interface CorpusEntry {
  readonly source: string;
  readonly category: string;
  readonly sql: string;
}

// A copy of the team's shared corpus (../shared/corpus/client-statements.json), kept in the repository so that
// the suite runs wherever the checkout is.
const corpusPath = join(import.meta.dirname, '..', 'fixtures', 'client-statements.json');
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as CorpusEntry[];

/** Tables the application statements of the corpus use (each statement runs on a fresh database with these). */
const SETUP = [
  'CREATE TABLE "User" (id text PRIMARY KEY, name text, age int, email text, role text, "userPreferenceId" text)',
  'CREATE TABLE "UserProfile" (id text PRIMARY KEY)',
  'CREATE TABLE knex_migrations_lock (index serial PRIMARY KEY, is_locked int)',
  'create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz)',
  'CREATE TABLE topic_reports (id int PRIMARY KEY, topic_id int, version int, created_at timestamptz)',
  'create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))',
  'create table pgbench_branches(bid int not null,bbalance int,filler char(88))',
  'create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84))',
  'create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)',
];

/** The setup without the tables the statement creates itself. */
function setupFor(sql: string): string[] {
  const created = [...sql.matchAll(/create table (?:if not exists )?"?([A-Za-z_]+)"?/gi)].map((m) => m[1]!.toLowerCase());
  return SETUP.filter((s) => {
    const m = /create table (?:if not exists )?"?([A-Za-z_]+)"?/i.exec(s);
    return !m || !created.includes(m[1]!.toLowerCase());
  });
}

/** Extra tables for statements that read a table another corpus statement creates. */
const EXTRA_SETUP: ReadonlyArray<readonly [RegExp, string]> = [
  [/"t1"\."published"|"public"\."Post"/, 'CREATE TABLE "Post" (id text PRIMARY KEY, published boolean, views int, "authorId" text)'],
  [/score_history/, 'CREATE TABLE topics (id int PRIMARY KEY, name text, slug text, category text, region text, current_score int, previous_score int, urgency text, impact_summary text, image_url text, article_count int, updated_at timestamptz)'],
  [/score_history/, 'CREATE TABLE score_history (topic_id int, score int, recorded_at timestamptz)'],
  // pgbench adds the primary keys (initCreatePKeys) before the foreign keys.
  [/references pgbench_accounts/, 'alter table pgbench_accounts add primary key (aid)'],
];

/** Session statements that only make sense inside a block run after this prelude. */
const BLOCK_PRELUDE = ['BEGIN', 'SAVEPOINT typeorm_1'];

async function setUp(target: PolygresInProcessTarget, statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    const [r] = await target.run(sql);
    assert.equal(r!.error, null, `setup failed: ${sql}: ${r!.error?.message}`);
  }
}

describe('client statement corpus: application, session and DDL statements run', () => {
  for (const [i, entry] of corpus.entries()) {
    if (entry.category === 'catalog') continue;
    test(`${String(i + 1).padStart(2, '0')} ${entry.category}: ${entry.source.slice(0, 70)}`, async () => {
      const instance = await PolygresInstance.start();
      const target = await PolygresInProcessTarget.open(instance);
      try {
        await setUp(target, [...setupFor(entry.sql), ...EXTRA_SETUP.filter(([re]) => re.test(entry.sql)).map(([, sql]) => sql)]);
        if (entry.category === 'session' && /^\s*(SAVEPOINT|RELEASE|ROLLBACK TO)/i.test(entry.sql)) await setUp(target, BLOCK_PRELUDE);
        const session = target.backendSession;
        const statements = session.parse(entry.sql);
        assert.ok(statements.length > 0);
        for (const s of statements) {
          if (s.empty) continue;
          let outcome: { code: string; message: string } | null = null;
          try {
            const prepared = await session.prepare(s, []);
            // Parameterized statements are checked through Parse: their parameter types must be inferred.
            if (prepared.paramTypes.length > 0) {
              assert.ok(prepared.paramTypes.every((t) => t > 0), `parameter types not inferred: ${prepared.paramTypes}`);
              continue;
            }
            const [r] = await target.run(s.sql);
            outcome = r!.error;
          } catch (e) {
            const err = e as { code?: string; message?: string };
            outcome = { code: err.code ?? 'XX000', message: err.message ?? String(e) };
            session.fail(e as never);
            await session.sync().catch(() => {});
          }
          if (outcome === null) continue;
          assert.notEqual(outcome.code, 'XX000', `internal error for ${s.sql}: ${outcome.message}`);
          assert.fail(`${entry.category} statement failed: ${outcome.code} ${outcome.message}\n${s.sql}`);
        }
      } finally {
        await target.close();
        await instance.close();
      }
    });
  }
});

// ---- catalog statements, compared with PostgreSQL ---------------------------------------------

/** The schema every catalog statement reads (tables the corpus names: users, orders, "user", post). */
const CATALOG_SETUP = [
  'CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text, age int CHECK (age > 0), created timestamptz DEFAULT now(), tags text[])',
  "CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE, note text DEFAULT 'x', total numeric(10,2))",
  'CREATE INDEX orders_note_idx ON orders (note)',
  'CREATE TABLE "user" (id int PRIMARY KEY, name varchar(50) NOT NULL)',
  'CREATE TABLE post (id int PRIMARY KEY, title text, "userId" int REFERENCES "user" (id))',
  "COMMENT ON TABLE users IS 'people'",
  "COMMENT ON COLUMN users.email IS 'where to write'",
];

/** Bind values for the parameterized catalog statements, by a fragment of their text. */
const PARAMETERS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['ANY ( $1 )', ['{public}']],
  ['column_name = $2', ['users', 'email']],
  ['table_name = $1', ['users']],
  ['WHERE t.oid = $1', ['23']],
  ['WHERE typname = $1', ['int4']],
];

/**
 * Statements whose rows depend on what else each server holds, so only their columns are
 * compared: PostgreSQL lists its thousands of built-in types, functions and other databases;
 * polygres lists the ones it implements.
 */
const COLUMNS_ONLY: ReadonlyArray<readonly [string, string]> = [
  ['getTypeInfo', 'PostgreSQL has many more built-in types'],
  ['fetchArrayTypes', 'PostgreSQL has many more built-in types'],
  ['\\du', 'the roles of the reference server are its own'],
  ['getSchemas', "the reference server lists other sessions' temporary schemas"],
];

/** Values that differ by nature between the two servers: OIDs (and regclass text is compared as is). */
function comparable(o: StatementOutcome): string[] {
  const oidColumns = o.fields.map((f, i) => (f.typeOid === 26 ? i : -1)).filter((i) => i >= 0);
  return o.rows.map((r) => JSON.stringify(r.map((v, i) => (oidColumns.includes(i) && v !== null ? '<oid>' : v)))).sort();
}

async function referenceQuery(client: pg.Client, sql: string, params: readonly string[]): Promise<StatementOutcome> {
  try {
    const r = await client.query({ text: sql, values: [...params], rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    return { sql, command: r.command, fields: r.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })), rows: (r.rows as unknown[][]).map((row) => row.map((v) => (v === null ? null : String(v)))), error: null, notices: [] };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { sql, command: null, fields: [], rows: [], error: { code: err.code ?? 'XX000', message: err.message }, notices: [] };
  }
}

const catalogSkip = await skipUnlessPostgres();

describe('client statement corpus: catalog statements answer as PostgreSQL does', { skip: catalogSkip }, () => {
  let instance: PolygresInstance;
  let target: PolygresInProcessTarget;
  let reference: FreshDatabase;
  let client: pg.Client;
  const oids = { ours: new Map<string, string>(), theirs: new Map<string, string>() };

  before(async () => {
    reference = await freshPostgresDatabase('polygres_corpus');
    instance = await PolygresInstance.start();
    // The same database name on both sides (information_schema shows it in every row).
    target = await PolygresInProcessTarget.open(instance, reference.name);
    client = new pg.Client({ connectionString: reference.url });
    await client.connect();
    for (const sql of CATALOG_SETUP) {
      const [r] = await target.run(sql);
      assert.equal(r!.error, null, `setup failed on polygres: ${sql}: ${r!.error?.message}`);
      await client.query(sql);
    }
    const lookup = "SELECT 'users', 'users'::regclass::oid::text UNION ALL SELECT 'users_id_seq', 'users_id_seq'::regclass::oid::text";
    for (const row of (await target.run(lookup))[0]!.rows) oids.ours.set(row[0]!, row[1]!);
    for (const row of (await referenceQuery(client, lookup, [])).rows) oids.theirs.set(row[0]!, row[1]!);
  });
  after(async () => {
    await client?.end();
    await reference?.drop();
    await target?.close();
    await instance?.close();
  });

  /** The corpus names objects by the OIDs they had where it was recorded: use each server's own. */
  function withOids(sql: string, map: ReadonlyMap<string, string>): string {
    return sql.replace(/'16384'/g, `'${map.get('users')}'`).replace(/'16390'/g, `'${map.get('users_id_seq')}'`);
  }

  for (const [i, entry] of corpus.entries()) {
    if (entry.category !== 'catalog') continue;
    test(`${String(i + 1).padStart(2, '0')} ${entry.source.slice(0, 80)}`, async () => {
      const params = PARAMETERS.find(([fragment]) => entry.sql.includes(fragment))?.[1] ?? [];
      const theirs = await referenceQuery(client, withOids(entry.sql, oids.theirs), params);
      const ours = await target.query(withOids(entry.sql, oids.ours), params);
      if (theirs.error) {
        assert.equal(ours.error?.code, theirs.error.code, `PostgreSQL fails with ${theirs.error.code} ${theirs.error.message}; polygres: ${ours.error?.message ?? 'no error'}`);
        return;
      }
      assert.equal(ours.error, null, `polygres failed: ${ours.error?.code} ${ours.error?.message}`);
      assert.deepEqual(ours.fields, theirs.fields, 'result columns and their types');
      if (COLUMNS_ONLY.some(([fragment]) => entry.source.includes(fragment))) return;
      assert.deepEqual(comparable(ours), comparable(theirs), 'rows');
    });
  }
});
