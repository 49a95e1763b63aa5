/**
 * Access paths: a lookup by the full primary key is one storage get; the partition key with a
 * clustering range is one partition scan; equality on an indexed column uses the index; the rest is
 * one full scan with the filter pushed to the storage. Checked with EXPLAIN and by counting the
 * operations that reach the real SQLite storage while the statement runs (Consensus Commit's
 * validation re-reads at COMMIT are not the planner's). Planned statements are cached by text.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Get, Row, Scan, Storage, StorageRouter } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/index.js';
import { createSqlBackend } from '../../src/planner/backend.js';
import type { BackendSession, RowStream } from '../../src/wire/backend.js';

/** Counts the reads that reach a real storage on user tables (delegating every call). */
class CountingRouter implements StorageRouter {
  readonly reads: string[] = [];
  readonly storages: readonly Storage[];
  private readonly counting: Storage;

  constructor(private readonly inner: Storage) {
    const reads = this.reads;
    this.counting = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'get') return (op: Get): Promise<Row | null> => (op.namespace === 'public' && reads.push(`get ${op.table}`), target.get(op));
        if (prop === 'scan') return (op: Scan): Promise<Row[]> => (op.namespace === 'public' && reads.push(`scan:${op.kind} ${op.table}${op.kind === 'all' && op.filter ? ' filtered' : ''}`), target.scan(op));
        void receiver;
        // Methods run on the real storage (it keeps private state).
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    this.storages = [this.counting];
  }

  storageFor(): Storage {
    return this.counting;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('planning', () => {
  let dir: string;
  let router: CountingRouter;
  let txm: ConsensusCommitManager;
  let session: BackendSession;

  async function query(sql: string): Promise<unknown[][]> {
    const [stmt] = session.parse(sql);
    const exec = await session.execute(await session.prepare(stmt!, []), []);
    const rows = exec.kind === 'rows' ? (await (exec as RowStream).next(0)).rows : [];
    await session.sync();
    return rows;
  }

  /** The reads a statement makes (inside a block, so that commit-time validation is not counted). */
  async function readsOf(sql: string): Promise<string[]> {
    await query('BEGIN');
    router.reads.length = 0;
    await query(sql);
    const reads = [...router.reads];
    await query('COMMIT');
    return reads;
  }

  async function explain(sql: string): Promise<string> {
    return (await query(`EXPLAIN ${sql}`)).map((r) => r[0]).join('\n');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-plan-'));
    router = new CountingRouter(new SqliteStorage({ path: join(dir, 'db.sqlite'), synchronous: 'NORMAL' }));
    txm = new ConsensusCommitManager(router);
    const backend = await createSqlBackend({ transactionManager: txm });
    session = await backend.openSession({ user: 'postgres', database: 'postgres', parameters: new Map(), backendPid: 1, ssl: false });
    await query('CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance int, email text UNIQUE)');
    await query('CREATE INDEX accounts_owner ON accounts (owner)');
    await query('CREATE TABLE events (tenant int, seq int, kind text, PRIMARY KEY (tenant, seq)) WITH (partition_key = tenant)');
    await query("INSERT INTO accounts VALUES (1, 'ann', 10, 'a@x'), (2, 'bob', 20, 'b@x'), (3, 'ann', 30, 'c@x')");
    await query("INSERT INTO events VALUES (1, 1, 'a'), (1, 2, 'b'), (1, 3, 'c'), (2, 1, 'd')");
    await query('CREATE TABLE customers (id int PRIMARY KEY, name text, email text UNIQUE)');
    await query('CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount int)');
    await query("INSERT INTO customers VALUES (1, 'ann', 'ann@x'), (2, 'bob', 'bob@x'), (3, 'cid', 'cid@x'), (4, 'dan', 'dan@x')");
    await query('INSERT INTO orders VALUES (10, 1, 5), (11, 2, 50), (12, 3, 500), (13, NULL, 7)');
  });
  after(async () => {
    await session.close();
    await txm.close();
    await router.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a lookup by the full primary key is one storage get', async () => {
    assert.match(await explain('SELECT * FROM accounts WHERE id = 2'), /Get on accounts\n\s+Key: \(id = 2\)/);
    assert.deepEqual(await readsOf('SELECT owner FROM accounts WHERE id = 2'), ['get accounts']);
    assert.deepEqual(await readsOf('UPDATE accounts SET balance = balance + 1 WHERE id = 2'), ['get accounts']);
  });

  test('the partition key with a clustering range is one partition scan', async () => {
    const plan = await explain('SELECT * FROM events WHERE tenant = 1 AND seq >= 2');
    assert.match(plan, /Partition Scan on events/);
    assert.match(plan, /Clustering Start: \(2\)/);
    assert.deepEqual(await readsOf('SELECT kind FROM events WHERE tenant = 1 AND seq >= 2'), ['scan:partition events']);
    assert.deepEqual(await query('SELECT kind FROM events WHERE tenant = 1 AND seq >= 2 ORDER BY seq'), [['b'], ['c']]);
  });

  test('equality on an indexed column uses the index', async () => {
    assert.match(await explain("SELECT * FROM accounts WHERE owner = 'ann'"), /Index Scan using accounts_owner on accounts/);
    // Consensus Commit answers an index scan with the index and its before-image twin: no full scan.
    const reads = await readsOf("SELECT id FROM accounts WHERE owner = 'ann'");
    assert.ok(reads.length >= 1 && reads.every((r) => r === 'scan:index accounts'), reads.join(', '));
  });

  test('equality on a unique column is a get on its index, then a get on the row', async () => {
    assert.match(await explain("SELECT * FROM accounts WHERE email = 'b@x'"), /Unique Index Get using accounts_email_key on accounts/);
    const reads = await readsOf("SELECT id FROM accounts WHERE email = 'b@x'");
    assert.equal(reads.length, 2);
    assert.ok(reads.every((r) => r.startsWith('get ')));
  });

  test('everything else is one full scan with the filter pushed down', async () => {
    const plan = await explain('SELECT * FROM accounts WHERE balance > 15 AND owner IS NOT NULL');
    assert.match(plan, /Seq Scan on accounts\n\s+Storage Filter: balance GT 15 AND owner IS_NOT_NULL/);
    assert.deepEqual(await readsOf('SELECT id FROM accounts WHERE balance > 15'), ['scan:all accounts filtered']);
    assert.deepEqual(await query('SELECT id FROM accounts WHERE balance > 15 ORDER BY id'), [[2], [3]]);
  });

  test('EXPLAIN shows the operators above the access path', async () => {
    const plan = await explain('SELECT owner, count(*) FROM accounts WHERE balance > 0 GROUP BY owner ORDER BY 2 DESC LIMIT 1');
    const heads = plan.split('\n').filter((l) => !/^\s+[A-Z][a-z]+( [A-Z][a-z]+)*:/.test(l)).map((l) => l.replace(/^\s*(->\s*)?/, '').split(' ')[0]);
    assert.deepEqual(heads, ['Limit', 'Sort', 'Project', 'HashAggregate', 'Filter', 'Seq']);
  });

  test('an equi-join on the inner table\'s primary key is a lookup join: one get per outer row', async () => {
    const sql = 'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id';
    assert.match(await explain(sql), /Lookup Join[\s\S]*Seq Scan on orders[\s\S]*Get on customers/);
    const reads = await readsOf(sql);
    assert.deepEqual(reads.filter((r) => r.startsWith('scan')), ['scan:all orders']);
    // Three orders have a customer id; the one with NULL needs no read.
    assert.deepEqual(reads.filter((r) => r.startsWith('get')), ['get customers', 'get customers', 'get customers']);
    assert.deepEqual(await query(`${sql} ORDER BY o.id`), [[10, 'ann'], [11, 'bob'], [12, 'cid']]);
  });

  test('the table written first is looked up too when the other one holds its key', async () => {
    const reads = await readsOf('SELECT c.name, o.id FROM customers c, orders o WHERE c.id = o.customer_id');
    assert.deepEqual(reads.filter((r) => r.startsWith('scan')), ['scan:all orders']);
    assert.equal(reads.filter((r) => r === 'get customers').length, 3);
  });

  test('a LEFT JOIN looks rows up by key and keeps the outer rows that find none', async () => {
    assert.match(await explain('SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id'), /Lookup Left Join/);
    assert.deepEqual(await query("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.name <> 'bob' ORDER BY o.id"), [
      [10, 'ann'],
      [11, null],
      [12, 'cid'],
      [13, null],
    ]);
  });

  test('a join through a unique column looks up its index', async () => {
    const sql = "SELECT o.id FROM orders o JOIN customers c ON c.email = 'ann@x' AND c.id = o.customer_id";
    assert.deepEqual(await query(sql), [[10]]);
    assert.match(await explain("SELECT * FROM (VALUES ('bob@x')) v(e) JOIN customers c ON c.email = v.e"), /Lookup Join[\s\S]*Unique Index Get using customers_email_key on customers/);
  });

  test('a filtered join keeps each table\'s pushed-down predicate: WHERE t.id = 1 stays one get', async () => {
    assert.deepEqual(await readsOf('SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 11'), ['get orders', 'get customers']);
    // c.id = 2 and c.id = o.customer_id imply o.customer_id = 2, which filters the scan of orders.
    assert.deepEqual((await readsOf('SELECT c.name FROM customers c JOIN orders o ON c.id = o.customer_id WHERE c.id = 2')).sort(), ['get customers', 'scan:all orders filtered']);
    const plan = await explain('SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.amount > 10');
    assert.match(plan, /Seq Scan on orders\n\s+Storage Filter: amount GT 10/);
    const reads = await readsOf('SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.amount > 10');
    assert.deepEqual(reads, ['scan:all orders filtered', 'get customers', 'get customers']);
  });

  test('UPDATE ... FROM and DELETE ... USING join the target like SELECT: the target looked up by key', async () => {
    await query('CREATE TABLE stock (sku int PRIMARY KEY, qty int)');
    await query('CREATE TABLE moves (id int PRIMARY KEY, sku int, delta int)');
    await query('INSERT INTO stock VALUES (1, 10), (2, 20), (3, 30)');
    await query('INSERT INTO moves VALUES (1, 1, -1), (2, 3, 5)');
    const update = 'UPDATE stock SET qty = qty + m.delta FROM moves m WHERE m.sku = stock.sku';
    assert.match(await explain(update), /Update on stock\n[\s\S]*Lookup Join[\s\S]*Seq Scan on moves[\s\S]*Get on stock \(one per outer row\)/);
    const reads = await readsOf(update);
    assert.deepEqual(reads.filter((r) => r.startsWith('scan')), ['scan:all moves']);
    assert.deepEqual(reads.filter((r) => r.startsWith('get')), ['get stock', 'get stock']);
    assert.deepEqual(await query('SELECT * FROM stock ORDER BY sku'), [[1, 9], [2, 20], [3, 35]]);
    // WHERE on the target's key stays one get; moves.id = 2 and s.sku = moves.id make the FROM item one get too.
    assert.deepEqual((await readsOf('UPDATE moves SET delta = 0 FROM stock s WHERE s.sku = moves.id AND moves.id = 2')).sort(), ['get moves', 'get stock']);
    const del = 'DELETE FROM stock USING (VALUES (2), (3)) v(k) WHERE stock.sku = v.k';
    assert.match(await explain(del), /Delete on stock\n[\s\S]*Lookup Join[\s\S]*Values Scan[\s\S]*Get on stock/);
    assert.deepEqual(await readsOf(del), ['get stock', 'get stock']);
    assert.deepEqual(await query('SELECT * FROM stock ORDER BY sku'), [[1, 9]]);
  });

  test('other equi-joins are hash joins that read each table once', async () => {
    const sql = 'SELECT count(*) FROM orders o JOIN accounts a ON a.balance = o.amount * 2';
    assert.match(await explain(sql), /Hash Join/);
    assert.deepEqual((await readsOf(sql)).sort(), ['scan:all accounts', 'scan:all orders']);
  });

  test('joins without an equality are nested loops; predicates of the preserved side of an outer join are pushed down', async () => {
    assert.match(await explain('SELECT * FROM orders o JOIN customers c ON c.id < o.customer_id'), /Nested Loop/);
    const plan = await explain('SELECT * FROM orders o LEFT JOIN accounts a ON a.balance > o.amount WHERE o.amount > 10 AND a.id IS NULL');
    assert.match(plan, /Filter\n\s+Condition: \(id IS NULL\)\n\s+->  Nested Loop Left/);
    assert.match(plan, /Seq Scan on orders\n\s+Storage Filter: amount GT 10/);
  });

  test('a WHERE over a view or derived table that renames columns goes down to the table read', async () => {
    await query("CREATE VIEW rich AS SELECT id AS ident, owner, balance * 2 AS doubled FROM accounts WHERE balance > 15");
    assert.match(await explain('SELECT * FROM rich WHERE ident = 3'), /Get on accounts\n\s+Key: \(id = 3\)/);
    assert.deepEqual(await readsOf('SELECT owner FROM rich WHERE ident = 3'), ['get accounts']);
    assert.deepEqual(await query('SELECT owner, doubled FROM rich WHERE ident = 3'), [['ann', 60]]);
    // The view's own condition still applies: account 1 has balance 10.
    assert.deepEqual(await query('SELECT owner FROM rich WHERE ident = 1'), []);
    assert.match(await explain("SELECT * FROM (SELECT id, owner FROM accounts) s WHERE owner = 'bob'"), /Index Scan using accounts_owner on accounts/);
    // A condition on a computed column stays above the view.
    assert.match(await explain('SELECT * FROM rich WHERE doubled = 60'), /Filter\n\s+Condition: \(doubled = 60\)/);
    assert.deepEqual(await query('SELECT ident FROM rich WHERE doubled = 60'), [[3]]);
    // Through a join, each side keeps its pushed-down predicate.
    assert.deepEqual((await readsOf('SELECT r.owner, o.amount FROM rich r JOIN orders o ON o.customer_id = r.ident WHERE r.ident = 3')).sort(), ['get accounts', 'scan:all orders filtered']);
    await query('DROP VIEW rich');
  });

  test('UPDATE and DELETE through a view by key are one get', async () => {
    await query('CREATE VIEW acct AS SELECT id, balance FROM accounts');
    assert.deepEqual(await readsOf('UPDATE acct SET balance = balance + 1 WHERE id = 2'), ['get accounts']);
    assert.deepEqual(await query('SELECT balance FROM accounts WHERE id = 2'), [[22]]);
    await query('DROP VIEW acct');
  });

  test('planned statements are cached by text and reused by the next Parse', async () => {
    const [a] = session.parse('SELECT balance FROM accounts WHERE id = $1');
    const first = await session.prepare(a!, []);
    const second = await session.prepare(a!, []);
    assert.equal(first, second);
    const typed = await session.prepare(a!, [20]);
    assert.notEqual(typed, first);
  });
});
