/**
 * Several polygres nodes serving one database: each node is stateless, so two servers started on the
 * same storage see each other's data and DDL, a transaction on one node conflicts with one on the
 * other as it would on one node, and a cancel request sent to the wrong node is forwarded.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import pg from 'pg';
import { freshPostgresDatabase, skipUnlessPostgres, type FreshDatabase } from '../support/storages.js';
import { startServer, type RunningServer } from '../support/server.js';

const skip = await skipUnlessPostgres();

function sendCancel(port: number, pid: number, secret: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(pid, 8);
    packet.writeInt32BE(secret, 12);
    const s = connect({ host: '127.0.0.1', port }, () => s.end(packet));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

describe('two nodes on one PostgreSQL storage', { skip }, () => {
  let db: FreshDatabase;
  let a: RunningServer;
  let b: RunningServer;

  before(async () => {
    db = await freshPostgresDatabase('polygres_cluster', { collate: 'C' });
    const storage = `scalar.db.storage=jdbc\nscalar.db.contact_points=jdbc:${db.url.replace(/^postgres:/, 'postgresql:')}\n`;
    a = await startServer({ properties: storage, args: ['--node-id', '1'] });
    // Node 2 knows node 1's address, so it can forward cancel requests for node 1's sessions.
    b = await startServer({ properties: storage, args: ['--node-id', '2', '--set', `polygres.peers=1@127.0.0.1:${a.port}`] });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  async function client(server: RunningServer): Promise<pg.Client> {
    const c = new pg.Client(server.connection());
    await c.connect();
    return c;
  }

  test('data and DDL written through one node are seen through the other', async () => {
    const ca = await client(a);
    const cb = await client(b);
    try {
      await ca.query('CREATE TABLE shared (id int PRIMARY KEY, note text)');
      await ca.query("INSERT INTO shared VALUES (1, 'from a')");
      // The other node learns of the new table at once when the name is unknown to it.
      assert.deepEqual((await cb.query('SELECT note FROM shared WHERE id = 1')).rows, [{ note: 'from a' }]);
      await cb.query("INSERT INTO shared VALUES (2, 'from b')");
      assert.deepEqual((await ca.query('SELECT id, note FROM shared ORDER BY id')).rows, [
        { id: 1, note: 'from a' },
        { id: 2, note: 'from b' },
      ]);
    } finally {
      await ca.end();
      await cb.end();
    }
  });

  test('write skew across nodes is refused with 40001, as on one node', async () => {
    const ca = await client(a);
    const cb = await client(b);
    try {
      await ca.query('CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)');
      await ca.query("INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
      await ca.query('BEGIN');
      await cb.query('BEGIN');
      assert.equal((await ca.query('SELECT count(*)::int AS n FROM doctors WHERE on_call')).rows[0].n, 2);
      assert.equal((await cb.query('SELECT count(*)::int AS n FROM doctors WHERE on_call')).rows[0].n, 2);
      await ca.query("UPDATE doctors SET on_call = false WHERE name = 'alice'");
      await cb.query("UPDATE doctors SET on_call = false WHERE name = 'bob'");
      await ca.query('COMMIT');
      await assert.rejects(cb.query('COMMIT'), (e: { code?: string }) => e.code === '40001');
      assert.equal((await ca.query('SELECT count(*)::int AS n FROM doctors WHERE on_call')).rows[0].n, 1);
    } finally {
      await ca.end();
      await cb.end();
    }
  });

  test('a cancel request sent to the other node is forwarded and stops the statement with 57014', async () => {
    const ca = await client(a);
    try {
      const key = (ca as unknown as { processID: number; secretKey: number });
      assert.equal(key.processID >> 21, 1, 'node 1 puts its id in the backend pid');
      // The assertion is attached before the cancel is sent: the statement may fail at once.
      const cancelled = assert.rejects(ca.query('SELECT pg_sleep(30)'), (e: { code?: string; message: string }) => {
        assert.equal(e.code, '57014');
        assert.equal(e.message, 'canceling statement due to user request');
        return true;
      });
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel(b.port, key.processID, key.secretKey);
      await cancelled;
      assert.deepEqual((await ca.query('SELECT 1 AS still_there')).rows, [{ still_there: 1 }]);
    } finally {
      await ca.end();
    }
  });
});
