/**
 * Counts the statements the PostgreSQL storage receives per bank transfer through polygres (the
 * transfer of bench/bank.ts, one client, no contention), from PostgreSQL's own statement log: a fresh
 * database gets `log_statement = 'all'`, and the log lines of that database are counted.
 *
 *   node --import tsx bench/storage-roundtrips.ts [--transfers 50] [--log /var/log/postgresql/postgresql-15-main.log]
 *
 * Prints statements per transfer and each statement shape with its count per transfer. Statements
 * sent in one pipelined batch are counted one by one; the shapes show which ones share a round trip.
 */
import { openSync, readSync, statSync, closeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freshPostgresDatabase, postgresAdminUrl } from '../tests/support/storages.js';
import { startServer } from '../tests/support/server.js';

const { values: args } = parseArgs({
  options: {
    transfers: { type: 'string', default: '50' },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
  },
});
const TRANSFERS = Number(args.transfers);
const LOG = args.log!;

function readFrom(path: string, offset: number): string {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const db = await freshPostgresDatabase('polygres_bench_rt', { collate: 'C' });
const admin = new pg.Client({ connectionString: postgresAdminUrl });
await admin.connect();
await admin.query(`ALTER DATABASE "${db.name}" SET log_statement = 'all'`);
await admin.end();
const server = await startServer({
  properties: `scalar.db.storage=jdbc\nscalar.db.contact_points=jdbc:${db.url.replace(/^postgres:/, 'postgresql:')}\n`,
});
try {
  const c = new pg.Client(server.connection());
  await c.connect();
  await c.query('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)');
  await c.query(`INSERT INTO accounts VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 1000)`).join(',')}`);
  const transfer = async (i: number) => {
    const from = i % 100;
    const to = (i + 1) % 100;
    await c.query('BEGIN');
    const a = await c.query('SELECT balance FROM accounts WHERE id = $1', [from]);
    const b = await c.query('SELECT balance FROM accounts WHERE id = $1', [to]);
    await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [from, BigInt(a.rows[0].balance) - 1n]);
    await c.query('UPDATE accounts SET balance = $2 WHERE id = $1', [to, BigInt(b.rows[0].balance) + 1n]);
    await c.query('COMMIT');
  };
  for (let i = 0; i < 5; i++) await transfer(i);
  await new Promise((r) => setTimeout(r, 300));
  const offset = statSync(LOG).size;
  for (let i = 0; i < TRANSFERS; i++) await transfer(i + 5);
  await new Promise((r) => setTimeout(r, 500));
  await c.end();
  const marker = `@${db.name} `;
  const shapes = new Map<string, number>();
  let total = 0;
  for (const line of readFrom(LOG, offset).split('\n')) {
    if (!line.includes(marker)) continue;
    const m = /LOG: {2}(statement|execute [^:]*): (.*)$/.exec(line);
    if (!m) continue;
    total++;
    const shape = `${m[1].startsWith('execute') ? 'execute' : 'simple'}: ${m[2].replace(/\s+/g, ' ').slice(0, 160)}`;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  console.log(`${(total / TRANSFERS).toFixed(2)} statements per transfer (${total} for ${TRANSFERS} transfers)`);
  for (const [shape, n] of [...shapes].sort((x, y) => y[1] - x[1])) console.log(`${(n / TRANSFERS).toFixed(2)}  ${shape}`);
} finally {
  await server.stop();
  await db.drop();
}
