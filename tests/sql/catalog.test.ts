/**
 * The catalog lives in the storage: a second polygres node on the same storage sees the first
 * node's DDL within the refresh interval (and at once after a statement finds a table missing), and
 * a restarted node finds its tables and views again.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SingleStorageRouter } from '../../src/storage/multi.js';
import { ConsensusCommitManager } from '../../src/txn/index.js';
import { createSqlBackend } from '../../src/planner/backend.js';
import type { BackendSession, RowStream } from '../../src/wire/backend.js';
import { SqlError } from '../../src/errors.js';

const REFRESH_MS = 100;

interface Node {
  session: BackendSession;
  close(): Promise<void>;
}

async function startNode(path: string): Promise<Node> {
  const router = new SingleStorageRouter(new SqliteStorage({ path, synchronous: 'NORMAL' }));
  const txm = new ConsensusCommitManager(router);
  const backend = await createSqlBackend({ transactionManager: txm, limits: { catalogRefreshIntervalMs: REFRESH_MS } });
  const session = await backend.openSession({ user: 'postgres', database: 'postgres', parameters: new Map(), backendPid: 1, ssl: false });
  return {
    session,
    async close() {
      await session.close();
      await txm.close();
      await router.close();
    },
  };
}

async function run(session: BackendSession, sql: string): Promise<unknown[][]> {
  const [stmt] = session.parse(sql);
  try {
    const exec = await session.execute(await session.prepare(stmt!, []), []);
    const rows = exec.kind === 'rows' ? (await (exec as RowStream).next(0)).rows : [];
    await session.sync();
    return rows;
  } catch (e) {
    session.fail(e as SqlError);
    await session.sync().catch(() => {});
    throw e;
  }
}

describe('catalog shared through the storage', () => {
  let dir: string;
  let a: Node;
  let b: Node;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-catalog-'));
    a = await startNode(join(dir, 'db.sqlite'));
    b = await startNode(join(dir, 'db.sqlite'));
  });
  after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("another node sees a table created on this one within the refresh interval", async () => {
    await run(a.session, 'CREATE TABLE shared_t (id int PRIMARY KEY, v text)');
    await run(a.session, "INSERT INTO shared_t VALUES (1, 'from a')");
    const deadline = Date.now() + 20 * REFRESH_MS;
    let rows: unknown[][] | null = null;
    while (rows === null) {
      try {
        rows = await run(b.session, 'SELECT v FROM shared_t');
      } catch (e) {
        assert.ok(e instanceof SqlError && e.code === '42P01', String(e));
        assert.ok(Date.now() < deadline, 'the other node never saw the table');
        await new Promise((r) => setTimeout(r, REFRESH_MS / 2));
      }
    }
    assert.deepEqual(rows, [['from a']]);
  });

  test('a dropped table is gone for the other node too', async () => {
    await run(a.session, 'CREATE TABLE doomed (id int PRIMARY KEY)');
    await new Promise((r) => setTimeout(r, 3 * REFRESH_MS));
    await run(b.session, 'SELECT * FROM doomed');
    await run(a.session, 'DROP TABLE doomed');
    const deadline = Date.now() + 20 * REFRESH_MS;
    for (;;) {
      try {
        await run(b.session, 'SELECT * FROM doomed');
        assert.ok(Date.now() < deadline, 'the other node still sees the dropped table');
        await new Promise((r) => setTimeout(r, REFRESH_MS / 2));
      } catch (e) {
        assert.ok(e instanceof SqlError && e.code === '42P01', String(e));
        break;
      }
    }
  });

  test('concurrent DDL on two nodes: one of them gets 40001', async () => {
    await run(a.session, 'BEGIN');
    await run(b.session, 'BEGIN');
    await run(a.session, 'CREATE TABLE race_a (id int PRIMARY KEY)');
    await run(b.session, 'CREATE TABLE race_b (id int PRIMARY KEY)');
    await run(a.session, 'COMMIT');
    await assert.rejects(run(b.session, 'COMMIT'), (e: unknown) => e instanceof SqlError && e.code === '40001');
  });

  /** Runs `sql` on `node` until it gives `expected` (the node catches up with the other's DDL). */
  async function eventually(node: Node, sql: string, expected: unknown[][] | string): Promise<void> {
    const deadline = Date.now() + 20 * REFRESH_MS;
    for (;;) {
      let got: unknown[][] | string;
      try {
        got = await run(node.session, sql);
      } catch (e) {
        got = e instanceof SqlError ? e.code : String(e);
      }
      if (JSON.stringify(got) === JSON.stringify(expected)) return;
      assert.ok(Date.now() < deadline, `${sql} gave ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`);
      await new Promise((r) => setTimeout(r, REFRESH_MS / 2));
    }
  }

  test('views are shared too: created, replaced and dropped on one node, seen by the other', async () => {
    await run(a.session, 'CREATE TABLE view_base (id int PRIMARY KEY, v text)');
    await run(a.session, "INSERT INTO view_base VALUES (1, 'one'), (2, 'two')");
    await run(a.session, 'CREATE VIEW shared_v AS SELECT v FROM view_base WHERE id = 1');
    await eventually(b, 'SELECT * FROM shared_v', [['one']]);
    await run(a.session, 'CREATE OR REPLACE VIEW shared_v AS SELECT v FROM view_base WHERE id = 2');
    await eventually(b, 'SELECT * FROM shared_v', [['two']]);
    // The other node's DROP TABLE knows about the view.
    await assert.rejects(run(b.session, 'DROP TABLE view_base'), (e: unknown) => e instanceof SqlError && e.code === '2BP01');
    await run(a.session, 'DROP VIEW shared_v');
    await eventually(b, 'SELECT * FROM shared_v', '42P01');
    await run(b.session, 'DROP TABLE view_base');
  });

  test('a restarted node finds its tables, rows and views', async () => {
    await run(a.session, 'CREATE TABLE durable (id int PRIMARY KEY, v text)');
    await run(a.session, "INSERT INTO durable VALUES (7, 'kept')");
    await run(a.session, 'CREATE VIEW durable_v (n) AS SELECT count(*) FROM durable');
    await a.close();
    a = await startNode(join(dir, 'db.sqlite'));
    assert.deepEqual(await run(a.session, 'SELECT id, v FROM durable'), [[7, 'kept']]);
    assert.deepEqual(await run(a.session, 'SELECT n FROM durable_v'), [[1n]]);
  });
});
