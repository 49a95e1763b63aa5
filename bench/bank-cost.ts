/**
 * The transfer of bench/bank.ts with what it costs: besides TPS and latency, the CPU time the polygres
 * server and the PostgreSQL backends spend per committed transfer (from /proc), the figure that decides
 * throughput when clients, server and database share two cores, and one that other load on the
 * machine disturbs much less than TPS.
 *
 *   node --import tsx bench/bank-cost.ts [--target polygres-postgres|polygres-sqlite|postgres-direct]
 *                                        [--clients 16] [--seconds 10] [--warmup 2] [--runs 1] [--set KEY=VALUE ...]
 *
 * `--set` passes a property to the server (e.g. --set scalar.db.jdbc.connection_pool.max_total=16);
 * `--profile MODULE` loads MODULE into the server with --import (e.g. one that records a CPU profile).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freshPostgresDatabase, type FreshDatabase } from '../tests/support/storages.js';
import { cpuMs, postgresBackendPids } from './process-cpu.js';
import { startServer, type RunningServer } from '../tests/support/server.js';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'polygres-postgres' },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    accounts: { type: 'string', default: '100' },
    runs: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    profile: { type: 'string' },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const ACCOUNTS = Number(args.accounts);

interface Setup {
  connection: pg.ClientConfig;
  begin: string;
  serverPid?: number;
  database?: string;
  stop(): Promise<void>;
}

async function setUp(target: string): Promise<Setup> {
  if (target === 'postgres-direct') {
    const db = await freshPostgresDatabase('polygres_bench_direct');
    return { connection: { connectionString: db.url }, begin: 'BEGIN ISOLATION LEVEL SERIALIZABLE', database: db.name, stop: () => db.drop() };
  }
  let db: FreshDatabase | undefined;
  let properties = '';
  if (target === 'polygres-postgres') {
    db = await freshPostgresDatabase('polygres_bench_storage', { collate: 'C' });
    properties += `scalar.db.storage=jdbc\nscalar.db.contact_points=jdbc:${db.url.replace(/^postgres:/, 'postgresql:')}\n`;
  } else if (target !== 'polygres-sqlite') {
    throw new Error(`unknown target ${target}`);
  }
  for (const kv of args.set ?? []) properties += `${kv}\n`;
  const dataDir = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  const env: Record<string, string> = { POLYGRES_LOG_LEVEL: 'info' };
  if (args.profile) env.NODE_OPTIONS = `--import ${args.profile}`;
  const server: RunningServer = await startServer({ dataDir, properties, env });
  return {
    connection: server.connection(),
    begin: 'BEGIN',
    serverPid: server.process.pid,
    database: db?.name,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await db?.drop();
    },
  };
}

async function runOnce(target: string): Promise<string> {
  const s = await setUp(target);
  try {
    const setup = new pg.Client(s.connection);
    await setup.connect();
    await setup.query('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)');
    await setup.query(`INSERT INTO accounts VALUES ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, 1000)`).join(',')}`);
    let measuring = false;
    let stopping = false;
    const latencies: number[] = [];
    let aborted = 0;
    const worker = async () => {
      const c = new pg.Client(s.connection);
      await c.connect();
      try {
        while (!stopping) {
          const from = Math.floor(Math.random() * ACCOUNTS);
          let to = Math.floor(Math.random() * (ACCOUNTS - 1));
          if (to >= from) to++;
          const amount = 1n + BigInt(Math.floor(Math.random() * 10));
          const began = performance.now();
          for (;;) {
            try {
              await c.query(s.begin);
              const a = await c.query('SELECT balance FROM accounts WHERE id = $1', [from]);
              const b = await c.query('SELECT balance FROM accounts WHERE id = $1', [to]);
              await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [from, BigInt(a.rows[0].balance) - amount]);
              await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [to, BigInt(b.rows[0].balance) + amount]);
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
    const workers = Array.from({ length: CLIENTS }, worker);
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    const pids = s.database ? await postgresBackendPids(s.database) : [];
    const serverBefore = s.serverPid ? cpuMs(s.serverPid) : 0;
    const pgBefore = pids.map(cpuMs);
    measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    const elapsedS = (performance.now() - started) / 1000;
    const serverCpu = s.serverPid ? cpuMs(s.serverPid) - serverBefore : 0;
    const pgCpu = pids.map(cpuMs).reduce((sum, v, i) => sum + v - pgBefore[i]!, 0);
    stopping = true;
    await Promise.all(workers);
    const total = await setup.query('SELECT sum(balance) AS s FROM accounts');
    await setup.end();
    if (BigInt(total.rows[0].s) !== BigInt(ACCOUNTS * 1000)) throw new Error(`the total changed to ${total.rows[0].s}`);
    latencies.sort((x, y) => x - y);
    const n = latencies.length;
    const pct = (p: number) => latencies[Math.min(n - 1, Math.floor((p / 100) * n))]!.toFixed(1);
    const perTx = (ms: number) => (n === 0 ? '-' : (ms / n).toFixed(2));
    return `| ${target} | ${CLIENTS} | ${Math.round(n / elapsedS)} | ${pct(50)} | ${pct(99)} | ${((aborted / Math.max(1, n + aborted)) * 100).toFixed(1)}% | ${perTx(serverCpu)} | ${perTx(pgCpu)} |`;
  } finally {
    await s.stop();
  }
}

console.log('| target | clients | TPS | P50 ms | P99 ms | aborted | server CPU ms/tx | PostgreSQL CPU ms/tx |');
console.log('|---|---|---|---|---|---|---|---|');
for (let i = 0; i < Number(args.runs); i++) console.log(await runOnce(args.target!));
