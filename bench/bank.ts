/**
 * The bank benchmark: concurrent clients move money between accounts, each transfer one transaction
 * (two reads and two writes by primary key), retried on 40001 (and 40P01, which PostgreSQL raises when two transfers lock the same pair in opposite orders). The same transfers run against
 * PostgreSQL directly (SERIALIZABLE) and through polygres on its storages, in the same run, so the
 * figures compare like with like on this machine.
 *
 *   npm run bench                         every target, 16 clients, 10 s each
 *   npm run bench -- --clients 64 --seconds 20 --targets polygres-sqlite,postgres-direct
 *
 * Prints a Markdown table (TPS, latency percentiles of committed transfers, abort rate) and writes
 * .bench-results/bank-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freshPostgresDatabase, probePostgres, type FreshDatabase } from '../tests/support/storages.js';
import { startServer, type RunningServer } from '../tests/support/server.js';

interface Options {
  clients: number;
  seconds: number;
  warmupSeconds: number;
  accounts: number;
  targets: string[];
}

function parseOptions(argv: string[]): Options {
  const o: Options = { clients: 16, seconds: 10, warmupSeconds: 2, accounts: 100, targets: ['postgres-direct', 'polygres-sqlite', 'polygres-postgres'] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--clients': o.clients = Number(v); i++; break;
      case '--seconds': o.seconds = Number(v); i++; break;
      case '--warmup': o.warmupSeconds = Number(v); i++; break;
      case '--accounts': o.accounts = Number(v); i++; break;
      case '--targets': o.targets = String(v).split(','); i++; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

interface Target {
  readonly name: string;
  readonly connection: pg.ClientConfig;
  /** BEGIN statement for a transfer (direct PostgreSQL needs SERIALIZABLE said explicitly). */
  readonly begin: string;
  stop(): Promise<void>;
}

async function postgresDirect(): Promise<Target> {
  const db = await freshPostgresDatabase('polygres_bench_direct');
  return { name: 'postgres-direct', connection: { connectionString: db.url }, begin: 'BEGIN ISOLATION LEVEL SERIALIZABLE', stop: () => db.drop() };
}

async function polygresOn(storage: 'sqlite' | 'postgres'): Promise<Target> {
  let db: FreshDatabase | undefined;
  let properties: string | undefined;
  if (storage === 'postgres') {
    db = await freshPostgresDatabase('polygres_bench_storage', { collate: 'C' });
    properties = `scalar.db.storage=jdbc\nscalar.db.contact_points=jdbc:${db.url.replace(/^postgres:/, 'postgresql:')}\n`;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  const server: RunningServer = await startServer({ dataDir, properties, env: { POLYGRES_LOG_LEVEL: 'info' } });
  return {
    name: `polygres-${storage}`,
    connection: server.connection(),
    begin: 'BEGIN',
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await db?.drop();
    },
  };
}

interface Result {
  target: string;
  clients: number;
  seconds: number;
  committed: number;
  aborted: number;
  tps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  abortRate: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runBank(target: Target, o: Options): Promise<Result> {
  const setup = new pg.Client(target.connection);
  await setup.connect();
  await setup.query('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)');
  const values = Array.from({ length: o.accounts }, (_, i) => `(${i}, 1000)`).join(',');
  await setup.query(`INSERT INTO accounts VALUES ${values}`);

  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  let aborted = 0;
  const worker = async () => {
    const c = new pg.Client(target.connection);
    await c.connect();
    try {
      while (!stopping) {
        const from = Math.floor(Math.random() * o.accounts);
        let to = Math.floor(Math.random() * (o.accounts - 1));
        if (to >= from) to++;
        const amount = 1 + Math.floor(Math.random() * 10);
        const began = performance.now();
        for (;;) {
          try {
            await c.query(target.begin);
            const a = await c.query('SELECT balance FROM accounts WHERE id = $1', [from]);
            const b = await c.query('SELECT balance FROM accounts WHERE id = $1', [to]);
            await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [from, BigInt(a.rows[0].balance) - BigInt(amount)]);
            await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [to, BigInt(b.rows[0].balance) + BigInt(amount)]);
            await c.query('COMMIT');
            break;
          } catch (e) {
            await c.query('ROLLBACK').catch(() => {});
            const code = (e as { code?: string }).code;
            if (code !== '40001' && code !== '40P01') throw e;
            if (measuring) aborted++;
            if (stopping) return;
          }
        }
        if (measuring) latencies.push(performance.now() - began);
      }
    } finally {
      await c.end();
    }
  };
  const workers = Array.from({ length: o.clients }, worker);
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stopping = true;
  await Promise.all(workers);

  const total = await setup.query('SELECT sum(balance) AS s FROM accounts');
  await setup.end();
  if (BigInt(total.rows[0].s) !== BigInt(o.accounts * 1000)) {
    throw new Error(`${target.name}: the total changed to ${total.rows[0].s}; the benchmark is invalid`);
  }
  latencies.sort((x, y) => x - y);
  const committed = latencies.length;
  return {
    target: target.name,
    clients: o.clients,
    seconds: Math.round(elapsed * 10) / 10,
    committed,
    aborted,
    tps: Math.round(committed / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    abortRate: round(aborted / Math.max(1, committed + aborted)),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const pgWhy = await probePostgres();
  const results: Result[] = [];
  for (const name of o.targets) {
    if (name !== 'polygres-sqlite' && pgWhy !== null) {
      console.error(`skipping ${name}: PostgreSQL is not reachable (${pgWhy})`);
      continue;
    }
    const target =
      name === 'postgres-direct' ? await postgresDirect()
      : name === 'polygres-sqlite' ? await polygresOn('sqlite')
      : name === 'polygres-postgres' ? await polygresOn('postgres')
      : undefined;
    if (!target) throw new Error(`unknown target ${name}`);
    try {
      process.stderr.write(`running ${name}: ${o.clients} clients, ${o.seconds} s...\n`);
      results.push(await runBank(target, o));
    } finally {
      await target.stop();
    }
  }
  const lines = [
    '| target | clients | TPS | P50 ms | P95 ms | P99 ms | aborted attempts |',
    '|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.target} | ${r.clients} | ${r.tps} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${(r.abortRate * 100).toFixed(1)}% |`),
  ];
  console.log(lines.join('\n'));
  const dir = new URL('../.bench-results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `bank-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ options: o, results }, null, 2));
}

await main();
