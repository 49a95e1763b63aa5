import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { CassandraStorage, MAX_MUTATION_BYTES, type CassandraStorageOptions } from '../../src/storage/cassandra.js';
import { isLearnPhaseTimeout, toStorageError } from '../../src/storage/cassandra-errors.js';
import {
  FatalStorageError, InvalidOperationError, NotAppliedError, StorageError, TransientStorageError, UnknownOutcomeError,
} from '../../src/storage/errors.js';
import type { ColumnPredicate, Mutation, Row, TableMetadata, TableRef, Value } from '../../src/storage/types.js';
import { cassandraTestNode, skipUnlessCassandra } from '../support/storages.js';
import { registerStorageConformance } from './conformance.js';

const skip = await skipUnlessCassandra();

/** Keyspaces of one suite share a fresh prefix, so suites never meet and are dropped at the end. */
function freshPrefix(): string {
  return `pg${Date.now().toString(36)}${randomBytes(2).toString('hex')}_`;
}

function openStorage(prefix: string, options: Partial<CassandraStorageOptions> = {}): CassandraStorage {
  return new CassandraStorage({
    contactPoints: [cassandraTestNode.host],
    port: cassandraTestNode.port,
    localDataCenter: 'datacenter1',
    replication: { strategy: 'SimpleStrategy', factor: 1 },
    keyspacePrefix: prefix,
    ...options,
  });
}

/** A plain driver session for looking at what the storage wrote, as another tool would. */
function cqlClient(): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [cassandraTestNode.host],
    protocolOptions: { port: cassandraTestNode.port },
    localDataCenter: 'datacenter1',
    encoding: { useBigIntAsLong: true },
  });
}

async function dropKeyspaces(prefix: string): Promise<void> {
  const client = cqlClient();
  try {
    const result = await client.execute('SELECT keyspace_name FROM system_schema.keyspaces');
    for (const row of result.rows) {
      const keyspace = row.get('keyspace_name') as string;
      if (keyspace.startsWith(prefix)) await client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`);
    }
  } finally {
    await client.shutdown();
  }
}

registerStorageConformance({
  name: 'Cassandra',
  skip,
  keepsNegativeZero: true,
  async open() {
    const prefix = freshPrefix();
    return {
      storage: openStorage(prefix, { name: 'cassandra' }),
      openAnother: async () => openStorage(prefix),
      destroy: () => dropKeyspaces(prefix),
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Cassandra-specific behaviour

const put = (ref: TableRef, partitionKey: Value[], clusteringKey: Value[] | undefined, values: Record<string, Value>, condition?: Mutation['condition']): Mutation =>
  ({ namespace: ref.namespace, table: ref.table, type: 'put', partitionKey, clusteringKey, values, ...(condition ? { condition } : {}) }) as Mutation;
const del = (ref: TableRef, partitionKey: Value[], clusteringKey: Value[] | undefined, condition?: Mutation['condition']): Mutation =>
  ({ namespace: ref.namespace, table: ref.table, type: 'delete', partitionKey, clusteringKey, ...(condition ? { condition } : {}) }) as Mutation;
const putIf = (ref: TableRef, pk: Value[], ck: Value[] | undefined, values: Record<string, Value>, ...predicates: ColumnPredicate[]) => put(ref, pk, ck, values, { kind: 'if', predicates });

async function expectError(promise: Promise<unknown>, kind: new (...args: never[]) => StorageError, code: string, what: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof kind, `${what}: expected ${kind.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal((e as StorageError).code, code, `${what}: SQLSTATE (${(e as Error).message})`);
    return true;
  });
}

describe('Cassandra storage', { skip }, () => {
  const prefix = skip ? '' : freshPrefix();
  let storage: CassandraStorage;
  let cql: cassandra.Client;
  const ns = 'cs';
  const ks = `${prefix}${ns}`;

  before(async () => {
    storage = openStorage(prefix);
    cql = cqlClient();
    await storage.admin.createNamespace(ns);
  });
  after(async () => {
    await storage?.close();
    await cql?.shutdown();
    if (!skip) await dropKeyspaces(prefix);
  });

  // -------------------------------------------------------------------------------------------
  describe('lightweight-transaction conditions follow the SQL semantics of the storage interface', () => {
    const t: TableMetadata = {
      namespace: ns,
      table: 'lwt',
      columns: [
        { name: 'k', type: 'INT' }, { name: 'c', type: 'INT' }, { name: 'a', type: 'INT' }, { name: 's', type: 'TEXT' },
        { name: 'd', type: 'DOUBLE' }, { name: 'ts', type: 'TIMESTAMPTZ' }, { name: 'f', type: 'FLOAT' },
      ],
      partitionKey: ['k'],
      clusteringKey: [{ name: 'c', order: 'ASC' }],
      secondaryIndexes: [],
    };
    const row = (c: number) => storage.get({ namespace: ns, table: 'lwt', partitionKey: [1], clusteringKey: [c] });
    /** Applies putIf(predicates) { s: marker } to record c and says whether it applied. */
    const applies = async (c: number, ...predicates: ColumnPredicate[]): Promise<boolean> => {
      const marker = `m${randomBytes(4).toString('hex')}`;
      try {
        await storage.mutate([putIf(t, [1], [c], { s: marker }, ...predicates)]);
      } catch (e) {
        if (e instanceof NotAppliedError) return false;
        throw e;
      }
      assert.equal((await row(c))?.s, marker, 'an applied putIf wrote its value');
      return true;
    };

    before(async () => {
      await storage.admin.createTable(t);
      await storage.mutate([put(t, [1], [1], { a: null, s: 'x', d: -0, ts: 1_000_000n })]);
    });

    it('Cassandra itself holds `col != v` true on NULL; the storage does not', async () => {
      const raw = await cql.execute(`UPDATE "${ks}"."lwt" SET s = 'raw' WHERE k = 1 AND c = 1 IF a != 5`, [], { serialConsistency: cassandra.types.consistencies.serial });
      assert.equal(raw.wasApplied(), true, 'raw CQL applies');
      assert.equal(await applies(1, { column: 'a', op: 'NE', value: 5 }), false);
    });

    it('a NULL column fails every comparison and IS_NOT_NULL, passes IS_NULL', async () => {
      for (const op of ['EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE'] as const) assert.equal(await applies(1, { column: 'a', op, value: 0 }), false, op);
      assert.equal(await applies(1, { column: 'a', op: 'IS_NOT_NULL' }), false);
      assert.equal(await applies(1, { column: 'a', op: 'IS_NULL' }), true);
      assert.equal(await applies(1, { column: 'a', op: 'IS_NULL' }, { column: 's', op: 'IS_NOT_NULL' }), true);
    });

    it('a comparison with a NULL operand is never true', async () => {
      for (const op of ['EQ', 'NE', 'GT', 'LTE'] as const) assert.equal(await applies(1, { column: 'a', op, value: null }), false, op);
    });

    it('IS_NULL on an absent record does not apply (Cassandra would apply and create it)', async () => {
      assert.equal(await applies(2, { column: 'a', op: 'IS_NULL' }), false);
      assert.equal(await row(2), null, 'no record was created');
      await expectError(storage.mutate([del(t, [1], [2], { kind: 'if', predicates: [{ column: 'a', op: 'IS_NULL' }] })]), NotAppliedError, '40001', 'deleteIf IS_NULL on an absent record');
      await expectError(storage.mutate([put(t, [1], [2], {}, { kind: 'ifExists' })]), NotAppliedError, '40001', 'putIfExists of no values on an absent record');
      assert.equal(await row(2), null);
    });

    it('-0 and 0 compare equal, as in SQL (Cassandra orders -0 below 0)', async () => {
      assert.ok(Object.is((await row(1))?.d, -0));
      assert.equal(await applies(1, { column: 'd', op: 'EQ', value: 0 }), true);
      assert.equal(await applies(1, { column: 'd', op: 'GTE', value: 0 }), true);
      assert.equal(await applies(1, { column: 'd', op: 'LTE', value: -0 }), true);
      assert.equal(await applies(1, { column: 'd', op: 'NE', value: 0 }), false);
      assert.equal(await applies(1, { column: 'd', op: 'GT', value: -0 }), false);
      assert.equal(await applies(1, { column: 'd', op: 'LT', value: 0 }), false);
    });

    it('comparisons with a sub-millisecond timestamp are exact although Cassandra keeps milliseconds', async () => {
      assert.equal(await applies(1, { column: 'ts', op: 'GT', value: 999_999n }), true);
      assert.equal(await applies(1, { column: 'ts', op: 'GTE', value: 1_000_001n }), false);
      assert.equal(await applies(1, { column: 'ts', op: 'LT', value: 1_000_001n }), true);
      assert.equal(await applies(1, { column: 'ts', op: 'LTE', value: 999_999n }), false);
      assert.equal(await applies(1, { column: 'ts', op: 'EQ', value: 1_000_001n }), false);
      assert.equal(await applies(1, { column: 'ts', op: 'NE', value: 1_000_001n }), true);
    });

    it('a FLOAT operand compares as a 4-byte float, in conditions and filters alike (as float4 parameters in SQL)', async () => {
      await storage.mutate([put(t, [1], [6], { f: 0.1 })]);
      assert.equal(await applies(6, { column: 'f', op: 'EQ', value: 0.1 }), true);
      await storage.mutate([put(t, [1], [6], { f: 0.1 }), putIf(t, [1], [6], { s: 'same' }, { column: 'f', op: 'EQ', value: Math.fround(0.1) })]);
      assert.deepEqual((await storage.scan({ namespace: ns, table: 'lwt', kind: 'all', filter: [[{ column: 'f', op: 'EQ', value: 0.1 }]], projection: ['c'] })), [{ c: 6 }]);
    });

    it('conditions on key columns are decided from the key (Cassandra refuses them)', async () => {
      assert.equal(await applies(1, { column: 'c', op: 'EQ', value: 1 }, { column: 's', op: 'IS_NOT_NULL' }), true);
      assert.equal(await applies(1, { column: 'k', op: 'GT', value: 1 }), false);
    });

    it('LIKE is checked on a SERIAL read and the write is conditioned on the value read', async () => {
      await storage.mutate([put(t, [1], [3], { s: 'apple' })]);
      assert.equal(await applies(3, { column: 's', op: 'LIKE', value: 'ap%' }), true);
      await storage.mutate([put(t, [1], [3], { s: 'apple' })]);
      assert.equal(await applies(3, { column: 's', op: 'NOT_LIKE', value: 'ap%' }), false);
      assert.equal(await applies(4, { column: 's', op: 'LIKE', value: '%' }), false, 'absent record');
      // Concurrent LIKE-conditioned updates of one record: exactly one applies each round.
      for (let round = 0; round < 3; round++) {
        await storage.mutate([put(t, [1], [5], { s: 'v0', a: 0 })]);
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => storage.mutate([
          putIf(t, [1], [5], { s: `w${i}` }, { column: 's', op: 'LIKE', value: 'v%' }),
        ])));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof NotAppliedError, String(r.reason));
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('a multi-mutation is one batch of one partition', () => {
    const t: TableMetadata = {
      namespace: ns,
      table: 'batch',
      columns: [{ name: 'p', type: 'TEXT' }, { name: 'c', type: 'INT' }, { name: 'v', type: 'BIGINT' }, { name: 'w', type: 'TEXT' }],
      partitionKey: ['p'],
      clusteringKey: [{ name: 'c', order: 'ASC' }],
      secondaryIndexes: [],
    };
    const other: TableMetadata = { ...t, table: 'batch_other' };
    const partition = async (p: string) => (await storage.scan({ namespace: ns, table: 'batch', kind: 'partition', partitionKey: [p] })).map((r) => [r.c, r.v, r.w]);

    before(async () => {
      await storage.admin.createTable(t);
      await storage.admin.createTable(other);
    });

    it('a failing condition anywhere in the batch applies none of it', async () => {
      await storage.mutate([put(t, ['a'], [1], { v: 1n }), put(t, ['a'], [2], { v: 2n })]);
      const before = await partition('a');
      await expectError(storage.mutate([
        put(t, ['a'], [1], { v: 10n }, { kind: 'ifExists' }),
        put(t, ['a'], [3], { v: 30n }, { kind: 'ifNotExists' }),
        del(t, ['a'], [2]),
        putIf(t, ['a'], [2], { v: 20n }, { column: 'v', op: 'EQ', value: 99n }),
      ]), NotAppliedError, '40001', 'batch with a false condition on its prior state');
      assert.deepEqual(await partition('a'), before);
      await expectError(storage.mutate([
        put(t, ['a'], [1], { v: 10n }, { kind: 'ifExists' }),
        putIf(t, ['a'], [1], { w: 'x' }, { column: 'v', op: 'EQ', value: 1n }),
      ]), NotAppliedError, '40001', 'a condition that sees an earlier mutation of the batch');
      assert.deepEqual(await partition('a'), before);
    });

    it('mutations of one record apply one after another, as the interface says (not as one CQL batch would)', async () => {
      await storage.mutate([
        put(t, ['b'], [1], { v: 1n, w: 'one' }),
        putIf(t, ['b'], [1], { v: 2n }, { column: 'v', op: 'EQ', value: 1n }),
        put(t, ['b'], [1], { v: 3n }),
        put(t, ['b'], [2], { v: 5n, w: 'gone' }),
        del(t, ['b'], [2]),
        put(t, ['b'], [2], { v: 6n }),
        put(t, ['b'], [3], { v: 7n }, { kind: 'ifNotExists' }),
        del(t, ['b'], [3]),
      ]);
      assert.deepEqual(await partition('b'), [[1, 3n, 'one'], [2, 6n, null]]);
      // Deleted and inserted again in one batch: the old columns are gone.
      await storage.mutate([del(t, ['b'], [1], { kind: 'ifExists' }), put(t, ['b'], [1], { v: 9n })]);
      assert.deepEqual(await partition('b'), [[1, 9n, null], [2, 6n, null]]);
    });

    it('readers never see half of a conditional batch', async () => {
      await storage.mutate([put(t, ['c'], [1], { v: 0n }), put(t, ['c'], [2], { v: 0n })]);
      let writing = true;
      const writer = (async () => {
        for (let v = 0n; v < 30n; v++) {
          await storage.mutate([
            putIf(t, ['c'], [1], { v: v + 1n }, { column: 'v', op: 'EQ', value: v }),
            putIf(t, ['c'], [2], { v: v + 1n }, { column: 'v', op: 'EQ', value: v }),
          ]);
        }
        writing = false;
      })();
      let reads = 0;
      while (writing || reads === 0) {
        const rows = await partition('c');
        assert.equal(rows[0]![1], rows[1]![1], 'both records carry the same version');
        reads++;
      }
      await writer;
      assert.deepEqual(await partition('c'), [[1, 30n, null], [2, 30n, null]]);
    });

    it('conditional puts with nothing to set work on records with every column NULL and on key-only tables', async () => {
      await storage.mutate([put(t, ['f'], [1], {})]);
      await storage.mutate([put(t, ['f'], [1], {}, { kind: 'ifExists' })]);
      await storage.mutate([putIf(t, ['f'], [1], {}, { column: 'v', op: 'IS_NULL' })]);
      assert.deepEqual(await partition('f'), [[1, null, null]]);
      const keys: TableMetadata = { namespace: ns, table: 'keys_only', columns: [{ name: 'a', type: 'INT' }, { name: 'b', type: 'INT' }], partitionKey: ['a'], clusteringKey: [{ name: 'b', order: 'ASC' }], secondaryIndexes: [] };
      await storage.admin.createTable(keys);
      const ref = { namespace: ns, table: 'keys_only' };
      await expectError(storage.mutate([put(keys, [1], [1], {}, { kind: 'ifExists' })]), NotAppliedError, '40001', 'putIfExists of an absent key-only record');
      await storage.mutate([put(keys, [1], [1], {}, { kind: 'ifNotExists' }), put(keys, [1], [2], {})]);
      await storage.mutate([put(keys, [1], [1], {}, { kind: 'ifExists' })]);
      await expectError(storage.mutate([put(keys, [1], [2], {}, { kind: 'ifNotExists' })]), NotAppliedError, '40001', 'putIfNotExists of a present key-only record');
      await storage.mutate([del(keys, [1], [2], { kind: 'ifExists' })]);
      assert.deepEqual(await storage.scan({ ...ref, kind: 'partition', partitionKey: [1] }), [{ a: 1, b: 1 }]);
    });

    it('refuses a multi-mutation spanning partitions or tables (0A000), applying none of it', async () => {
      await expectError(storage.mutate([put(t, ['d'], [1], { v: 1n }), put(t, ['e'], [1], { v: 1n })]), InvalidOperationError, '0A000', 'two partitions');
      await expectError(storage.mutate([put(t, ['d'], [1], { v: 1n }), put(other, ['d'], [1], { v: 1n })]), InvalidOperationError, '0A000', 'two tables');
      assert.deepEqual(await partition('d'), []);
      assert.deepEqual(await partition('e'), []);
      assert.equal(storage.atomicityUnit, 'partition');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('values Cassandra cannot hold are refused, never stored approximately', () => {
    const t: TableMetadata = {
      namespace: ns,
      table: 'limits',
      columns: [{ name: 'k', type: 'TEXT' }, { name: 'at', type: 'TIMESTAMP' }, { name: 'tz', type: 'TIMESTAMPTZ' }, { name: 'tm', type: 'TIME' }, { name: 'x', type: 'BLOB' }],
      partitionKey: ['k'],
      clusteringKey: [{ name: 'at', order: 'DESC' }],
      secondaryIndexes: ['tz'],
    };
    const two: TableMetadata = { namespace: ns, table: 'two_keys', columns: [{ name: 'a', type: 'TEXT' }, { name: 'b', type: 'BLOB' }, { name: 'v', type: 'INT' }], partitionKey: ['a', 'b'], clusteringKey: [], secondaryIndexes: [] };

    before(async () => {
      await storage.admin.createTable(t);
      await storage.admin.createTable(two);
    });

    it('declares what it cannot hold', () => {
      assert.deepEqual(storage.capabilities, { timestampPrecisionMicros: false, timeOf24Hours: false, emptyPartitionKey: false, maxMutationBytes: MAX_MUTATION_BYTES });
    });

    it('a timestamp with a sub-millisecond part is refused (22008); milliseconds round-trip exactly', async () => {
      await expectError(storage.mutate([put(t, ['a'], [1_000_000n], { tz: 1_700_000_000_123_456n })]), InvalidOperationError, '22008', 'sub-ms value');
      await expectError(storage.mutate([put(t, ['a'], [1_000_001n], {})]), InvalidOperationError, '22008', 'sub-ms clustering key');
      await expectError(storage.mutate([del(t, ['a'], [-1n])]), InvalidOperationError, '22008', 'sub-ms key in a delete');
      for (const at of [1_000_000n, -1_000n, 9_223_372_036_854_775_000n, -210_866_803_200_000_000n]) {
        await storage.mutate([put(t, ['a'], [at], { tz: at })]);
        assert.deepEqual(await storage.get({ namespace: ns, table: 'limits', partitionKey: ['a'], clusteringKey: [at], projection: ['at', 'tz'] }), { at, tz: at });
      }
    });

    it('reads, bounds, filters and index scans with a sub-millisecond timestamp are exact', async () => {
      const ref = { namespace: ns, table: 'limits' };
      assert.equal(await storage.get({ ...ref, partitionKey: ['a'], clusteringKey: [1_000_001n] }), null);
      const ats = async (start?: bigint, startInclusive = true, end?: bigint, endInclusive = true) => (await storage.scan({
        ...ref, kind: 'partition', partitionKey: ['a'],
        start: start === undefined ? undefined : { key: [start], inclusive: startInclusive },
        end: end === undefined ? undefined : { key: [end], inclusive: endInclusive },
      })).map((r) => r.at);
      assert.deepEqual(await ats(999_999n, false, 1_000_001n, false), [1_000_000n]);
      assert.deepEqual(await ats(1_000_001n), [9_223_372_036_854_775_000n]);
      assert.deepEqual(await ats(undefined, true, -999n), [-1_000n, -210_866_803_200_000_000n]);
      assert.deepEqual(await ats(-999n, true, 999_999n), []);
      assert.deepEqual((await storage.scan({ ...ref, kind: 'all', filter: [[{ column: 'tz', op: 'GT', value: -1_001n }, { column: 'tz', op: 'LT', value: 1_000_001n }]] })).map((r) => r.at).sort(), [-1_000n, 1_000_000n].sort());
      assert.deepEqual(await storage.scan({ ...ref, kind: 'index', column: 'tz', value: 1_000_001n }), []);
      assert.deepEqual((await storage.scan({ ...ref, kind: 'index', column: 'tz', value: 1_000_000n })).map((r) => r.at), [1_000_000n]);
    });

    it('TIME 24:00:00 is refused (22008); 23:59:59.999999 round-trips', async () => {
      await expectError(storage.mutate([put(t, ['b'], [0n], { tm: 86_400_000_000n })]), InvalidOperationError, '22008', 'TIME 24:00');
      await storage.mutate([put(t, ['b'], [0n], { tm: 86_399_999_999n })]);
      assert.equal((await storage.get({ namespace: ns, table: 'limits', partitionKey: ['b'], clusteringKey: [0n] }))?.tm, 86_399_999_999n);
    });

    it('an empty one-column partition key is refused (0A000); in a composite partition key it is fine', async () => {
      await expectError(storage.mutate([put(t, [''], [0n], {})]), InvalidOperationError, '0A000', 'empty partition key');
      assert.equal(await storage.get({ namespace: ns, table: 'limits', partitionKey: [''], clusteringKey: [0n] }), null);
      await storage.mutate([put(two, ['', new Uint8Array(0)], undefined, { v: 1 })]);
      assert.deepEqual(await storage.get({ namespace: ns, table: 'two_keys', partitionKey: ['', new Uint8Array(0)] }), { a: '', b: Buffer.alloc(0), v: 1 });
    });

    it('a key component over 65535 bytes is refused (54000), so is a request over the frame limit', async () => {
      await expectError(storage.mutate([put(t, ['x'.repeat(65_536)], [0n], {})]), InvalidOperationError, '54000', 'long key');
      await expectError(storage.mutate([put(t, ['c'], [0n], { x: Buffer.alloc(MAX_MUTATION_BYTES / 2) }), put(t, ['c'], [1_000n], { x: Buffer.alloc(MAX_MUTATION_BYTES / 2) })]), InvalidOperationError, '54000', 'two halves of the limit and the keys');
      assert.deepEqual(await storage.scan({ namespace: ns, table: 'limits', kind: 'partition', partitionKey: ['c'] }), []);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('scans page through more rows than one page', () => {
    let paged: CassandraStorage;
    const t: TableMetadata = {
      namespace: ns,
      table: 'paging',
      columns: [{ name: 'p', type: 'INT' }, { name: 'c', type: 'INT' }, { name: 'v', type: 'INT' }],
      partitionKey: ['p'],
      clusteringKey: [{ name: 'c', order: 'DESC' }],
      secondaryIndexes: ['v'],
    };
    const ref = { namespace: ns, table: 'paging' };
    const PARTITIONS = 45;
    const WIDE = 40;

    before(async () => {
      paged = openStorage(prefix, { fetchSize: 7 });
      await storage.admin.createTable(t);
      await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => storage.mutate([put(t, [p], [0], { v: p % 5 })])));
      for (let c = 1; c <= WIDE; c += 10) {
        await storage.mutate(Array.from({ length: 10 }, (_, i) => put(t, [1000], [c + i], { v: 100 + c + i })));
      }
    });
    after(() => paged?.close());

    it('a cross-partition scan returns every record, limited and filtered across pages', async () => {
      const all = await paged.scan({ ...ref, kind: 'all' });
      assert.equal(all.length, PARTITIONS + WIDE);
      assert.equal(new Set(all.map((r) => `${r.p}/${r.c}`)).size, all.length, 'no record twice');
      assert.equal((await paged.scan({ ...ref, kind: 'all', limit: 23 })).length, 23);
      const filtered = await paged.scan({ ...ref, kind: 'all', filter: [[{ column: 'v', op: 'EQ', value: 3 }]], projection: ['p'] });
      assert.deepEqual(filtered.map((r) => r.p).sort((a, b) => (a as number) - (b as number)), Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % 5 === 3));
      assert.equal((await paged.scan({ ...ref, kind: 'all', filter: [[{ column: 'v', op: 'GTE', value: 100 }]], limit: 12 })).length, 12);
    });

    it('a partition scan keeps clustering order across pages, in both directions', async () => {
      const cs = (rows: Row[]) => rows.map((r) => r.c);
      const desc = Array.from({ length: WIDE }, (_, i) => WIDE - i);
      assert.deepEqual(cs(await paged.scan({ ...ref, kind: 'partition', partitionKey: [1000] })), desc);
      assert.deepEqual(cs(await paged.scan({ ...ref, kind: 'partition', partitionKey: [1000], reverse: true })), [...desc].reverse());
      assert.deepEqual(cs(await paged.scan({ ...ref, kind: 'partition', partitionKey: [1000], limit: 15 })), desc.slice(0, 15));
      assert.deepEqual(cs(await paged.scan({ ...ref, kind: 'partition', partitionKey: [1000], start: { key: [5], inclusive: false }, end: { key: [30], inclusive: true } })), desc.filter((c) => c > 5 && c <= 30));
    });

    it('an index scan pages too', async () => {
      assert.equal((await paged.scan({ ...ref, kind: 'index', column: 'v', value: 2 })).length, PARTITIONS / 5);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The on-storage layout is ScalarDB 3.16's (CassandraAdmin)

const EVERY_TYPE: TableMetadata = {
  namespace: 'lay',
  table: 't',
  columns: [
    { name: 'p', type: 'INT' },
    { name: 'c1', type: 'INT' },
    { name: 'c2', type: 'TEXT' },
    { name: 'vs', type: 'TEXT' },
    { name: 'vi', type: 'INT' },
    { name: 'b', type: 'BOOLEAN' },
    { name: 'bi', type: 'BIGINT' },
    { name: 'f', type: 'FLOAT' },
    { name: 'd', type: 'DOUBLE' },
    { name: 'x', type: 'BLOB' },
    { name: 'dt', type: 'DATE' },
    { name: 'tm', type: 'TIME' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'tz', type: 'TIMESTAMPTZ' },
  ],
  partitionKey: ['p'],
  clusteringKey: [{ name: 'c1', order: 'ASC' }, { name: 'c2', order: 'DESC' }],
  secondaryIndexes: ['vs', 'vi'],
};

/**
 * The statements ScalarDB 3.16's CassandraAdmin runs for createNamespace("lay") and createTable of
 * EVERY_TYPE as "scalardb_t" (SchemaBuilder output; the TIMESTAMP column, which ScalarDB refuses on
 * Cassandra, is a CQL timestamp as TIMESTAMPTZ would be).
 */
function scalardbStatements(keyspace: string): string[] {
  return [
    `CREATE TABLE ${keyspace}.scalardb_t(
      p int, c1 int, c2 text, vs text, vi int, b boolean, bi bigint, f float, d double, x blob, dt date, tm time, ts timestamp, tz timestamp,
      PRIMARY KEY(p, c1, c2))
      WITH CLUSTERING ORDER BY(c1 ASC, c2 DESC) AND compaction = {'class' : 'SizeTieredCompactionStrategy'}`,
    `CREATE INDEX scalardb_t_index_vs ON ${keyspace}.scalardb_t(vs)`,
    `CREATE INDEX scalardb_t_index_vi ON ${keyspace}.scalardb_t(vi)`,
  ];
}

describe("Cassandra on-storage layout is ScalarDB 3.16's (CassandraAdmin)", { skip }, () => {
  const prefix = skip ? '' : freshPrefix();
  const ks = `${prefix}lay`;
  let storage: CassandraStorage;
  let cql: cassandra.Client;
  const rows = async (query: string, params: unknown[] = []) => (await cql.execute(query, params, { prepare: true })).rows.map((r) => ({ ...r }) as Record<string, unknown>);

  before(async () => {
    storage = openStorage(prefix);
    cql = cqlClient();
    await storage.admin.createNamespace('lay');
    await storage.admin.createTable(EVERY_TYPE);
    for (const statement of scalardbStatements(`"${ks}"`)) await cql.execute(statement);
  });
  after(async () => {
    await storage?.close();
    await cql?.shutdown();
    if (!skip) await dropKeyspaces(prefix);
  });

  it('a namespace is a keyspace with the configured replication; ScalarDB\'s "scalardb" keyspace is created with the first table', async () => {
    assert.deepEqual(await rows('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [ks]), [
      { replication: { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' } },
    ]);
    assert.equal((await rows('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [`${prefix}scalardb`])).length, 1);
    assert.equal(await storage.admin.namespaceExists('scalardb'), true);
    assert.deepEqual(await storage.admin.listNamespaces(), ['lay']);
  });

  it('creates the same columns, keys, clustering order and compaction as CassandraAdmin', async () => {
    const columnsOf = async (table: string) => (await rows('SELECT column_name, kind, position, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [ks, table]));
    const ours = await columnsOf('t');
    assert.deepEqual(ours, await columnsOf('scalardb_t'));
    assert.deepEqual(ours.filter((c) => c.kind !== 'regular'), [
      { column_name: 'c1', kind: 'clustering', position: 0, clustering_order: 'asc', type: 'int' },
      { column_name: 'c2', kind: 'clustering', position: 1, clustering_order: 'desc', type: 'text' },
      { column_name: 'p', kind: 'partition_key', position: 0, clustering_order: 'none', type: 'int' },
    ]);
    assert.deepEqual(Object.fromEntries(ours.map((c) => [c.column_name, c.type])), {
      b: 'boolean', bi: 'bigint', c1: 'int', c2: 'text', d: 'double', dt: 'date', f: 'float', p: 'int', tm: 'time', ts: 'timestamp', tz: 'timestamp', vi: 'int', vs: 'text', x: 'blob',
    });
    const tableOptions = async (table: string) => (await rows('SELECT compaction FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [ks, table]))[0];
    assert.deepEqual(await tableOptions('t'), await tableOptions('scalardb_t'));
  });

  it('names secondary indexes <table>_index_<column>', async () => {
    const indexes = await rows('SELECT table_name, index_name, kind, options FROM system_schema.indexes WHERE keyspace_name = ?', [ks]);
    assert.deepEqual(indexes.filter((i) => i.table_name === 't').map(({ table_name: _, ...i }) => i), [
      { index_name: 't_index_vi', kind: 'COMPOSITES', options: { target: 'vi' } },
      { index_name: 't_index_vs', kind: 'COMPOSITES', options: { target: 'vs' } },
    ]);
    assert.deepEqual(indexes.filter((i) => i.table_name === 'scalardb_t').map((i) => i.options), [{ target: 'vi' }, { target: 'vs' }]);
  });

  it('keeps the column order and TIMESTAMP (a CQL timestamp) in the table comment, which ScalarDB ignores', async () => {
    assert.deepEqual(await storage.admin.getTableMetadata(EVERY_TYPE), EVERY_TYPE);
    const [{ comment }] = (await rows('SELECT comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [ks, 't'])) as [{ comment: string }];
    assert.deepEqual(JSON.parse(comment), { polygres: { columns: EVERY_TYPE.columns.map((c) => c.name), timestamp: ['ts'] } });
  });

  it('reads a table ScalarDB created as ScalarDB reads it: non-key columns by name, timestamp as TIMESTAMPTZ', async () => {
    const ref = { namespace: 'lay', table: 'scalardb_t' };
    const metadata = await storage.admin.getTableMetadata(ref);
    const byName = (names: string[]) => names.map((name) => ({ name, type: name === 'ts' ? 'TIMESTAMPTZ' : EVERY_TYPE.columns.find((c) => c.name === name)!.type }));
    assert.deepEqual(metadata, {
      ...ref,
      columns: byName(['p', 'c1', 'c2', 'b', 'bi', 'd', 'dt', 'f', 'tm', 'ts', 'tz', 'vi', 'vs', 'x']),
      partitionKey: ['p'],
      clusteringKey: EVERY_TYPE.clusteringKey,
      secondaryIndexes: ['vi', 'vs'],
    });
    await cql.execute(`INSERT INTO "${ks}".scalardb_t (p, c1, c2, vs, vi, b, bi, f, d, x, dt, tm, ts, tz)
      VALUES (1, 2, 'k', 'idx', 7, true, -5, 0.5, -0.0, 0x0102, '1969-12-31', '00:00:01.5', '2024-02-29 12:00:00.123+0000', '1970-01-01 00:00:00+0000')`);
    assert.deepEqual(await storage.get({ ...ref, partitionKey: [1], clusteringKey: [2, 'k'] }), {
      p: 1, c1: 2, c2: 'k', b: true, bi: -5n, d: -0, dt: -1, f: 0.5, tm: 1_500_000n, ts: 1_709_208_000_123_000n, tz: 0n, vi: 7, vs: 'idx', x: Buffer.from([1, 2]),
    });
    assert.deepEqual((await storage.scan({ ...ref, kind: 'index', column: 'vs', value: 'idx' })).map((r) => r.c2), ['k']);
  });

  it('writes native CQL values that ScalarDB (and any CQL client) reads back', async () => {
    await storage.mutate([{
      namespace: 'lay', table: 't', type: 'put', partitionKey: [1], clusteringKey: [2, 'k'],
      values: { vs: 'v', b: false, bi: 2n ** 62n, f: 0.25, d: 1.5, x: new Uint8Array([255]), dt: 19_782, tm: 43_200_000_001n, ts: 1_709_208_000_123_000n, tz: -1_000n },
    }]);
    const [row] = (await cql.execute(`SELECT * FROM "${ks}".t WHERE p = 1 AND c1 = 2 AND c2 = 'k'`)).rows;
    assert.ok(row);
    assert.equal(row.get('vs'), 'v');
    assert.equal(row.get('bi'), 2n ** 62n);
    assert.equal(row.get('f'), 0.25);
    assert.equal(String(row.get('dt')), '2024-02-29');
    assert.equal(String(row.get('tm')), '12:00:00.000001');
    assert.equal((row.get('ts') as Date).toISOString(), '2024-02-29T12:00:00.123Z');
    assert.equal((row.get('tz') as Date).getTime(), -1);
    assert.deepEqual(row.get('x'), Buffer.from([255]));
  });

  it('adds a column at the end and drops indexes whatever their name', async () => {
    await storage.admin.addColumn(EVERY_TYPE, { name: 'added', type: 'TIMESTAMP' });
    assert.deepEqual((await storage.admin.getTableMetadata(EVERY_TYPE))?.columns.at(-1), { name: 'added', type: 'TIMESTAMP' });
    await cql.execute(`CREATE INDEX other_name ON "${ks}".t (bi)`);
    assert.deepEqual((await storage.admin.getTableMetadata(EVERY_TYPE))?.secondaryIndexes, ['vs', 'vi', 'bi']);
    await storage.admin.dropIndex(EVERY_TYPE, 'bi');
    assert.deepEqual((await storage.admin.getTableMetadata(EVERY_TYPE))?.secondaryIndexes, ['vs', 'vi']);
  });

  it('refuses names Cassandra cannot hold', async () => {
    await expectError(storage.admin.createNamespace('no-dash'), InvalidOperationError, '42602', 'keyspace name with a dash');
    await expectError(storage.admin.createNamespace('n'.repeat(49)), InvalidOperationError, '42622', 'keyspace name over 48 characters');
    const unprefixed = openStorage('');
    try {
      await expectError(unprefixed.admin.createNamespace('system_mine'), InvalidOperationError, '42939', 'a name Cassandra reserves');
    } finally {
      await unprefixed.close();
    }
    await expectError(storage.admin.createNamespace('scalardb'), InvalidOperationError, '42939', "ScalarDB's system namespace");
    await expectError(storage.admin.createTable({ ...EVERY_TYPE, table: 'with space' }), InvalidOperationError, '42602', 'table name with a space');
    await storage.admin.createTable({ namespace: 'lay', table: 'odd', columns: [{ name: 'k', type: 'INT' }, { name: 'odd col', type: 'INT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] });
    await expectError(storage.admin.createIndex({ namespace: 'lay', table: 'odd' }, 'odd col'), InvalidOperationError, '42602', 'an index name with a space');
  });
});

// ---------------------------------------------------------------------------------------------
// Failures become typed storage errors

const codes = cassandra.types.responseErrorCodes;
const responseError = (code: number, fields: Record<string, unknown> = {}, message = 'server said no') => Object.assign(new cassandra.errors.ResponseError(code, message), fields);

describe('Cassandra failures map to typed storage errors (no Cassandra needed)', () => {
  it('by what they mean for a write (most cannot be provoked on one node)', () => {
    const kind = (e: unknown, phase: Parameters<typeof toStorageError>[1]) => {
      const mapped = toStorageError(e, phase);
      return `${mapped.kind} ${mapped.code}`;
    };
    const casTimeout = responseError(codes.writeTimeout, { writeType: 'CAS' });
    const learnTimeout = responseError(codes.writeTimeout, { writeType: 'SIMPLE' });
    assert.equal(kind(casTimeout, 'conditional-write'), 'unknown-outcome 40003');
    assert.equal(isLearnPhaseTimeout(casTimeout), false);
    assert.equal(isLearnPhaseTimeout(learnTimeout), true);
    assert.equal(kind(learnTimeout, 'write'), 'unknown-outcome 40003');
    assert.equal(kind(responseError(codes.writeTimeout, { writeType: 'BATCH_LOG' }), 'write'), 'transient 40001');
    assert.equal(kind(responseError(codes.writeFailure, { writeType: 'SIMPLE' }), 'write'), 'unknown-outcome 40003');
    assert.equal(kind(responseError(codes.unavailableException), 'conditional-write'), 'transient 40001');
    assert.equal(kind(responseError(codes.readTimeout), 'read'), 'transient 40001');
    assert.equal(kind(responseError(codes.readTimeout), 'conditional-write'), 'transient 40001');
    assert.equal(kind(responseError(codes.overloaded), 'write'), 'transient 57P03');
    assert.equal(kind(responseError(codes.serverError), 'write'), 'unknown-outcome 40003');
    assert.equal(kind(responseError(codes.serverError), 'read'), 'fatal 58000');
    assert.equal(kind(responseError(codes.invalid, {}, 'unconfigured table t'), 'read'), 'invalid 42P01');
    assert.equal(kind(responseError(codes.invalid, {}, 'Undefined column name z in table ks.t'), 'write'), 'invalid 42703');
    assert.equal(kind(responseError(codes.alreadyExists, { keyspace: 'ks', table: 't' }), 'ddl'), 'invalid 42P07');
    assert.equal(kind(responseError(codes.alreadyExists, { keyspace: 'ks' }), 'ddl'), 'invalid 42P06');
    assert.equal(kind(responseError(codes.unprepared), 'read'), 'invalid 42P01');
    assert.equal(kind(new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED 127.0.0.1:9042') }), 'write'), 'fatal 08001');
    assert.equal(kind(new cassandra.errors.NoHostAvailableError({}), 'read'), 'fatal 08001');
    assert.equal(kind(new cassandra.errors.NoHostAvailableError({ h: responseError(codes.overloaded) }), 'write'), 'transient 57P03');
    assert.equal(kind(new cassandra.errors.OperationTimedOutError('no answer'), 'conditional-write'), 'unknown-outcome 40003');
    assert.equal(kind(new cassandra.errors.OperationTimedOutError('no answer'), 'read'), 'transient 08006');
    assert.equal(kind(Object.assign(new Error('Socket was closed'), { isSocketError: true, requestNotWritten: true }), 'write'), 'transient 08006');
    assert.equal(kind(Object.assign(new Error('Socket was closed'), { isSocketError: true }), 'write'), 'unknown-outcome 40003');
  });

  it('an unreachable node is a fatal 08001, for reads, writes and DDL', async () => {
    const unreachable = openStorage('x_', { port: 1, connectTimeoutMs: 1000 });
    try {
      await expectError(unreachable.get({ namespace: 'n', table: 't', partitionKey: [1] }), FatalStorageError, '08001', 'get');
      await expectError(unreachable.mutate([put({ namespace: 'n', table: 't' }, [1], undefined, {})]), FatalStorageError, '08001', 'mutate');
      await expectError(unreachable.admin.createNamespace('n'), FatalStorageError, '08001', 'createNamespace');
    } finally {
      await unreachable.close();
    }
    await expectError(unreachable.get({ namespace: 'n', table: 't', partitionKey: [1] }), FatalStorageError, '08003', 'a closed storage');
  });
});

describe('Cassandra writes interrupted by a timeout (the driver client fails on purpose; the Cassandra is real)', { skip }, () => {
  const prefix = skip ? '' : freshPrefix();
  let storage: CassandraStorage;
  /** The next write request fails with this error, after running (apply) or without running. */
  let fault: { error: Error; apply: boolean } | null = null;
  const t: TableMetadata = { namespace: 'flt', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'TEXT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
  const ref = { namespace: 'flt', table: 't' };
  const value = async (k: number) => (await storage.get({ ...ref, partitionKey: [k] }))?.v ?? null;

  before(async () => {
    const real = cqlClient();
    const faulty = new Proxy(real, {
      get(target, property, receiver) {
        const member = Reflect.get(target, property, receiver) as unknown;
        if (typeof member !== 'function') return member;
        const method = member as (...args: unknown[]) => unknown;
        if ((property !== 'execute' && property !== 'batch') || !fault) return method.bind(target);
        return async (...args: unknown[]) => {
          const injected = fault;
          const query = String(property === 'batch' ? 'BATCH' : args[0]);
          if (!injected || /^SELECT/.test(query)) return method.apply(target, args);
          fault = null;
          if (injected.apply) await method.apply(target, args);
          throw injected.error;
        };
      },
    });
    storage = openStorage(prefix, { client: faulty });
    await storage.admin.createNamespace('flt');
    await storage.admin.createTable(t);
    await storage.mutate([put(t, [1], undefined, { v: 'a' })]);
  });
  after(async () => {
    await storage?.close();
    if (!skip) await dropKeyspaces(prefix);
  });

  it('a commit-phase (SIMPLE) timeout of an applied LWT is confirmed by a SERIAL read: success', async () => {
    fault = { error: responseError(codes.writeTimeout, { writeType: 'SIMPLE' }), apply: true };
    await storage.mutate([putIf(t, [1], undefined, { v: 'b' }, { column: 'v', op: 'EQ', value: 'a' })]);
    assert.equal(await value(1), 'b');
  });

  it('a SIMPLE timeout whose write cannot be read back is an unknown outcome', async () => {
    fault = { error: responseError(codes.writeTimeout, { writeType: 'SIMPLE' }), apply: false };
    await expectError(storage.mutate([putIf(t, [1], undefined, { v: 'c' }, { column: 'v', op: 'EQ', value: 'b' })]), UnknownOutcomeError, '40003', 'unconfirmed');
    assert.equal(await value(1), 'b');
  });

  it('a Paxos-phase (CAS) timeout is an unknown outcome', async () => {
    fault = { error: responseError(codes.writeTimeout, { writeType: 'CAS' }), apply: true };
    await expectError(storage.mutate([put(t, [2], undefined, { v: 'x' }, { kind: 'ifNotExists' })]), UnknownOutcomeError, '40003', 'CAS timeout');
  });

  it('Unavailable is transient and applied nothing', async () => {
    fault = { error: responseError(codes.unavailableException), apply: false };
    await expectError(storage.mutate([put(t, [3], undefined, { v: 'y' })]), TransientStorageError, '40001', 'unavailable');
    assert.equal(await value(3), null);
    await storage.mutate([put(t, [3], undefined, { v: 'y' })]);
    assert.equal(await value(3), 'y');
  });
});
