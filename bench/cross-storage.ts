/**
 * The cross-storage bank, polygres against ScalarDB 3.16 on the same storages: every transfer moves
 * money from an account on PostgreSQL to one on Cassandra (one read and one write in each, SERIALIZABLE,
 * a conflict retried at once), with 16 and 64 clients, coordinator group commit off and on. polygres
 * runs it through SQL over the wire (pg client: BEGIN, two UPDATEs, COMMIT); ScalarDB through its
 * Java API (interop/scalardb Bench: get, get, update, update, commit), with the same properties file.
 * `--systems ...,polygres-1rt` adds polygres with the four statements sent as one query string, which
 * shows what the client's round trips cost.
 *
 *   node --import tsx bench/cross-storage.ts [--seconds 20] [--warmup 5] [--clients 16,64] [--accounts 100]
 *        [--group-commit off,on] [--systems polygres,scalardb[,polygres-1rt]] [--pool 32] [--profile [--profile-out FILE]] [--pg-statements]
 *        [--bin PATH/bin/polygres.js]   (a build of a snapshot, when the checkout changes under the run)
 *
 * Prints a Markdown table (TPS, P50, P99 of committed transfers, abort rate = failed attempts over all
 * attempts), then for polygres the storage operations and CPU time per committed transfer. `--profile`
 * adds a 16-client run under `node --cpu-prof` and summarizes where the server's CPU time goes;
 * `--pg-statements` counts the SQL statements PostgreSQL receives per transfer (log_statement on the
 * bench database, read from /var/log/postgresql/postgresql-15-main.log). Needs PostgreSQL, Cassandra
 * (`node scripts/cassandra.mjs start`), Java and Maven. Not a test: nothing is asserted.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { probeCassandra, probePostgres } from '../tests/support/storages.js';
import { buildInterop, runInterop } from '../tests/support/java.js';
import { cpuMs } from './process-cpu.js';
import type { RunningServer } from '../tests/support/server.js';
import { CrossStorageDeployment } from '../tests/cross-storage/support.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    clients: { type: 'string', default: '16,64' },
    accounts: { type: 'string', default: '100' },
    'group-commit': { type: 'string', default: 'off,on' },
    systems: { type: 'string', default: 'polygres,scalardb' },
    pool: { type: 'string', default: '32' },
    profile: { type: 'boolean', default: false },
    'profile-out': { type: 'string' },
    'pg-statements': { type: 'boolean', default: false },
    bin: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CLIENTS = args.clients.split(',').map(Number);
const ACCOUNTS = Number(args.accounts);
const GROUP_COMMIT = args['group-commit'].split(',') as ('off' | 'on')[];
const SYSTEMS = args.systems.split(',');
const PG_LOG = '/var/log/postgresql/postgresql-15-main.log';

/** The seed's group commit settings (coordinator.properties). */
const GROUP_COMMIT_ON = {
  'scalar.db.consensus_commit.coordinator.group_commit.enabled': 'true',
  'scalar.db.consensus_commit.coordinator.group_commit.slot_capacity': '20',
  'scalar.db.consensus_commit.coordinator.group_commit.group_size_fix_timeout_millis': '40',
  'scalar.db.consensus_commit.coordinator.group_commit.delayed_slot_move_timeout_millis': '800',
  'scalar.db.consensus_commit.coordinator.group_commit.old_group_abort_timeout_millis': '60000',
};

interface RunResult {
  system: string;
  groupCommit: 'off' | 'on';
  clients: number;
  committed: number;
  attempts: number;
  aborted: number;
  unknown: number;
  tps: number;
  p50Ms: number;
  p99Ms: number;
  /** polygres only: storage operations and server CPU per committed transfer. */
  perTransfer?: Record<string, number>;
  /** CQL requests the Cassandra node executed per committed transfer (node-wide, approximate). */
  cqlPerTransfer?: number;
  /** CPU of the transaction manager's process (polygres server, ScalarDB's JVM) per committed transfer. */
  cpuMsPerTransfer?: number;
}

const suffix = randomBytes(3).toString('hex');
const pgNs = `bench_pg_${suffix}`;
const csNs = `bench_cs_${suffix}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]!;
}


/** `polygres_storage_operations_total` and `..._seconds_total` by `storage/operation`. */
async function storageCounters(server: RunningServer): Promise<Map<string, number>> {
  const text = await (await fetch(`http://${server.host}:${server.httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^polygres_storage_operation(s_total|_seconds_total)\{storage="([^"]+)",operation="([^"]+)"\} (\S+)$/.exec(line);
    if (m) out.set(`${m[1] === 's_total' ? 'ops' : 'ms'} ${m[2]}.${m[3]}`, Number(m[4]) * (m[1] === 's_total' ? 1 : 1000));
  }
  return out;
}

/**
 * `statements`: BEGIN, UPDATE, UPDATE, COMMIT, one round trip each (as applications do);
 * `one-round-trip`: the same four statements in one simple query, to show what client round trips cost.
 */
type ClientStyle = 'statements' | 'one-round-trip';

async function transferOnce(c: pg.Client, style: ClientStyle, from: number, to: number, amount: number): Promise<void> {
  if (style === 'one-round-trip') {
    // Integers only: safe to inline.
    await c.query(`BEGIN; UPDATE ${pgNs}.accounts SET balance = balance - ${amount} WHERE id = ${from}; UPDATE ${csNs}.accounts SET balance = balance + ${amount} WHERE id = ${to}; COMMIT`);
    return;
  }
  await c.query('BEGIN');
  await c.query(`UPDATE ${pgNs}.accounts SET balance = balance - $1 WHERE id = $2`, [amount, from]);
  await c.query(`UPDATE ${csNs}.accounts SET balance = balance + $1 WHERE id = $2`, [amount, to]);
  await c.query('COMMIT');
}

async function polygresWorkload(server: RunningServer, clients: number, style: ClientStyle): Promise<Omit<RunResult, 'system' | 'groupCommit' | 'perTransfer'>> {
  const connections = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client(server.connection());
    await c.connect();
    return c;
  }));
  const start = Date.now();
  const measureFrom = start + WARMUP * 1000;
  const end = measureFrom + SECONDS * 1000;
  const latencies: number[] = [];
  let attempts = 0;
  let aborted = 0;
  let unknown = 0;
  await Promise.all(connections.map(async (c) => {
    while (Date.now() < end) {
      const from = Math.floor(Math.random() * ACCOUNTS);
      const to = Math.floor(Math.random() * ACCOUNTS);
      const amount = 1 + Math.floor(Math.random() * 10);
      const began = performance.now();
      const measured = Date.now() >= measureFrom;
      for (;;) {
        if (measured) attempts++;
        try {
          await transferOnce(c, style, from, to, amount);
          if (measured && Date.now() <= end) latencies.push(performance.now() - began);
          break;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          const code = (e as { code?: string }).code;
          if (code === '40001') {
            if (measured) aborted++;
            continue;
          }
          if (code === '40003') {
            if (measured) unknown++;
            break;
          }
          throw e;
        }
      }
    }
  }));
  await Promise.all(connections.map((c) => c.end()));
  latencies.sort((a, b) => a - b);
  return { clients, committed: latencies.length, attempts, aborted, unknown, tps: latencies.length / SECONDS, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

/**
 * CQL requests the Cassandra node executed so far (system_views.cql_metrics, node-wide: anything
 * else using the node at the same time is counted too).
 */
async function cqlExecuted(d: CrossStorageDeployment): Promise<number> {
  const r = await (await d.cassandra()).execute('SELECT name, value FROM system_views.cql_metrics');
  let n = 0;
  for (const row of r.rows) if (row.name === 'prepared_statements_executed' || row.name === 'regular_statements_executed') n += Number(row.value);
  return n;
}

async function runPolygres(
  d: CrossStorageDeployment,
  groupCommit: 'off' | 'on',
  clients: number,
  options: { nodeArgs?: readonly string[]; style?: ClientStyle } = {},
): Promise<{ result: RunResult; server: RunningServer }> {
  const properties = { 'scalar.db.multi_storage.storages.postgres.jdbc.connection_pool.max_total': args.pool, ...(groupCommit === 'on' ? GROUP_COMMIT_ON : {}) };
  const server = await d.start({ properties, nodeArgs: options.nodeArgs, bin: args.bin });
  const pid = server.process.pid!;
  const warm = new Promise((r) => setTimeout(r, WARMUP * 1000));
  const style = options.style ?? 'statements';
  const run = polygresWorkload(server, clients, style);
  await warm;
  const before = await storageCounters(server);
  const cpuBefore = cpuMs(pid);
  const cqlBefore = await cqlExecuted(d);
  const measured = await run;
  const cqlAfter = await cqlExecuted(d);
  const cpuAfter = cpuMs(pid);
  const after = await storageCounters(server);
  const perTransfer: Record<string, number> = {
    'server CPU ms': (cpuAfter - cpuBefore) / Math.max(1, measured.committed),
    'CQL requests (node-wide count)': (cqlAfter - cqlBefore) / Math.max(1, measured.committed),
  };
  for (const [k, v] of after) perTransfer[k] = (v - (before.get(k) ?? 0)) / Math.max(1, measured.committed);
  return { result: { system: style === 'statements' ? 'polygres' : 'polygres, one round trip', groupCommit, ...measured, perTransfer, cqlPerTransfer: perTransfer['CQL requests (node-wide count)'], cpuMsPerTransfer: perTransfer['server CPU ms'] }, server };
}

async function runScalarDb(d: CrossStorageDeployment, dir: string, groupCommit: 'off' | 'on', clients: number): Promise<RunResult> {
  const file = join(dir, `scalardb-${groupCommit}.properties`);
  writeFileSync(file, d.properties({
    'scalar.db.transaction_manager': 'consensus-commit',
    'scalar.db.multi_storage.storages.postgres.jdbc.connection_pool.max_total': args.pool,
    ...(groupCommit === 'on' ? GROUP_COMMIT_ON : {}),
  }));
  const cqlBefore = await cqlExecuted(d);
  const r = await runInterop('polygres.interop.Bench', [file, pgNs, csNs, String(ACCOUNTS), String(clients), String(SECONDS), String(WARMUP)], { timeoutMs: (SECONDS + WARMUP) * 1000 + 300_000, heap: '1g' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`ScalarDB bench failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const j = JSON.parse(line) as { committed: number; attempts: number; aborted: number; unknown: number; failed: number; tps: number; p50_ms: number; p99_ms: number; cpu_ms_per_transfer: number };
  if (j.failed > 0) process.stderr.write(`ScalarDB: ${j.failed} transfers failed with other errors\n${r.stderr.slice(-2000)}\n`);
  // Warm-up transfers are counted by Cassandra too: scale the committed ones to the whole run.
  const cqlPerTransfer = ((await cqlExecuted(d)) - cqlBefore) / Math.max(1, j.committed * ((SECONDS + WARMUP) / SECONDS));
  return { system: 'ScalarDB 3.16', groupCommit, clients, committed: j.committed, attempts: j.attempts, aborted: j.aborted, unknown: j.unknown, tps: j.tps, p50Ms: j.p50_ms, p99Ms: j.p99_ms, cqlPerTransfer, cpuMsPerTransfer: j.cpu_ms_per_transfer };
}

/** Self time of a V8 CPU profile, by function and by area of the code. */
function summarizeProfile(file: string): string {
  interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const area = (url: string, name: string): string => {
    if (name === '(idle)') return 'idle';
    if (name === '(garbage collector)') return 'garbage collection';
    if (name === '(program)') return 'V8/native (program)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return `npm:${m[1]}`;
    const s = /\/(?:src|dist)\/([^/]+)\//.exec(url);
    if (s) return `polygres:${s[1]}`;
    if (url.startsWith('node:')) return 'node core';
    return url === '' ? 'native/builtin' : 'other';
  };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const a = area(n.callFrame.url, n.callFrame.functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  const lines = ['| area | self time |', '|---|---|'];
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 14)) lines.push(`| ${a} | ${pct(us)} |`);
  lines.push('', '| function | self time |', '|---|---|');
  for (const [f, us] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`| \`${f}\` | ${pct(us)} |`);
  return lines.join('\n');
}

/** Statements PostgreSQL logged for `database` since `offset` (log_statement = all), by kind. */
function loggedStatements(database: string, offset: number): Map<string, number> {
  const text = readFileSync(PG_LOG).subarray(offset).toString('utf8');
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.includes(`@${database} `)) continue;
    const m = /LOG:\s+(?:statement|execute [^:]*):\s+(\w+)/.exec(line);
    if (m) counts.set(m[1]!.toUpperCase(), (counts.get(m[1]!.toUpperCase()) ?? 0) + 1);
  }
  return counts;
}

async function main(): Promise<void> {
  for (const [name, why] of [['PostgreSQL', await probePostgres()], ['Cassandra', await probeCassandra()]] as const) {
    if (why !== null) throw new Error(`${name} is not reachable: ${why}`);
  }
  if (SYSTEMS.includes('scalardb')) {
    const why = await buildInterop();
    if (why !== null) throw new Error(why);
  }
  const d = await CrossStorageDeployment.create({
    keyspacePrefix: '',
    namespaceMapping: `${pgNs}:postgres,${csNs}:cassandra,coordinator:postgres`,
    keyspacesToDrop: [csNs],
    properties: { 'scalar.db.consensus_commit.isolation_level': 'SERIALIZABLE' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'polygres-xs-bench-'));
  const results: RunResult[] = [];
  const notes: string[] = [];
  try {
    const setup = await d.start({ bin: args.bin });
    const c = new pg.Client(setup.connection());
    await c.connect();
    await c.query(`CREATE SCHEMA ${pgNs}`);
    await c.query(`CREATE SCHEMA ${csNs}`);
    for (const ns of [pgNs, csNs]) {
      await c.query(`CREATE TABLE ${ns}.accounts (id int PRIMARY KEY, balance int NOT NULL)`);
      await c.query(`INSERT INTO ${ns}.accounts SELECT g, 100000 FROM generate_series(0, ${ACCOUNTS - 1}) AS g`);
    }
    await c.end();
    await setup.stop();

    const txnConfig = readFileSync(new URL('../src/txn/config.ts', import.meta.url), 'utf8');
    const groupCommit = GROUP_COMMIT.filter((g) => g === 'off' || txnConfig.includes('coordinator.group_commit.enabled'));
    for (const gc of groupCommit) {
      for (const clients of CLIENTS) {
        if (SYSTEMS.includes('polygres')) {
          process.stderr.write(`polygres, group commit ${gc}, ${clients} clients...\n`);
          const { result, server } = await runPolygres(d, gc, clients);
          await server.stop();
          results.push(result);
        }
        if (SYSTEMS.includes('polygres-1rt')) {
          process.stderr.write(`polygres (one round trip per transfer), group commit ${gc}, ${clients} clients...\n`);
          const { result, server } = await runPolygres(d, gc, clients, { style: 'one-round-trip' });
          await server.stop();
          results.push(result);
        }
        if (SYSTEMS.includes('scalardb')) {
          process.stderr.write(`ScalarDB, group commit ${gc}, ${clients} clients...\n`);
          results.push(await runScalarDb(d, dir, gc, clients));
        }
      }
    }

    if (args.profile) {
      process.stderr.write('polygres under --cpu-prof, 16 clients...\n');
      const profileDir = join(dir, 'profile');
      const { server } = await runPolygres(d, 'off', 16, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
      await server.stop();
      const file = existsSync(profileDir) ? readdirSync(profileDir).map((f) => join(profileDir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] : undefined;
      if (file && args['profile-out']) copyFileSync(file, args['profile-out']);
      notes.push(file ? `### Where the server's CPU goes (16 clients, group commit off)\n\n${summarizeProfile(file)}` : 'no CPU profile was written');
    }

    if (args['pg-statements']) {
      const admin = new pg.Client({ connectionString: d.database.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${d.database.name}" SET log_statement = 'all'`);
      await admin.end();
      const offset = statSync(PG_LOG).size;
      const { result, server } = await runPolygres(d, 'off', 16);
      await server.stop();
      const counts = loggedStatements(d.database.name, offset);
      // Warm-up transfers are logged too: divide by every committed transfer of the run (approximately).
      const transfers = result.committed * ((SECONDS + WARMUP) / SECONDS);
      const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `| ${k} | ${(n / transfers).toFixed(2)} |`);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      notes.push(`### SQL statements PostgreSQL received per committed transfer (16 clients, log_statement = all)\n\n| statement | per transfer |\n|---|---|\n${rows.join('\n')}\n| all | ${(total / transfers).toFixed(2)} |`);
    }
  } finally {
    await d.destroy();
    rmSync(dir, { recursive: true, force: true });
  }

  const out = [
    `## Cross-storage bank: ${ACCOUNTS} accounts on PostgreSQL + ${ACCOUNTS} on Cassandra, ${SECONDS} s after ${WARMUP} s warm-up, SERIALIZABLE`,
    '',
    '| system | group commit | clients | TPS | P50 ms | P99 ms | abort rate | unknown outcome | CQL requests per transfer | CPU ms per transfer |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.system} | ${r.groupCommit} | ${r.clients} | ${r.tps.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${((100 * r.aborted) / Math.max(1, r.attempts)).toFixed(0)}% | ${r.unknown} | ${r.cqlPerTransfer?.toFixed(1) ?? ''} | ${r.cpuMsPerTransfer?.toFixed(1) ?? ''} |`),
  ];
  const polygresRuns = results.filter((r) => r.perTransfer);
  if (polygresRuns.length > 0) {
    const keys = [...new Set(polygresRuns.flatMap((r) => Object.keys(r.perTransfer!)))].sort();
    out.push('', '### polygres: per committed transfer (storage operations, time inside them, server CPU)', '');
    out.push(`| | ${polygresRuns.map((r) => `${r.system}, gc ${r.groupCommit}, ${r.clients} clients`).join(' | ')} |`, `|---|${polygresRuns.map(() => '---').join('|')}|`);
    for (const k of keys) out.push(`| ${k} | ${polygresRuns.map((r) => (r.perTransfer![k] ?? 0).toFixed(2)).join(' | ')} |`);
  }
  for (const n of notes) out.push('', n);
  console.log(out.join('\n'));
}

await main();
