/**
 * One-phase vs two-phase commit on single-record updates (read, write, commit), on SQLite and on
 * PostgreSQL: N sequential transactions, then N transactions from C concurrent workers. Prints
 * throughput, latency percentiles and conflicts (retried) per mode.
 *
 *   node --import tsx bench/txn-one-phase.ts [--n 1000] [--concurrency 16] [--records 1000] [--storage sqlite|postgres|both]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleStorageRouter } from '../src/storage/multi.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import type { Storage, TableRef } from '../src/storage/types.js';
import { ConsensusCommitManager } from '../src/txn/manager.js';
import { freshPostgresDatabase, probePostgres } from '../tests/support/storages.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    records: { type: 'string', default: '1000' },
    storage: { type: 'string', default: 'both' },
  },
});
const N = Number(args.n);
const CONCURRENCY = Number(args.concurrency);
const RECORDS = Number(args.records);
const TABLE: TableRef = { namespace: 'bench', table: 'accounts' };

interface Result {
  readonly tps: number;
  readonly p50: number;
  readonly p99: number;
  readonly conflicts: number;
}

async function updateOnce(manager: ConsensusCommitManager): Promise<number> {
  let conflicts = 0;
  for (;;) {
    const id = Math.floor(Math.random() * RECORDS);
    const tx = manager.begin();
    try {
      const row = await tx.get({ ...TABLE, partitionKey: [id] });
      await tx.put({ ...TABLE, partitionKey: [id], values: { balance: (row?.balance as bigint) + 1n } });
      await tx.commit();
      return conflicts;
    } catch (e) {
      await tx.abort();
      if ((e as { code?: string }).code !== '40001') throw e;
      conflicts++;
    }
  }
}

async function measure(manager: ConsensusCommitManager, workers: number): Promise<Result> {
  const latencies: number[] = [];
  let conflicts = 0;
  let remaining = N;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (remaining > 0) {
        remaining--;
        const t0 = performance.now();
        conflicts += await updateOnce(manager);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { tps: N / seconds, p50: pct(0.5), p99: pct(0.99), conflicts };
}

async function benchStorage(name: string, storage: Storage): Promise<void> {
  const router = new SingleStorageRouter(storage);
  const setup = new ConsensusCommitManager(router);
  await setup.admin.createCoordinatorTables({ ifNotExists: true });
  await setup.admin.createNamespace(TABLE.namespace, { ifNotExists: true });
  await setup.admin.createTable({
    ...TABLE,
    columns: [
      { name: 'id', type: 'INT' },
      { name: 'balance', type: 'BIGINT' },
    ],
    partitionKey: ['id'],
    clusteringKey: [],
    secondaryIndexes: [],
  });
  const load = setup.begin();
  for (let id = 0; id < RECORDS; id++) await load.insert({ ...TABLE, partitionKey: [id], values: { balance: 0n } });
  await load.commit();

  console.log(`\n${name}: ${N} single-record updates (get + put), ${RECORDS} records, SERIALIZABLE`);
  console.log('mode        workers      TPS   p50 ms   p99 ms  conflicts');
  for (const workers of [1, CONCURRENCY]) {
    for (const onePhaseCommit of [true, false]) {
      const manager = new ConsensusCommitManager(router, { onePhaseCommit });
      await measure(manager, workers); // warm-up with the same shape
      const r = await measure(manager, workers);
      console.log(
        `${(onePhaseCommit ? 'one-phase' : 'two-phase').padEnd(10)} ${String(workers).padStart(8)} ${r.tps.toFixed(0).padStart(8)} ${r.p50
          .toFixed(2)
          .padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.conflicts).padStart(10)}`,
      );
      await manager.close();
    }
  }
  await setup.close();
  await router.close();
}

if (args.storage === 'sqlite' || args.storage === 'both') {
  const dir = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  try {
    await benchStorage('SQLite', new SqliteStorage({ path: join(dir, 'bench.sqlite') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (args.storage === 'postgres' || args.storage === 'both') {
  const why = await probePostgres();
  if (why) {
    console.log(`\nPostgreSQL skipped: ${why}`);
  } else {
    const database = await freshPostgresDatabase('polygres_bench', { collate: 'C' });
    try {
      await benchStorage('PostgreSQL', new PostgresStorage({ connectionString: database.url, poolSize: CONCURRENCY }));
    } finally {
      await database.drop();
    }
  }
}
