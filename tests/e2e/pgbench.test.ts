/**
 * The real pgbench against the real server: initialization (client-side COPY and server-side
 * INSERT ... SELECT generate_series, primary keys, foreign keys, VACUUM, and dropping the tables
 * again while foreign keys tie them together), then runs of the TPC-B-like script in each protocol
 * mode (simple, extended, prepared), of the built-in select-only and simple-update scripts and of a
 * custom script in pipeline mode with \gset and \if. Serialization failures (40001) are retried by
 * pgbench (--max-tries); after each run the balances must add up: what the accounts, tellers and
 * branches gained equals the sum of the deltas in pgbench_history, which has one row per
 * transaction pgbench reports as processed.
 *
 * On the embedded SQLite storage always, and on the PostgreSQL storage when it is reachable.
 * Without a pgbench binary the suite skips loudly, and fails under CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { freshPostgresDatabase, probePostgres, reportUnavailable, storagesRequired, type FreshDatabase } from '../support/storages.js';
import { DATABASE, query, startPolygres, targetOf, USER, type Target } from './support.js';
import { runProcess, type ProcessResult } from '../wire/support.js';

/** A skip reason when pgbench cannot run here; under CI its absence is a failure. */
function skipUnlessPgbench(): string | false {
  const probe = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return false;
  const message = `pgbench is not installed (${probe.error?.message ?? probe.stderr}): the pgbench suites DID NOT RUN`;
  if (storagesRequired) throw new Error(`${message}; CI requires it`);
  process.stderr.write(`\n${'!'.repeat(78)}\n!!! SKIPPED: ${message}\n${'!'.repeat(78)}\n\n`);
  return message;
}

const skip = skipUnlessPgbench();
const postgresDown = skip ? null : await probePostgres();
const skipPostgres = skip || (postgresDown === null ? false : reportUnavailable('PostgreSQL', postgresDown));

function pgbench(target: Target, args: readonly string[], timeoutMs = 400_000): Promise<ProcessResult> {
  return runProcess('pgbench', ['-h', target.host, '-p', String(target.port), '-U', USER, ...args, DATABASE], {
    env: { PGCONNECT_TIMEOUT: '10', PGSSLMODE: 'disable' },
    timeoutMs,
  });
}

/** Runs pgbench and fails with its output unless it exits 0. */
async function pgbenchOk(target: Target, args: readonly string[]): Promise<ProcessResult> {
  const result = await pgbench(target, args);
  assert.equal(result.code, 0, `pgbench ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /error|abort/i, result.stderr);
  return result;
}

/** The figures of pgbench's report. */
function report(stdout: string): { processed: number; failed: number } {
  const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  assert.ok(processed && failed, `no report in\n${stdout}`);
  return { processed: Number(processed[1]), failed: Number(failed[1]) };
}

interface Balances {
  readonly accounts: number;
  readonly tellers: number;
  readonly branches: number;
  readonly deltas: number;
  readonly history: number;
}

async function balances(target: Target): Promise<Balances> {
  const { rows } = await query(
    target,
    `SELECT (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts)::int8 AS accounts,
            (SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers)::int8 AS tellers,
            (SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches)::int8 AS branches,
            (SELECT coalesce(sum(delta), 0) FROM pgbench_history)::int8 AS deltas,
            (SELECT count(*) FROM pgbench_history) AS history`,
  );
  const r = rows[0] as Record<keyof Balances, string>;
  return { accounts: Number(r.accounts), tellers: Number(r.tellers), branches: Number(r.branches), deltas: Number(r.deltas), history: Number(r.history) };
}

async function constraints(target: Target, type: 'p' | 'f'): Promise<string[]> {
  const { rows } = await query(target, `SELECT conname FROM pg_constraint WHERE contype = $1 AND conrelid::regclass::text LIKE 'pgbench%' ORDER BY conname`, [type]);
  return rows.map((r: { conname: string }) => r.conname);
}

async function counts(target: Target): Promise<number[]> {
  const { rows } = await query(
    target,
    `SELECT (SELECT count(*) FROM pgbench_branches) AS b, (SELECT count(*) FROM pgbench_tellers) AS t,
            (SELECT count(*) FROM pgbench_accounts) AS a, (SELECT count(DISTINCT aid) FROM pgbench_accounts) AS ua,
            (SELECT count(*) FROM pgbench_history) AS h`,
  );
  const r = rows[0] as Record<string, string>;
  return [r.b, r.t, r.a, r.ua, r.h].map(Number);
}

const CLIENTS = 4;
const PER_CLIENT = 8;
/** Enough tries that contention on the single branch row never fails a transaction for good. */
const RUN = ['-c', String(CLIENTS), '-j', '2', '-t', String(PER_CLIENT), '--max-tries=1000'];

/**
 * One run with the TPC-B-like script (or one that keeps its bookkeeping) whose balances must add up.
 * pgbench empties pgbench_history before a run (unless -n), so the history holds this run only.
 */
async function tpcbRun(target: Target, args: readonly string[]): Promise<void> {
  const before = await balances(target);
  const result = await pgbenchOk(target, [...RUN, ...args]);
  const { processed, failed } = report(result.stdout);
  assert.equal(processed, CLIENTS * PER_CLIENT, result.stdout);
  assert.equal(failed, 0, result.stdout);
  const now = await balances(target);
  assert.equal(now.history, processed, 'one history row per transaction');
  assert.equal(now.accounts - before.accounts, now.deltas, 'accounts gained the deltas');
  assert.equal(now.tellers - before.tellers, now.deltas, 'tellers gained the deltas');
  assert.equal(now.branches - before.branches, now.deltas, 'branches gained the deltas');
}

const PIPELINE_SCRIPT = String.raw`\set aid random(1, 100000 * :scale)
\set bid random(1, 1 * :scale)
\set tid random(1, 10 * :scale)
\set delta random(-5000, 5000)
\startpipeline
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
\endpipeline
SELECT abalance AS balance FROM pgbench_accounts WHERE aid = :aid \gset
\if :balance > 10000000
SELECT 1 / 0;
\endif
`;

/** pgbench -i -I dtGvpf (--foreign-keys with server-side generation). */
async function initServerSide(target: Target): Promise<void> {
  const init = await pgbenchOk(target, ['-i', '-s', '1', '-I', 'dtGvpf']);
  assert.match(init.stderr, /server-side generate [\d.]+ s, vacuum [\d.]+ s, primary keys [\d.]+ s, foreign keys [\d.]+ s\)/);
  assert.deepEqual(await counts(target), [1, 10, 100000, 100000, 0]);
  assert.deepEqual(await constraints(target, 'p'), ['pgbench_accounts_pkey', 'pgbench_branches_pkey', 'pgbench_tellers_pkey']);
  assert.deepEqual(await constraints(target, 'f'), [
    'pgbench_accounts_bid_fkey',
    'pgbench_history_aid_fkey',
    'pgbench_history_bid_fkey',
    'pgbench_history_tid_fkey',
    'pgbench_tellers_bid_fkey',
  ]);
  assert.deepEqual(await balances(target), { accounts: 0, tellers: 0, branches: 0, deltas: 0, history: 0 });
}

/**
 * The whole sequence on one storage. With serverSide the tables are made once, server-side with
 * foreign keys (initialization is slow on a remote storage); otherwise client-side first, then
 * server-side with foreign keys and another run.
 */
function suite(name: string, serverSide: boolean, storage: () => Promise<{ properties?: string; cleanup?: () => Promise<void> }>, suiteSkip: string | false): void {
  describe(`pgbench on ${name}`, { skip: suiteSkip }, () => {
    let server: RunningServer;
    let target: Target;
    let cleanup: (() => Promise<void>) | undefined;

    before(async () => {
      const s = await storage();
      cleanup = s.cleanup;
      server = await startPolygres(s.properties === undefined ? {} : { properties: s.properties });
      target = targetOf(server);
    });
    after(async () => {
      await server?.stop();
      await cleanup?.();
    });

    if (serverSide) {
      test('pgbench -i -I dtGvpf: server-side generate_series, VACUUM, primary keys, foreign keys', async () => {
        await initServerSide(target);
      });
    } else {
      test('pgbench -i -s 1: tables, client-side COPY, VACUUM, primary keys', async () => {
        const result = await pgbenchOk(target, ['-i', '-s', '1']);
        assert.match(result.stderr, /client-side generate [\d.]+ s, vacuum [\d.]+ s, primary keys [\d.]+ s\)/);
        assert.deepEqual(await counts(target), [1, 10, 100000, 100000, 0]);
        assert.deepEqual(await constraints(target, 'p'), ['pgbench_accounts_pkey', 'pgbench_branches_pkey', 'pgbench_tellers_pkey']);
        assert.deepEqual(await constraints(target, 'f'), []);
        assert.deepEqual(await balances(target), { accounts: 0, tellers: 0, branches: 0, deltas: 0, history: 0 });
      });
    }

    for (const mode of ['simple', 'extended', 'prepared']) {
      test(`TPC-B-like run, -M ${mode}: every transaction processed, the balances add up`, async () => {
        await tpcbRun(target, ['-M', mode]);
      });
    }

    test('one try (--failures-detailed): a serialization failure (40001) fails its transaction only, and all of it', async () => {
      const before = await balances(target);
      const result = await pgbench(target, ['-c', String(CLIENTS), '-j', '2', '-t', String(PER_CLIENT), '-M', 'extended', '--failures-detailed']);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const { processed, failed } = report(result.stdout);
      assert.equal(processed + failed, CLIENTS * PER_CLIENT, result.stdout);
      assert.ok(processed > 0, result.stdout);
      const serialization = /number of serialization failures: (\d+)/.exec(result.stdout);
      assert.equal(Number(serialization?.[1]), failed, 'every failure is a serialization failure');
      assert.match(result.stdout, /number of deadlock failures: 0 /);
      const now = await balances(target);
      assert.equal(now.history, processed, 'a failed transaction leaves no history row');
      assert.equal(now.accounts - before.accounts, now.deltas);
      assert.equal(now.tellers - before.tellers, now.deltas);
      assert.equal(now.branches - before.branches, now.deltas);
    });

    test('-b select-only changes nothing; -b simple-update moves only account balances', async () => {
      const start = await balances(target);
      const selects = await pgbenchOk(target, [...RUN, '-b', 'select-only', '-M', 'prepared']);
      assert.deepEqual(report(selects.stdout), { processed: CLIENTS * PER_CLIENT, failed: 0 });
      assert.deepEqual(await balances(target), { ...start, deltas: 0, history: 0 });

      const updates = await pgbenchOk(target, [...RUN, '-b', 'simple-update']);
      const { processed, failed } = report(updates.stdout);
      assert.deepEqual({ processed, failed }, { processed: CLIENTS * PER_CLIENT, failed: 0 });
      const now = await balances(target);
      assert.equal(now.history, processed);
      assert.equal(now.accounts - start.accounts, now.deltas);
      assert.deepEqual([now.tellers, now.branches], [start.tellers, start.branches]);
    });

    test('a custom script in pipeline mode with \\gset and \\if (-M extended and prepared)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'polygres-e2e-pgbench-'));
      const script = join(dir, 'pipeline.sql');
      writeFileSync(script, PIPELINE_SCRIPT);
      await tpcbRun(target, ['-M', 'extended', '-f', script]);
      await tpcbRun(target, ['-M', 'prepared', '-f', script]);
    });

    if (!serverSide) {
      test('-I dtGvpf: server-side generate_series, foreign keys; then a run', async () => {
        await initServerSide(target);
        await tpcbRun(target, ['-M', 'prepared']);
      });
    }

    test('-I dtp with the foreign keys in place: one DROP TABLE of tables that reference each other', async () => {
      assert.equal((await constraints(target, 'f')).length, 5);
      const again = await pgbenchOk(target, ['-i', '--unlogged-tables', '-F', '90', '-I', 'dtp']);
      assert.match(again.stderr, /dropping old tables\.\.\.\ncreating tables\.\.\.\ncreating primary keys\.\.\.\ndone/);
      assert.deepEqual(await counts(target), [0, 0, 0, 0, 0]);
      assert.deepEqual(await constraints(target, 'p'), ['pgbench_accounts_pkey', 'pgbench_branches_pkey', 'pgbench_tellers_pkey']);
      assert.deepEqual(await constraints(target, 'f'), []);
    });
  });
}


suite('the embedded SQLite storage', false, async () => ({}), skip);

suite(
  'the PostgreSQL storage',
  true,
  async () => {
    const db: FreshDatabase = await freshPostgresDatabase('polygres_e2e_pgbench', { collate: 'C' });
    return { properties: `scalar.db.storage=jdbc\nscalar.db.contact_points=jdbc:${db.url.replace(/^postgres:/, 'postgresql:')}\n`, cleanup: () => db.drop() };
  },
  skipPostgres,
);
