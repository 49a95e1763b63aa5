/**
 * Coordinator group commit on a cross-storage bank, at the transaction API: accounts split over a
 * SQLite file and a PostgreSQL database, the coordinator table on PostgreSQL (the seed maps
 * `coordinator:postgres`). Every transfer reads and writes one account in each storage, so it
 * commits in two phases with a coordinator write. A conflict retries the same transfer at once
 * (as in the ScalarDB measurement of reference §11). Group commit off vs on with the seed's settings
 * (slot_capacity 20, group_size_fix_timeout 40 ms, delayed_slot_move_timeout 800 ms,
 * old_group_abort_timeout 60 s), at 16 and 64 clients. Prints a Markdown table.
 *
 *   node --import tsx bench/txn-group-commit.ts [--seconds 10] [--warmup 2] [--clients 16,64] [--rounds 1] [--accounts 100] [--pool 20]
 *
 * With --rounds N the off/on runs alternate N times and the table shows medians (TPS also its
 * range): on a shared machine single runs vary a lot.
 *
 * Coordinator writes are counted by a wrapper around the PostgreSQL storage (mutations of the
 * coordinator table, COMMITTED and ABORTED alike).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MultiStorage } from '../src/storage/multi.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import type { Get, Mutation, Scan, Storage, TableMetadata, TableRef } from '../src/storage/types.js';
import { ConsensusCommitManager } from '../src/txn/manager.js';
import type { TransactionManagerConfig } from '../src/txn/config.js';
import { freshPostgresDatabase, probePostgres } from '../tests/support/storages.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string', default: '16,64' },
    rounds: { type: 'string', default: '1' },
    accounts: { type: 'string', default: '100' },
    pool: { type: 'string', default: '20' },
  },
});
const RUN_MS = Number(args.seconds) * 1000;
const WARMUP_MS = Number(args.warmup) * 1000;
const CLIENTS = args.clients.split(',').map(Number);
const ROUNDS = Number(args.rounds);
const ACCOUNTS = Number(args.accounts);
const INITIAL_BALANCE = 1_000_000n;

const SQLITE_ACCOUNTS: TableRef = { namespace: 'bank_sqlite', table: 'accounts' };
const POSTGRES_ACCOUNTS: TableRef = { namespace: 'bank_postgres', table: 'accounts' };
const COORDINATOR_NAMESPACE = 'coordinator';

/** The seed's group commit settings (000_07c09c1e0f13e167.txt). */
const SEED_GROUP_COMMIT: Partial<TransactionManagerConfig> = {
  groupCommit: true,
  groupCommitSlotCapacity: 20,
  groupCommitSizeFixTimeoutMs: 40,
  groupCommitDelayedSlotMoveTimeoutMs: 800,
  groupCommitOldGroupAbortTimeoutMs: 60_000,
};

/** A storage that counts the coordinator writes reaching it. */
class CoordinatorWriteCounter implements Storage {
  committedWrites = 0;
  abortedWrites = 0;
  readonly name: string;
  readonly atomicityUnit: Storage['atomicityUnit'];
  readonly admin: Storage['admin'];

  constructor(private readonly inner: Storage) {
    this.name = inner.name;
    this.atomicityUnit = inner.atomicityUnit;
    this.admin = inner.admin;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  get(op: Get) {
    return this.inner.get(op);
  }

  scan(op: Scan) {
    return this.inner.scan(op);
  }

  mutate(mutations: readonly Mutation[]) {
    for (const m of mutations) {
      if (m.namespace !== COORDINATOR_NAMESPACE || m.type !== 'put') continue;
      if (m.values.tx_state === 3) this.committedWrites++;
      else this.abortedWrites++;
    }
    return this.inner.mutate(mutations);
  }

  close() {
    return this.inner.close();
  }
}

interface CaseResult {
  readonly clients: number;
  readonly groupCommit: boolean;
  readonly tps: number;
  readonly p50: number;
  readonly p99: number;
  readonly abortRate: number;
  /** COMMITTED and ABORTED coordinator writes per committed transfer. */
  readonly committedWritesPerCommit: number;
  readonly abortedWritesPerCommit: number;
  readonly meanGroupSize: number;
}

async function runCase(router: MultiStorage, counter: CoordinatorWriteCounter, clients: number, groupCommit: boolean): Promise<CaseResult> {
  let groupSizes = 0;
  let groups = 0;
  const manager = new ConsensusCommitManager(router, {
    ...(groupCommit ? SEED_GROUP_COMMIT : {}),
    onGroupCommit: (size) => {
      groupSizes += size;
      groups++;
    },
  });
  let measuring = false;
  let committed = 0;
  let attempts = 0;
  const latencies: number[] = [];
  const transfer = async (): Promise<void> => {
    const from = Math.floor(Math.random() * ACCOUNTS);
    const to = Math.floor(Math.random() * ACCOUNTS);
    const amount = BigInt(1 + Math.floor(Math.random() * 100));
    const t0 = performance.now();
    for (;;) {
      if (measuring) attempts++;
      const tx = manager.begin();
      try {
        const a = await tx.get({ ...SQLITE_ACCOUNTS, partitionKey: [from] });
        const b = await tx.get({ ...POSTGRES_ACCOUNTS, partitionKey: [to] });
        await tx.put({ ...SQLITE_ACCOUNTS, partitionKey: [from], values: { balance: (a!.balance as bigint) - amount } });
        await tx.put({ ...POSTGRES_ACCOUNTS, partitionKey: [to], values: { balance: (b!.balance as bigint) + amount } });
        await tx.commit();
        break;
      } catch (e) {
        await tx.abort();
        if ((e as { code?: string }).code !== '40001') throw e;
      }
    }
    if (measuring) {
      committed++;
      latencies.push(performance.now() - t0);
    }
  };

  const warmupEnd = Date.now() + WARMUP_MS;
  const end = warmupEnd + RUN_MS;
  let writesAtStart = { committed: 0, aborted: 0 };
  let groupsAtStart = { sizes: 0, count: 0 };
  setTimeout(() => {
    measuring = true;
    writesAtStart = { committed: counter.committedWrites, aborted: counter.abortedWrites };
    groupsAtStart = { sizes: groupSizes, count: groups };
  }, WARMUP_MS);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) await transfer();
    }),
  );
  measuring = false;
  const committedWrites = counter.committedWrites - writesAtStart.committed;
  const abortedWrites = counter.abortedWrites - writesAtStart.aborted;
  await manager.close();

  latencies.sort((x, y) => x - y);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  const emitted = groups - groupsAtStart.count;
  return {
    clients,
    groupCommit,
    tps: committed / (RUN_MS / 1000),
    p50: pct(0.5),
    p99: pct(0.99),
    abortRate: attempts === 0 ? 0 : (attempts - committed) / attempts,
    committedWritesPerCommit: committed === 0 ? 0 : committedWrites / committed,
    abortedWritesPerCommit: committed === 0 ? 0 : abortedWrites / committed,
    meanGroupSize: emitted === 0 ? 0 : (groupSizes - groupsAtStart.sizes) / emitted,
  };
}

async function totalBalance(manager: ConsensusCommitManager): Promise<bigint> {
  const tx = manager.begin({ readOnly: true });
  const rows = [...(await tx.scan({ ...SQLITE_ACCOUNTS, kind: 'all' })), ...(await tx.scan({ ...POSTGRES_ACCOUNTS, kind: 'all' }))];
  await tx.commit();
  return rows.reduce((s, r) => s + (r.balance as bigint), 0n);
}

const why = await probePostgres();
if (why) {
  console.log(`PostgreSQL is not reachable (${why}); this benchmark needs it.`);
  process.exit(1);
}
const database = await freshPostgresDatabase('polygres_bench_gc', { collate: 'C' });
const dir = mkdtempSync(join(tmpdir(), 'polygres-bench-gc-'));
try {
  const postgres = new CoordinatorWriteCounter(new PostgresStorage({ name: 'postgres', connectionString: database.url, poolSize: Number(args.pool) }));
  const sqlite = new SqliteStorage({ name: 'sqlite', path: join(dir, 'bank.sqlite') });
  const router = new MultiStorage({
    storages: new Map<string, Storage>([
      ['postgres', postgres],
      ['sqlite', sqlite],
    ]),
    namespaceMapping: new Map([
      [SQLITE_ACCOUNTS.namespace, 'sqlite'],
      [POSTGRES_ACCOUNTS.namespace, 'postgres'],
      [COORDINATOR_NAMESPACE, 'postgres'],
    ]),
    defaultStorage: 'postgres',
  });
  const setup = new ConsensusCommitManager(router);
  await setup.admin.createCoordinatorTables({ ifNotExists: true });
  const shape: Omit<TableMetadata, 'namespace' | 'table'> = {
    columns: [
      { name: 'id', type: 'INT' },
      { name: 'balance', type: 'BIGINT' },
    ],
    partitionKey: ['id'],
    clusteringKey: [],
    secondaryIndexes: [],
  };
  for (const table of [SQLITE_ACCOUNTS, POSTGRES_ACCOUNTS]) {
    await setup.admin.createNamespace(table.namespace, { ifNotExists: true });
    await setup.admin.createTable({ ...table, ...shape });
    const load = setup.begin();
    for (let id = 0; id < ACCOUNTS; id++) await load.insert({ ...table, partitionKey: [id], values: { balance: INITIAL_BALANCE } });
    await load.commit();
  }
  const expectedTotal = INITIAL_BALANCE * BigInt(2 * ACCOUNTS);

  console.log(
    `Cross-storage bank (SQLite + PostgreSQL, coordinator on PostgreSQL), ${ACCOUNTS} accounts per storage, ` +
      `SERIALIZABLE, ${RUN_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up, conflicts retried at once\n`,
  );
  const results: { clients: number; groupCommit: boolean; runs: CaseResult[] }[] = [];
  for (const clients of CLIENTS) {
    const off = { clients, groupCommit: false, runs: [] as CaseResult[] };
    const on = { clients, groupCommit: true, runs: [] as CaseResult[] };
    results.push(off, on);
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of [off, on]) {
        target.runs.push(await runCase(router, postgres, clients, target.groupCommit));
        const total = await totalBalance(setup);
        if (total !== expectedTotal) throw new Error(`total balance ${total} != ${expectedTotal}`);
        process.stderr.write(`  done: ${clients} clients, group commit ${target.groupCommit ? 'on' : 'off'}, round ${round + 1}\n`);
      }
    }
  }
  const median = (runs: readonly CaseResult[], metric: (r: CaseResult) => number) => {
    const values = runs.map(metric).sort((x, y) => x - y);
    return values[Math.floor((values.length - 1) / 2)];
  };
  console.log('| clients | group commit | TPS | P50 ms | P99 ms | aborted attempts | coordinator writes / commit (COMMITTED + ABORTED) | mean group size |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { clients, groupCommit, runs } of results) {
    const m = (metric: (r: CaseResult) => number) => median(runs, metric);
    const tpsValues = runs.map((r) => r.tps);
    const tps = runs.length > 1 ? `${m((r) => r.tps).toFixed(0)} (${Math.min(...tpsValues).toFixed(0)}–${Math.max(...tpsValues).toFixed(0)})` : m((r) => r.tps).toFixed(0);
    const committed = m((r) => r.committedWritesPerCommit);
    const aborted = m((r) => r.abortedWritesPerCommit);
    console.log(
      `| ${clients} | ${groupCommit ? 'on (seed)' : 'off'} | ${tps} | ${m((r) => r.p50).toFixed(1)} | ${m((r) => r.p99).toFixed(1)} | ` +
        `${(m((r) => r.abortRate) * 100).toFixed(0)}% | ${(committed + aborted).toFixed(2)} (${committed.toFixed(2)} + ${aborted.toFixed(2)}) | ` +
        `${groupCommit ? m((r) => r.meanGroupSize).toFixed(1) : '—'} |`,
    );
  }
  await setup.close();
  await router.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}
