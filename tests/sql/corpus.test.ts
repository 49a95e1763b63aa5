/**
 * Every statement that psql, drivers, ORMs and pgbench send (shared/corpus/client-statements.json)
 * parses with polygres's grammar, and either runs or fails with a clean SQLSTATE: never an internal
 * error. Catalog statements fail with 42P01 until pg_catalog and information_schema exist; the
 * others (application DML, session and DDL statements, joins, CTEs, window functions) must run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolygresInProcessTarget, PolygresInstance } from './support/targets.js';

interface CorpusEntry {
  readonly source: string;
  readonly category: string;
  readonly sql: string;
}

const corpusPath = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'client-statements.json');
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as CorpusEntry[];

/** SQLSTATEs that mean "not supported yet" or "no such catalog relation yet": clean failures. */
const CLEAN_NOT_YET = new Set(['0A000', '42P01', '42883']);

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

describe('client statement corpus: every statement parses and runs or fails cleanly', () => {
  for (const [i, entry] of corpus.entries()) {
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
          if (entry.category === 'catalog') {
            assert.ok(CLEAN_NOT_YET.has(outcome.code), `catalog query failed with ${outcome.code} ${outcome.message}`);
          } else {
            assert.fail(`${entry.category} statement failed: ${outcome.code} ${outcome.message}\n${s.sql}`);
          }
        }
      } finally {
        await target.close();
        await instance.close();
      }
    });
  }
});
