/**
 * The bank transfer of bench/bank.ts at the transaction API, in process (no wire, no SQL): what the
 * Consensus Commit layer and a storage adapter cost per transfer. Each transfer reads two accounts
 * and writes both (SERIALIZABLE; a conflict retries the same transfer at once). Prints TPS, latency,
 * this process's CPU per committed transfer, the PostgreSQL backends' CPU per transfer (from /proc)
 * and storage calls per transfer (gets, scans, mutates: one round trip each on PostgreSQL).
 *
 * `--storage postgres+cassandra` splits the accounts: every transfer moves money from an account on
 * PostgreSQL to one on Cassandra or back (coordinator on PostgreSQL), so it commits in two phases;
 * storage calls are then given per storage.
 *
 *   node --import tsx bench/txn-bank.ts [--storage postgres|sqlite|postgres+cassandra] [--clients 16] [--seconds 10] [--warmup 2]
 *                                       [--runs 1] [--pool 10] [--point-reads N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleStorageRouter } from '../src/storage/multi.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { CassandraStorage } from '../src/storage/cassandra.js';
import { MultiStorage } from '../src/storage/multi.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import type { Get, Mutation, Scan, Storage, StorageRouter, TableRef } from '../src/storage/types.js';
import { ConsensusCommitManager } from '../src/txn/manager.js';
import { cassandraTestNode, freshPostgresDatabase } from '../tests/support/storages.js';
import { cpuMs, postgresBackendPids } from './process-cpu.js';
import { randomBytes } from 'node:crypto';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'postgres' },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    accounts: { type: 'string', default: '100' },
    runs: { type: 'string', default: '1' },
    pool: { type: 'string', default: '10' },
    'point-reads': { type: 'string' },
  },
});
const CLIENTS = Number(args.clients);
const ACCOUNTS = Number(args.accounts);
const TABLE: TableRef = { namespace: 'bank', table: 'accounts' };
/** The second half of the accounts with --storage postgres+cassandra. */
const TABLE_C: TableRef = { namespace: 'bank_c', table: 'accounts' };
const CROSS = args.storage === 'postgres+cassandra';

/** Counts the calls that reach the storage. */
class CountingStorage implements Storage {
  calls = 0;
  constructor(private readonly inner: Storage) {}
  get name() { return this.inner.name; }
  get atomicityUnit() { return this.inner.atomicityUnit; }
  get capabilities() { return this.inner.capabilities; }
  get admin() { return this.inner.admin; }
  get(op: Get) { this.calls++; return this.inner.get(op); }
  scan(op: Scan) { this.calls++; return this.inner.scan(op); }
  mutate(m: readonly Mutation[]) { this.calls++; return this.inner.mutate(m); }
  close() { return this.inner.close(); }
}


async function runOnce(): Promise<string> {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let database: string | undefined;
  let cassandraCounting: CountingStorage | undefined;
  let beforeClose = async () => {};
  if (args.storage === 'postgres' || CROSS) {
    const db = await freshPostgresDatabase('polygres_bench_txn', { collate: 'C' });
    database = db.name;
    const pointReads = args['point-reads'];
    storage = new PostgresStorage({ connectionString: db.url, poolSize: Number(args.pool), ...(pointReads === undefined ? {} : { pointReadConnections: Number(pointReads) }) });
    cleanup = () => db.drop();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
    storage = new SqliteStorage({ path: join(dir, 'bench.sqlite') });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const counting = new CountingStorage(storage);
  let router: StorageRouter = new SingleStorageRouter(counting);
  if (CROSS) {
    const cassandra = new CassandraStorage({
      name: 'cassandra',
      contactPoints: [cassandraTestNode.host],
      port: cassandraTestNode.port,
      keyspacePrefix: `bench_${randomBytes(3).toString('hex')}_`,
    });
    cassandraCounting = new CountingStorage(cassandra);
    router = new MultiStorage({
      storages: new Map<string, Storage>([['postgres', counting], ['cassandra', cassandraCounting]]),
      namespaceMapping: new Map([[TABLE_C.namespace, 'cassandra']]),
      defaultStorage: 'postgres',
    });
    beforeClose = async () => {
      await cassandra.admin.dropTable(TABLE_C, { ifExists: true });
      await cassandra.admin.dropNamespace(TABLE_C.namespace, { ifExists: true });
    };
  }
  const manager = new ConsensusCommitManager(router);
  try {
    await manager.admin.createCoordinatorTables({ ifNotExists: true });
    for (const table of CROSS ? [TABLE, TABLE_C] : [TABLE]) {
      await manager.admin.createNamespace(table.namespace, { ifNotExists: true });
      await manager.admin.createTable({
        ...table,
        columns: [{ name: 'id', type: 'INT' }, { name: 'balance', type: 'BIGINT' }],
        partitionKey: ['id'],
        clusteringKey: [],
        secondaryIndexes: [],
      });
    }
    const tableOf = (id: number) => (CROSS && id % 2 === 1 ? TABLE_C : TABLE);
    for (let id = 0; id < ACCOUNTS; id++) {
      const load = manager.begin();
      await load.insert({ ...tableOf(id), partitionKey: [id], values: { balance: 1000n } });
      await load.commit();
    }

    let measuring = false;
    let stopping = false;
    const latencies: number[] = [];
    let aborted = 0;
    const worker = async () => {
      while (!stopping) {
        const from = Math.floor(Math.random() * ACCOUNTS);
        let to = Math.floor(Math.random() * (ACCOUNTS - 1));
        if (to >= from) to++;
        // Across storages, one account of each: from and to of different parity.
        if (CROSS && (from + to) % 2 === 0) to = (to + 1) % ACCOUNTS === from ? (to + ACCOUNTS - 1) % ACCOUNTS : (to + 1) % ACCOUNTS;
        const amount = 1n + BigInt(Math.floor(Math.random() * 10));
        const began = performance.now();
        for (;;) {
          const tx = manager.begin();
          try {
            const a = await tx.get({ ...tableOf(from), partitionKey: [from] });
            const b = await tx.get({ ...tableOf(to), partitionKey: [to] });
            await tx.put({ ...tableOf(from), partitionKey: [from], values: { balance: (a!.balance as bigint) - amount } });
            await tx.put({ ...tableOf(to), partitionKey: [to], values: { balance: (b!.balance as bigint) + amount } });
            await tx.commit();
            break;
          } catch (e) {
            await tx.abort();
            if ((e as { code?: string }).code !== '40001') throw e;
            if (measuring) aborted++;
            if (stopping) return;
          }
        }
        if (measuring) latencies.push(performance.now() - began);
      }
    };
    const workers = Array.from({ length: CLIENTS }, worker);
    await new Promise((r) => setTimeout(r, Number(args.warmup) * 1000));
    const pids = database ? await postgresBackendPids(database) : [];
    const pgBefore = pids.map(cpuMs);
    const cpuBefore = process.cpuUsage();
    const callsBefore = counting.calls;
    const cassandraCallsBefore = cassandraCounting?.calls ?? 0;
    measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
    measuring = false;
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const calls = counting.calls - callsBefore;
    const cassandraCalls = (cassandraCounting?.calls ?? 0) - cassandraCallsBefore;
    const pgCpu = pids.map(cpuMs).reduce((sum, v, i) => sum + v - pgBefore[i]!, 0);
    stopping = true;
    await Promise.all(workers);
    const n = latencies.length;
    latencies.sort((x, y) => x - y);
    const pct = (p: number) => latencies[Math.min(n - 1, Math.floor((p / 100) * n))]!.toFixed(1);
    return `| ${args.storage} | ${CLIENTS} | ${Math.round(n / elapsedS)} | ${pct(50)} | ${pct(99)} | ${((aborted / Math.max(1, n + aborted)) * 100).toFixed(1)}% | ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} | ${database ? (pgCpu / n).toFixed(2) : '-'} | ${(calls / n).toFixed(2)}${cassandraCounting ? ` + ${(cassandraCalls / n).toFixed(2)} on Cassandra` : ''} |`;
  } finally {
    await manager.close();
    await beforeClose().catch(() => {});
    await router.close();
    await cleanup();
  }
}

console.log('| storage | clients | TPS | P50 ms | P99 ms | aborted | process CPU ms/tx | PostgreSQL CPU ms/tx | storage calls/tx |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (let i = 0; i < Number(args.runs); i++) console.log(await runOnce());
