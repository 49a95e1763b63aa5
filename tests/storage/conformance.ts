/**
 * The storage conformance suite: what every Storage adapter must do, registered as node:test suites
 * for any adapter factory. SQLite, PostgreSQL and Cassandra run it, so every multi-mutation here
 * stays inside one partition of one table (the smallest atomicity unit), and all names are plain
 * [a-z0-9_]. Values a storage declares it cannot hold (Storage.capabilities) are checked to be refused
 * instead of round-tripping; a storage without capabilities must hold them all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ClusteringBound, ColumnPredicate, DataType, Filter, Key, Mutation, Row, Storage, StorageCapabilities, TableMetadata, TableRef, Value,
} from '../../src/storage/types.js';
import { DATA_TYPES } from '../../src/storage/types.js';
import { InvalidOperationError, NotAppliedError, StorageError } from '../../src/storage/errors.js';
import {
  BIGINT_MAX, BIGINT_MIN, DATE_MAX_DAYS, DATE_MIN_DAYS, FLOAT_MAX, INT_MAX, INT_MIN, MAX_BLOB_BYTES, MAX_TEXT_BYTES,
  TIME_MAX_MICROS, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS,
} from '../../src/storage/values.js';

export interface StorageFixture {
  /** The storage under test; the suite closes it at the end. */
  readonly storage: Storage;
  /** Another instance on the same data (another connection / process view); the caller closes it. */
  openAnother(): Promise<Storage>;
  /** Removes the data (after every storage instance is closed). */
  destroy(): Promise<void>;
}

export interface ConformanceOptions {
  /** Suite title, e.g. "SQLite". */
  readonly name: string;
  /** A skip reason, or false to run. */
  readonly skip: string | false;
  /** A fresh, empty storage. */
  open(): Promise<StorageFixture>;
  /** Whether a DOUBLE/FLOAT -0 reads back as -0 (SQLite stores it as 0). */
  readonly keepsNegativeZero: boolean;
}

// ---------------------------------------------------------------------------------------------
// Helpers: the behaviour model the assertions compare against.

/** Rows with Uint8Array values as Buffers, so deepStrictEqual compares bytes, not prototypes. */
function normalize<T extends Row | null>(row: T): T {
  if (row === null) return row;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Uint8Array ? Buffer.from(v) : v;
  return out as T;
}
const normalizeAll = (rows: readonly Row[]): Row[] => rows.map((r) => normalize(r));

/** The order of each type's values (NaN after every number, TEXT by code point, BLOB bytewise). */
function compareValues(type: DataType, a: Value, b: Value): number {
  switch (type) {
    case 'BOOLEAN':
      return Number(a) - Number(b);
    case 'TEXT':
      return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
    case 'BLOB':
      return Buffer.compare(a as Uint8Array, b as Uint8Array);
    default: {
      const an = typeof a === 'number' && Number.isNaN(a);
      const bn = typeof b === 'number' && Number.isNaN(b);
      if (an || bn) return Number(an) - Number(bn);
      return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
    }
  }
}

/** SQL LIKE with `\` as escape, as a regular expression. */
function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') source += escapeRegExp(pattern[++i] ?? '');
    else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'u');
}
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A predicate with SQL's NULL semantics: any comparison involving NULL is false. */
function holds(type: DataType, p: ColumnPredicate, value: Value): boolean {
  if (p.op === 'IS_NULL') return value === null;
  if (p.op === 'IS_NOT_NULL') return value !== null;
  if (value === null || p.value === null || p.value === undefined) return false;
  if (p.op === 'LIKE') return likeToRegExp(p.value as string).test(value as string);
  if (p.op === 'NOT_LIKE') return !likeToRegExp(p.value as string).test(value as string);
  const c = compareValues(type, value, p.value);
  return { EQ: c === 0, NE: c !== 0, GT: c > 0, GTE: c >= 0, LT: c < 0, LTE: c <= 0 }[p.op];
}

async function rejects(promise: Promise<unknown>, kind: new (...args: never[]) => StorageError, code: string, what: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof kind, `${what}: expected ${kind.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal((e as StorageError).code, code, `${what}: SQLSTATE (${(e as Error).message})`);
    return true;
  });
}

/** Only the namespace and table of a table's metadata, for building operations. */
function refOf(table: TableRef): TableRef {
  return { namespace: table.namespace, table: table.table };
}

function put(ref: TableRef, partitionKey: Key, clusteringKey: Key | undefined, values: Record<string, Value>, condition?: Mutation['condition']): Mutation {
  return { ...refOf(ref), type: 'put', partitionKey, clusteringKey, values, ...(condition ? { condition } : {}) } as Mutation;
}
function del(ref: TableRef, partitionKey: Key, clusteringKey: Key | undefined, condition?: Mutation['condition']): Mutation {
  return { ...refOf(ref), type: 'delete', partitionKey, clusteringKey, ...(condition ? { condition } : {}) } as Mutation;
}

/** Edge values of every type, in no particular order; FLOAT values are 4-byte floats. */
const EDGE_VALUES: Record<DataType, Value[]> = {
  BOOLEAN: [true, false],
  INT: [0, INT_MAX, -1, INT_MIN, 1, 1_000_000],
  BIGINT: [0n, BIGINT_MAX, -1n, BIGINT_MIN, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n],
  FLOAT: [0, Math.fround(0.1), -Infinity, Infinity, NaN, FLOAT_MAX, -FLOAT_MAX, Math.fround(1.4e-45), -1.5, Math.fround(1e-38)],
  DOUBLE: [0, 0.1, -Infinity, Infinity, NaN, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1e300, -1e-300, 2 ** 53 + 2],
  TEXT: ['', 'a', 'A', 'z', 'ab', 'a b', 'é', 'ß', '中文', '\uFFFD', '😀', '𝄞 music', 'line\nbreak', "quote'\"", '%_\\'],
  BLOB: [new Uint8Array([]), new Uint8Array([0]), new Uint8Array([0, 0]), new Uint8Array([0, 1]), new Uint8Array([1]), new Uint8Array([127]), new Uint8Array([128]), new Uint8Array([255]), new Uint8Array([255, 255])],
  DATE: [0, -1, 1, DATE_MIN_DAYS, DATE_MAX_DAYS, 19_723, -719_162],
  TIME: [0n, 1n, 43_200_000_000n, 86_399_999_999n, TIME_MAX_MICROS],
  TIMESTAMP: [0n, -1n, 1n, TIMESTAMP_MIN_MICROS, TIMESTAMP_MAX_MICROS, 1_700_000_000_123_456n, -62_135_596_800_000_001n],
  TIMESTAMPTZ: [0n, -1n, 1n, TIMESTAMP_MIN_MICROS, TIMESTAMP_MAX_MICROS, 1_700_000_000_123_456n, 253_402_300_799_999_999n],
};

/** Values of each type for a non-key column that are not keys anywhere: -0 is equal to 0 as a key. */
const NEGATIVE_ZERO_TYPES: DataType[] = ['FLOAT', 'DOUBLE'];

const lower = (t: DataType) => t.toLowerCase();

/**
 * The edge values a storage with `capabilities` holds, and those it must refuse with a SQLSTATE
 * (a storage without capabilities holds them all). A timestamp in milliseconds replaces each
 * sub-millisecond edge by the storable value just below it.
 */
function storableEdgeValues(type: DataType, capabilities: StorageCapabilities | undefined): { values: Value[]; refused: [Value, string][] } {
  const values = EDGE_VALUES[type];
  if (!capabilities) return { values, refused: [] };
  if ((type === 'TIMESTAMP' || type === 'TIMESTAMPTZ') && !capabilities.timestampPrecisionMicros) {
    const millis = (v: bigint) => (v / 1000n - (v < 0n && v % 1000n !== 0n ? 1n : 0n)) * 1000n;
    const kept = [...new Set(values.map((v) => millis(v as bigint)))];
    return { values: kept, refused: values.filter((v) => (v as bigint) % 1000n !== 0n).map((v) => [v, '22008']) };
  }
  if (type === 'TIME' && !capabilities.timeOf24Hours) {
    return { values: values.filter((v) => v !== TIME_MAX_MICROS), refused: [[TIME_MAX_MICROS, '22008']] };
  }
  return { values, refused: [] };
}

/** Whether a value can be a one-column partition key of a storage with `capabilities`. */
function storableAsPartitionKey(value: Value, capabilities: StorageCapabilities | undefined): boolean {
  if (!capabilities || capabilities.emptyPartitionKey) return true;
  return !(value === '' || (value instanceof Uint8Array && value.byteLength === 0));
}

// ---------------------------------------------------------------------------------------------

export function registerStorageConformance(options: ConformanceOptions): void {
  describe(`${options.name} storage conformance`, { skip: options.skip }, () => {
    let fixture: StorageFixture;
    let storage: Storage;

    before(async () => {
      fixture = await options.open();
      storage = fixture.storage;
    });
    after(async () => {
      await storage?.close();
      await fixture?.destroy();
    });

    // -------------------------------------------------------------------------------------------
    describe('admin', () => {
      const ns = 'adm';
      const people: TableMetadata = {
        namespace: ns,
        table: 'people',
        columns: [
          { name: 'name', type: 'TEXT' },
          { name: 'id', type: 'INT' },
          { name: 'age', type: 'INT' },
        ],
        partitionKey: ['id'],
        clusteringKey: [],
        secondaryIndexes: [],
      };

      it('creates, lists and drops namespaces', async () => {
        assert.equal(await storage.admin.namespaceExists(ns), false);
        await storage.admin.createNamespace(ns);
        assert.equal(await storage.admin.namespaceExists(ns), true);
        await storage.admin.createNamespace(ns, { ifNotExists: true });
        await rejects(storage.admin.createNamespace(ns), InvalidOperationError, '42P06', 'duplicate namespace');
        await storage.admin.createNamespace('adm_empty');
        assert.deepEqual((await storage.admin.listNamespaces()).filter((n) => n.startsWith('adm')), ['adm', 'adm_empty']);
        await storage.admin.dropNamespace('adm_empty');
        assert.equal(await storage.admin.namespaceExists('adm_empty'), false);
        await storage.admin.dropNamespace('adm_empty', { ifExists: true });
        await rejects(storage.admin.dropNamespace('adm_empty'), InvalidOperationError, '3F000', 'drop of a missing namespace');
      });

      it('creates a table whose metadata lists key columns first', async () => {
        await storage.admin.createTable(people);
        const metadata = await storage.admin.getTableMetadata(people);
        assert.deepEqual(metadata, {
          namespace: ns,
          table: 'people',
          columns: [{ name: 'id', type: 'INT' }, { name: 'name', type: 'TEXT' }, { name: 'age', type: 'INT' }],
          partitionKey: ['id'],
          clusteringKey: [],
          secondaryIndexes: [],
        });
        assert.deepEqual(await storage.admin.listTables(ns), ['people']);
        await storage.admin.createTable(people, { ifNotExists: true });
        await rejects(storage.admin.createTable(people), InvalidOperationError, '42P07', 'duplicate table');
        assert.equal(await storage.admin.getTableMetadata({ namespace: ns, table: 'nope' }), null);
        await rejects(storage.admin.createTable({ ...people, namespace: 'adm_missing' }), InvalidOperationError, '3F000', 'table in a missing namespace');
        await rejects(storage.admin.listTables('adm_missing'), InvalidOperationError, '3F000', 'tables of a missing namespace');
      });

      it('refuses to drop a namespace that still has tables (2BP01)', async () => {
        await rejects(storage.admin.dropNamespace(ns), InvalidOperationError, '2BP01', 'drop of a non-empty namespace');
        assert.equal(await storage.admin.namespaceExists(ns), true);
      });

      it('truncates a table', async () => {
        await storage.mutate([put(people, [1], undefined, { name: 'ann' })]);
        await storage.mutate([put(people, [2], undefined, { name: 'bob' })]);
        await storage.admin.truncateTable(people);
        assert.deepEqual(await storage.scan({ ...refOf(people), kind: 'all' }), []);
        await rejects(storage.admin.truncateTable({ namespace: ns, table: 'nope' }), InvalidOperationError, '42P01', 'truncate of a missing table');
      });

      it('adds a column, NULL in existing records', async () => {
        await storage.mutate([put(people, [1], undefined, { name: 'ann', age: 30 })]);
        await storage.admin.addColumn(people, { name: 'email', type: 'TEXT' });
        const metadata = await storage.admin.getTableMetadata(people);
        assert.deepEqual(metadata?.columns.at(-1), { name: 'email', type: 'TEXT' });
        assert.deepEqual(await storage.get({ ...refOf(people), partitionKey: [1] }), { id: 1, name: 'ann', age: 30, email: null });
        await storage.mutate([put(people, [1], undefined, { email: 'ann@example.com' })]);
        assert.equal((await storage.get({ ...refOf(people), partitionKey: [1], projection: ['email'] }))?.email, 'ann@example.com');
        await rejects(storage.admin.addColumn(people, { name: 'email', type: 'TEXT' }), InvalidOperationError, '42701', 'duplicate column');
      });

      it('creates and drops secondary indexes', async () => {
        await storage.mutate([put(people, [2], undefined, { name: 'bob', age: 30 })]);
        await rejects(storage.scan({ ...refOf(people), kind: 'index', column: 'age', value: 30 }), InvalidOperationError, '42704', 'index scan without an index');
        await storage.admin.createIndex(people, 'age');
        await storage.admin.createIndex(people, 'age', { ifNotExists: true });
        await rejects(storage.admin.createIndex(people, 'age'), InvalidOperationError, '42P07', 'duplicate index');
        await storage.admin.createIndex(people, 'name');
        assert.deepEqual((await storage.admin.getTableMetadata(people))?.secondaryIndexes, ['name', 'age']);
        const thirty = await storage.scan({ ...refOf(people), kind: 'index', column: 'age', value: 30 });
        assert.deepEqual(thirty.map((r) => r.id).sort(), [1, 2]);
        assert.deepEqual(normalizeAll(await storage.scan({ ...refOf(people), kind: 'index', column: 'name', value: 'bob', projection: ['id'] })), [{ id: 2 }]);
        await storage.admin.dropIndex(people, 'age');
        await storage.admin.dropIndex(people, 'age', { ifExists: true });
        await rejects(storage.admin.dropIndex(people, 'age'), InvalidOperationError, '42704', 'drop of a missing index');
        await rejects(storage.admin.createIndex(people, 'nope'), InvalidOperationError, '42703', 'index on a missing column');
        assert.deepEqual((await storage.admin.getTableMetadata(people))?.secondaryIndexes, ['name']);
        await rejects(storage.scan({ ...refOf(people), kind: 'index', column: 'age', value: 30 }), InvalidOperationError, '42704', 'index scan after drop');
        // A TEXT index changes the physical column type in some storages; the values stay.
        await storage.admin.dropIndex(people, 'name');
        assert.equal((await storage.get({ ...refOf(people), partitionKey: [2] }))?.name, 'bob');
      });

      it('keeps metadata and records across closing and reopening the storage', async () => {
        const first = await fixture.openAnother();
        const kept: TableMetadata = {
          namespace: ns,
          table: 'kept',
          columns: [{ name: 'k', type: 'BIGINT' }, { name: 'c', type: 'TEXT' }, { name: 'v', type: 'BLOB' }, { name: 'w', type: 'DOUBLE' }],
          partitionKey: ['k'],
          clusteringKey: [{ name: 'c', order: 'DESC' }],
          secondaryIndexes: ['w'],
        };
        await first.admin.createTable(kept);
        await first.mutate([put(kept, [7n], ['x'], { v: new Uint8Array([1, 2]), w: 1.5 })]);
        await first.close();
        const second = await fixture.openAnother();
        try {
          assert.deepEqual(await second.admin.getTableMetadata(kept), kept);
          assert.deepEqual(normalize(await second.get({ ...refOf(kept), partitionKey: [7n], clusteringKey: ['x'] })), { k: 7n, c: 'x', v: Buffer.from([1, 2]), w: 1.5 });
        } finally {
          await second.close();
        }
      });

      it("sees another instance's DDL: new tables, new columns, dropped tables", async () => {
        const other = await fixture.openAnother();
        try {
          const shared: TableMetadata = { namespace: ns, table: 'shared', columns: [{ name: 'k', type: 'INT' }, { name: 'a', type: 'TEXT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
          assert.equal(await storage.admin.getTableMetadata(shared), null);
          await other.admin.createTable(shared);
          assert.deepEqual(await storage.admin.getTableMetadata(shared), shared);
          await storage.mutate([put(shared, [1], undefined, { a: 'x' })]);
          await other.admin.addColumn(shared, { name: 'b', type: 'INT' });
          // This instance cached the table without "b"; it re-reads the metadata rather than refuse the column.
          await storage.mutate([put(shared, [1], undefined, { b: 5 })]);
          assert.deepEqual(await other.get({ ...refOf(shared), partitionKey: [1] }), { k: 1, a: 'x', b: 5 });
          // Dropped and created again with other columns: this instance's cached metadata is stale.
          await other.admin.dropTable(shared);
          await other.admin.createTable({ ...shared, columns: [{ name: 'k', type: 'INT' }, { name: 'c', type: 'BIGINT' }] });
          await other.mutate([put(shared, [2], undefined, { c: 2n })]);
          assert.deepEqual(await storage.get({ ...refOf(shared), partitionKey: [2] }), { k: 2, c: 2n });
          await storage.mutate([put(shared, [3], undefined, { c: 3n })]);
          await other.admin.dropTable(shared);
          assert.equal(await other.admin.getTableMetadata(shared), null);
          await rejects(storage.get({ ...refOf(shared), partitionKey: [2] }), InvalidOperationError, '42P01', 'get from a table another instance dropped');
        } finally {
          await other.close();
        }
      });

      it('drops tables, then the empty namespace', async () => {
        await rejects(storage.admin.dropTable({ namespace: ns, table: 'nope' }), InvalidOperationError, '42P01', 'drop of a missing table');
        await storage.admin.dropTable({ namespace: ns, table: 'nope' }, { ifExists: true });
        for (const table of await storage.admin.listTables(ns)) await storage.admin.dropTable({ namespace: ns, table });
        assert.equal(await storage.admin.getTableMetadata(people), null);
        assert.deepEqual(await storage.admin.listTables(ns), []);
        await rejects(storage.get({ ...refOf(people), partitionKey: [1] }), InvalidOperationError, '42P01', 'get from a dropped table');
        await storage.admin.dropNamespace(ns);
        assert.equal(await storage.admin.namespaceExists(ns), false);
        // A table of the same name can be created again from scratch.
        await storage.admin.createNamespace(ns);
        await storage.admin.createTable(people);
        assert.equal(await storage.get({ ...refOf(people), partitionKey: [1] }), null);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('gets, puts and deletes', () => {
      const ns = 'crud';
      const items: TableMetadata = {
        namespace: ns,
        table: 'items',
        columns: [
          { name: 'shop', type: 'TEXT' },
          { name: 'sku', type: 'INT' },
          { name: 'name', type: 'TEXT' },
          { name: 'price', type: 'DOUBLE' },
          { name: 'stock', type: 'BIGINT' },
        ],
        partitionKey: ['shop'],
        clusteringKey: [{ name: 'sku', order: 'ASC' }],
        secondaryIndexes: [],
      };
      const key = (sku: number) => ({ ...refOf(items), partitionKey: ['s1'], clusteringKey: [sku] });

      before(async () => {
        await storage.admin.createNamespace(ns);
        await storage.admin.createTable(items);
      });

      it('reads null for an absent record and the whole record after a put', async () => {
        assert.equal(await storage.get(key(1)), null);
        await storage.mutate([put(items, ['s1'], [1], { name: 'pen', price: 1.25, stock: 10n })]);
        assert.deepEqual(await storage.get(key(1)), { shop: 's1', sku: 1, name: 'pen', price: 1.25, stock: 10n });
      });

      it('projects the named columns only', async () => {
        assert.deepEqual(await storage.get({ ...key(1), projection: ['stock', 'name'] }), { stock: 10n, name: 'pen' });
        assert.deepEqual(await storage.get({ ...key(1), projection: ['sku'] }), { sku: 1 });
      });

      it('an unconditional put inserts with NULLs and updates only the given columns', async () => {
        await storage.mutate([put(items, ['s1'], [2], { name: 'ink' })]);
        assert.deepEqual(await storage.get(key(2)), { shop: 's1', sku: 2, name: 'ink', price: null, stock: null });
        await storage.mutate([put(items, ['s1'], [2], { price: 3.5 })]);
        assert.deepEqual(await storage.get(key(2)), { shop: 's1', sku: 2, name: 'ink', price: 3.5, stock: null });
        await storage.mutate([put(items, ['s1'], [2], { name: null })]);
        assert.deepEqual(await storage.get(key(2)), { shop: 's1', sku: 2, name: null, price: 3.5, stock: null });
        await storage.mutate([put(items, ['s1'], [3], {})]);
        assert.deepEqual(await storage.get(key(3)), { shop: 's1', sku: 3, name: null, price: null, stock: null });
        await storage.mutate([put(items, ['s1'], [3], {})]);
      });

      it('an unconditional delete removes the record, and deleting an absent record is not an error', async () => {
        await storage.mutate([del(items, ['s1'], [3])]);
        assert.equal(await storage.get(key(3)), null);
        await storage.mutate([del(items, ['s1'], [3])]);
        await storage.mutate([]);
      });

      it('putIfNotExists applies only when the record is absent', async () => {
        await storage.mutate([put(items, ['s1'], [10], { name: 'a', stock: 1n }, { kind: 'ifNotExists' })]);
        assert.equal((await storage.get(key(10)))?.name, 'a');
        await rejects(storage.mutate([put(items, ['s1'], [10], { name: 'b' }, { kind: 'ifNotExists' })]), NotAppliedError, '40001', 'putIfNotExists on a present record');
        assert.equal((await storage.get(key(10)))?.name, 'a');
      });

      it('putIfExists applies only when the record is present', async () => {
        await storage.mutate([put(items, ['s1'], [10], { name: 'b' }, { kind: 'ifExists' })]);
        assert.deepEqual(await storage.get(key(10)), { shop: 's1', sku: 10, name: 'b', price: null, stock: 1n });
        await rejects(storage.mutate([put(items, ['s1'], [11], { name: 'x' }, { kind: 'ifExists' })]), NotAppliedError, '40001', 'putIfExists on an absent record');
        assert.equal(await storage.get(key(11)), null);
        await storage.mutate([put(items, ['s1'], [10], {}, { kind: 'ifExists' })]);
        await rejects(storage.mutate([put(items, ['s1'], [11], {}, { kind: 'ifExists' })]), NotAppliedError, '40001', 'putIfExists of no values on an absent record');
      });

      it("putIf applies only when the record is present and every predicate holds", async () => {
        const ifStock = (predicates: ColumnPredicate[], values: Record<string, Value>) => storage.mutate([put(items, ['s1'], [10], values, { kind: 'if', predicates })]);
        await ifStock([{ column: 'stock', op: 'EQ', value: 1n }], { stock: 2n });
        await ifStock([{ column: 'stock', op: 'GT', value: 1n }, { column: 'name', op: 'EQ', value: 'b' }, { column: 'price', op: 'IS_NULL' }], { stock: 3n });
        await ifStock([{ column: 'stock', op: 'NE', value: 1n }, { column: 'stock', op: 'LTE', value: 3n }, { column: 'stock', op: 'GTE', value: 3n }, { column: 'stock', op: 'LT', value: 4n }], { price: 9.5 });
        await ifStock([{ column: 'price', op: 'IS_NOT_NULL' }, { column: 'name', op: 'LIKE', value: 'b%' }, { column: 'name', op: 'NOT_LIKE', value: 'c%' }], { name: 'c' });
        assert.deepEqual(await storage.get(key(10)), { shop: 's1', sku: 10, name: 'c', price: 9.5, stock: 3n });
        for (const predicates of [
          [{ column: 'stock', op: 'EQ', value: 1n }],
          [{ column: 'stock', op: 'EQ', value: 3n }, { column: 'name', op: 'EQ', value: 'zzz' }],
          [{ column: 'price', op: 'IS_NULL' }],
          [{ column: 'stock', op: 'NE', value: 3n }],
          // A comparison with NULL is false, as in SQL.
          [{ column: 'stock', op: 'EQ', value: null }],
          [{ column: 'stock', op: 'NE', value: null }],
        ] as ColumnPredicate[][]) {
          await rejects(ifStock(predicates, { stock: 100n }), NotAppliedError, '40001', `putIf ${JSON.stringify(predicates, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
        assert.equal((await storage.get(key(10)))?.stock, 3n);
        await rejects(storage.mutate([put(items, ['s1'], [12], { stock: 1n }, { kind: 'if', predicates: [{ column: 'stock', op: 'IS_NULL' }] })]), NotAppliedError, '40001', 'putIf on an absent record');
        assert.equal(await storage.get(key(12)), null);
      });

      it('a NULL column fails every comparison but IS_NULL', async () => {
        await storage.mutate([put(items, ['s1'], [13], { name: null, stock: null })]);
        for (const op of ['EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE'] as const) {
          await rejects(storage.mutate([put(items, ['s1'], [13], { name: 'x' }, { kind: 'if', predicates: [{ column: 'stock', op, value: 0n }] })]), NotAppliedError, '40001', `${op} on NULL`);
        }
        await rejects(storage.mutate([put(items, ['s1'], [13], { name: 'x' }, { kind: 'if', predicates: [{ column: 'name', op: 'NOT_LIKE', value: 'a%' }] })]), NotAppliedError, '40001', 'NOT_LIKE on NULL');
        await storage.mutate([put(items, ['s1'], [13], { name: 'x' }, { kind: 'if', predicates: [{ column: 'stock', op: 'IS_NULL' }] })]);
        assert.equal((await storage.get(key(13)))?.name, 'x');
      });

      it('deleteIfExists and deleteIf apply only when their condition holds', async () => {
        await rejects(storage.mutate([del(items, ['s1'], [99], { kind: 'ifExists' })]), NotAppliedError, '40001', 'deleteIfExists on an absent record');
        await rejects(storage.mutate([del(items, ['s1'], [99], { kind: 'if', predicates: [{ column: 'stock', op: 'IS_NULL' }] })]), NotAppliedError, '40001', 'deleteIf on an absent record');
        await rejects(storage.mutate([del(items, ['s1'], [10], { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 4n }] })]), NotAppliedError, '40001', 'deleteIf with a false predicate');
        assert.notEqual(await storage.get(key(10)), null);
        await storage.mutate([del(items, ['s1'], [10], { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 3n }, { column: 'name', op: 'EQ', value: 'c' }] })]);
        assert.equal(await storage.get(key(10)), null);
        await storage.mutate([del(items, ['s1'], [13], { kind: 'ifExists' })]);
        assert.equal(await storage.get(key(13)), null);
      });

      it('applies a multi-mutation atomically: all of it, or nothing when any condition fails', async () => {
        await storage.mutate([
          put(items, ['s2'], [1], { name: 'one', stock: 1n }),
          put(items, ['s2'], [2], { name: 'two', stock: 2n }, { kind: 'ifNotExists' }),
          put(items, ['s2'], [3], { name: 'three' }),
          del(items, ['s2'], [3]),
          put(items, ['s2'], [1], { stock: 10n }, { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 1n }] }),
        ]);
        const state = async () => normalizeAll(await storage.scan({ ...refOf(items), kind: 'partition', partitionKey: ['s2'] }));
        const before = await state();
        assert.deepEqual(before.map((r) => [r.sku, r.name, r.stock]), [[1, 'one', 10n], [2, 'two', 2n]]);
        for (const [failing, what] of [
          [put(items, ['s2'], [1], { name: 'again' }, { kind: 'ifNotExists' }), 'a putIfNotExists of a present record'],
          [put(items, ['s2'], [9], { name: 'x' }, { kind: 'ifExists' }), 'a putIfExists of an absent record'],
          [del(items, ['s2'], [1], { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 1n }] }), 'a deleteIf with a false predicate'],
        ] as const) {
          await rejects(storage.mutate([
            put(items, ['s2'], [1], { name: 'changed' }),
            del(items, ['s2'], [2]),
            put(items, ['s2'], [5], { name: 'new' }, { kind: 'ifNotExists' }),
            failing,
          ]), NotAppliedError, '40001', what);
          assert.deepEqual(await state(), before, `nothing applied after ${what}`);
        }
      });

      it('applies a multi-mutation of distinct records atomically: all of it, or nothing when any condition fails', async () => {
        await storage.mutate([
          put(items, ['s4'], [1], { name: 'one', stock: 1n }, { kind: 'ifNotExists' }),
          put(items, ['s4'], [2], { name: 'two', stock: 2n }),
          put(items, ['s4'], [3], { name: 'three', stock: 3n }, { kind: 'ifNotExists' }),
        ]);
        await storage.mutate([
          put(items, ['s4'], [1], { stock: 10n }, { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 1n }] }),
          put(items, ['s4'], [2], { name: 'deux' }, { kind: 'ifExists' }),
          del(items, ['s4'], [3], { kind: 'if', predicates: [{ column: 'name', op: 'EQ', value: 'three' }] }),
          put(items, ['s4'], [4], { name: 'four' }, { kind: 'ifNotExists' }),
        ]);
        const state = async () => normalizeAll(await storage.scan({ ...refOf(items), kind: 'partition', partitionKey: ['s4'] }));
        const before = await state();
        assert.deepEqual(before.map((r) => [r.sku, r.name, r.stock]), [[1, 'one', 10n], [2, 'deux', 2n], [4, 'four', null]]);
        for (const [failing, what] of [
          [put(items, ['s4'], [4], { name: 'again' }, { kind: 'ifNotExists' }), 'a putIfNotExists of a present record'],
          [put(items, ['s4'], [9], { name: 'x' }, { kind: 'ifExists' }), 'a putIfExists of an absent record'],
          [put(items, ['s4'], [4], { name: 'x' }, { kind: 'if', predicates: [{ column: 'stock', op: 'IS_NOT_NULL' }] }), 'a putIf with a false predicate'],
          [del(items, ['s4'], [9], { kind: 'ifExists' }), 'a deleteIfExists of an absent record'],
          [del(items, ['s4'], [4], { kind: 'if', predicates: [{ column: 'name', op: 'EQ', value: 'x' }] }), 'a deleteIf with a false predicate'],
        ] as const) {
          for (const position of ['first', 'last'] as const) {
            const others = [
              put(items, ['s4'], [1], { name: 'changed' }, { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: 10n }] }),
              del(items, ['s4'], [2]),
              put(items, ['s4'], [5], { name: 'new' }, { kind: 'ifNotExists' }),
              put(items, ['s4'], [6], { name: 'upserted' }),
            ];
            const batch = position === 'first' ? [failing, ...others] : [...others, failing];
            await rejects(storage.mutate(batch), NotAppliedError, '40001', `${what} (${position})`);
            assert.deepEqual(await state(), before, `nothing applied after ${what} (${position})`);
          }
        }
      });

      it('N concurrent conditional multi-mutations of the same records: exactly one applies, all of it', async () => {
        const other = await fixture.openAnother();
        try {
          const contenders = 10;
          await storage.mutate([put(items, ['mcas'], [1], { stock: 0n }), put(items, ['mcas'], [2], { stock: 0n })]);
          for (let round = 0n; round < 3n; round++) {
            const cas = (sku: number, i: number) => put(items, ['mcas'], [sku], { stock: round + 1n, name: `winner ${i}` }, { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: round }] });
            const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => {
              // Half of the contenders name the records in the other order; each also inserts a record of its own.
              const own = put(items, ['mcas'], [100 + Number(round) * contenders + i], { name: `own ${i}` }, { kind: 'ifNotExists' });
              const batch = i % 2 === 0 ? [cas(1, i), cas(2, i), own] : [own, cas(2, i), cas(1, i)];
              return (i % 3 === 0 ? other : storage).mutate(batch);
            }));
            const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
            assert.equal(won.length, 1, `round ${round}: exactly one winner`);
            for (const r of results) {
              if (r.status === 'rejected') assert.ok(r.reason instanceof NotAppliedError, `losers see NotAppliedError, got ${String(r.reason)}`);
            }
            const rows = normalizeAll(await storage.scan({ ...refOf(items), kind: 'partition', partitionKey: ['mcas'] }));
            assert.deepEqual(rows.filter((r) => (r.sku as number) < 100).map((r) => [r.sku, r.stock, r.name]), [[1, round + 1n, `winner ${won[0]}`], [2, round + 1n, `winner ${won[0]}`]]);
            const owns = rows.filter((r) => (r.sku as number) >= 100 + Number(round) * contenders);
            assert.deepEqual(owns.map((r) => r.name), [`own ${won[0]}`], 'only the winner inserted its own record');
          }
        } finally {
          await other.close();
        }
      });

      it('concurrent multi-mutations naming the same records in opposite orders all apply', async () => {
        const other = await fixture.openAnother();
        try {
          const writers = Array.from({ length: 8 }, async (_, i) => {
            for (let n = 0; n < 10; n++) {
              const a = put(items, ['order'], [1], { stock: BigInt(i * 100 + n) });
              const b = put(items, ['order'], [2], { stock: BigInt(i * 100 + n) });
              await (i % 2 === 0 ? storage : other).mutate(i % 4 < 2 ? [a, b] : [b, a]);
            }
          });
          await Promise.all(writers);
          const rows = await storage.scan({ ...refOf(items), kind: 'partition', partitionKey: ['order'] });
          assert.equal(rows.length, 2);
          assert.equal(rows[0]!.stock, rows[1]!.stock, 'the last multi-mutation applied to both records');
        } finally {
          await other.close();
        }
      });

      it('never lets a reader observe half of a multi-mutation', async () => {
        await storage.mutate([put(items, ['s3'], [1], { stock: 0n }), put(items, ['s3'], [2], { stock: 0n })]);
        let writing = true;
        const writer = (async () => {
          for (let v = 1n; v <= 40n; v++) await storage.mutate([put(items, ['s3'], [1], { stock: v }), put(items, ['s3'], [2], { stock: v })]);
          writing = false;
        })();
        let reads = 0;
        while (writing || reads === 0) {
          const rows = await storage.scan({ ...refOf(items), kind: 'partition', partitionKey: ['s3'] });
          assert.equal(rows.length, 2);
          assert.equal(rows[0]!.stock, rows[1]!.stock, 'both records carry the same version');
          reads++;
        }
        await writer;
        assert.equal((await storage.get({ ...refOf(items), partitionKey: ['s3'], clusteringKey: [2] }))?.stock, 40n);
      });

      it('N concurrent conditional updates of one record: exactly one applies', async () => {
        const other = await fixture.openAnother();
        try {
          const contenders = 12;
          await storage.mutate([put(items, ['cas'], [1], { stock: 0n, name: null })]);
          for (let round = 0n; round < 3n; round++) {
            const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => (i % 2 === 0 ? storage : other).mutate([
              put(items, ['cas'], [1], { stock: round + 1n, name: `winner ${i}` }, { kind: 'if', predicates: [{ column: 'stock', op: 'EQ', value: round }] }),
            ])));
            const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
            assert.equal(won.length, 1, `round ${round}: exactly one winner`);
            for (const r of results) {
              if (r.status === 'rejected') assert.ok(r.reason instanceof NotAppliedError, `losers see NotAppliedError, got ${String(r.reason)}`);
            }
            assert.deepEqual(await storage.get({ ...refOf(items), partitionKey: ['cas'], clusteringKey: [1], projection: ['stock', 'name'] }), { stock: round + 1n, name: `winner ${won[0]}` });
          }
          // Concurrent inserts of one absent record: exactly one applies too.
          const inserts = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => (i % 2 === 0 ? storage : other).mutate([
            put(items, ['cas'], [2], { name: `inserter ${i}` }, { kind: 'ifNotExists' }),
          ])));
          assert.equal(inserts.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one insert applies');
        } finally {
          await other.close();
        }
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('partition scans on a clustering key (c1 ASC, c2 DESC)', () => {
      const ns = 'pscan';
      const events: TableMetadata = {
        namespace: ns,
        table: 'events',
        columns: [
          { name: 'p', type: 'INT' },
          { name: 'c1', type: 'INT' },
          { name: 'c2', type: 'TEXT' },
          { name: 'v', type: 'INT' },
        ],
        partitionKey: ['p'],
        clusteringKey: [{ name: 'c1', order: 'ASC' }, { name: 'c2', order: 'DESC' }],
        secondaryIndexes: [],
      };
      const C1 = [1, 2, 3];
      const C2 = ['a', 'b', 'c'];
      /** Partition 1 in clustering order. */
      const ordered: Row[] = C1.flatMap((c1) => [...C2].reverse().map((c2) => ({ p: 1, c1, c2, v: c1 * 10 + C2.indexOf(c2) })));

      before(async () => {
        await storage.admin.createNamespace(ns);
        await storage.admin.createTable(events);
        // Inserted out of order: (i * 5) mod 9 is a permutation of 0..8.
        const shuffled = ordered.map((_, i) => ordered[(i * 5) % ordered.length]!);
        for (const row of shuffled) await storage.mutate([put(events, [1], [row.c1!, row.c2!], { v: row.v! })]);
        // Neighbouring partitions that must never leak into partition 1.
        await storage.mutate([put(events, [0], [2, 'b'], { v: -1 })]);
        await storage.mutate([put(events, [2], [2, 'b'], { v: -2 })]);
      });

      function inRange(row: Row, bound: ClusteringBound | undefined, isStart: boolean): boolean {
        if (!bound) return true;
        const values = [row.c1!, row.c2!];
        const types: DataType[] = ['INT', 'TEXT'];
        const last = bound.key.length - 1;
        for (let i = 0; i < last; i++) if (compareValues(types[i]!, values[i]!, bound.key[i]!) !== 0) return false;
        const c = compareValues(types[last]!, values[last]!, bound.key[last]!);
        return isStart ? (bound.inclusive ? c >= 0 : c > 0) : bound.inclusive ? c <= 0 : c < 0;
      }

      it('returns the partition in clustering order, reversed on request', async () => {
        assert.deepEqual(await storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [1] }), ordered);
        assert.deepEqual(await storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [1], reverse: true }), [...ordered].reverse());
        assert.deepEqual(await storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [9] }), []);
      });

      it('matches the model for every bound, inclusiveness, direction and limit', async () => {
        const bounds: (Key | undefined)[] = [undefined, [1], [2], [3], [0], [4], [2, 'a'], [2, 'b'], [2, 'c'], [2, '0'], [2, 'd']];
        let checked = 0;
        for (const startKey of bounds) {
          for (const endKey of bounds) {
            if (startKey && endKey && (startKey.length !== endKey.length || (startKey.length === 2 && startKey[0] !== endKey[0]))) continue;
            for (const startInclusive of startKey ? [true, false] : [true]) {
              for (const endInclusive of endKey ? [true, false] : [true]) {
                const start = startKey && { key: startKey, inclusive: startInclusive };
                const end = endKey && { key: endKey, inclusive: endInclusive };
                for (const reverse of [false, true]) {
                  for (const limit of [0, 1, 2, 100]) {
                    let expected = ordered.filter((r) => inRange(r, start, true) && inRange(r, end, false));
                    if (reverse) expected = expected.reverse();
                    if (limit) expected = expected.slice(0, limit);
                    const actual = await storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [1], start, end, reverse, limit });
                    assert.deepEqual(actual, expected, `start=${JSON.stringify(start)} end=${JSON.stringify(end)} reverse=${reverse} limit=${limit}`);
                    checked++;
                  }
                }
              }
            }
          }
        }
        assert.ok(checked > 500);
      });

      it('projects columns in a partition scan', async () => {
        assert.deepEqual(await storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [1], projection: ['v'], limit: 2 }), [{ v: 12 }, { v: 11 }]);
      });

      it('rejects malformed bounds (22023)', async () => {
        const scan = (start?: ClusteringBound, end?: ClusteringBound) => storage.scan({ ...refOf(events), kind: 'partition', partitionKey: [1], start, end });
        await rejects(scan({ key: [1], inclusive: true }, { key: [2, 'a'], inclusive: true }), InvalidOperationError, '22023', 'bounds of different lengths');
        await rejects(scan({ key: [1, 'a'], inclusive: true }, { key: [2, 'a'], inclusive: true }), InvalidOperationError, '22023', 'bounds with different prefixes');
        await rejects(scan({ key: [1, 'a', 'x'], inclusive: true }), InvalidOperationError, '22023', 'a bound longer than the clustering key');
        await rejects(scan({ key: [], inclusive: true }), InvalidOperationError, '22023', 'an empty bound');
        await rejects(scan({ key: ['1'], inclusive: true }), InvalidOperationError, '42804', 'a bound of the wrong type');
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('index scans and scans of all records', () => {
      const ns = 'scans';
      const people: TableMetadata = {
        namespace: ns,
        table: 'people',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'name', type: 'TEXT' },
          { name: 'city', type: 'TEXT' },
          { name: 'age', type: 'INT' },
          { name: 'score', type: 'DOUBLE' },
        ],
        partitionKey: ['id'],
        clusteringKey: [],
        secondaryIndexes: ['city'],
      };
      const rows: Row[] = [
        { id: 1, name: 'Alice', city: 'Tokyo', age: 30, score: 1.5 },
        { id: 2, name: 'alice', city: 'Osaka', age: 25, score: null },
        { id: 3, name: 'Bob', city: 'Tokyo', age: null, score: 3 },
        { id: 4, name: '100% real', city: null, age: 40, score: -1 },
        { id: 5, name: 'a_b', city: 'Kyoto', age: 30, score: NaN },
        { id: 6, name: 'a\\b', city: 'Tokyo', age: 18, score: Infinity },
        { id: 7, name: null, city: 'Osaka', age: 65, score: 0 },
        { id: 8, name: 'Zoë 😀', city: 'Tokyo', age: 30, score: 2 },
      ];
      const byId = (a: Row, b: Row) => (a.id as number) - (b.id as number);

      before(async () => {
        await storage.admin.createNamespace(ns);
        await storage.admin.createTable(people);
        for (const { id, ...values } of rows) await storage.mutate([put(people, [id!], undefined, values)]);
      });

      it('an index scan returns the records whose indexed column equals the value', async () => {
        const tokyo = await storage.scan({ ...refOf(people), kind: 'index', column: 'city', value: 'Tokyo' });
        assert.deepEqual(tokyo.sort(byId), rows.filter((r) => r.city === 'Tokyo'));
        assert.deepEqual(await storage.scan({ ...refOf(people), kind: 'index', column: 'city', value: 'Nowhere' }), []);
        assert.deepEqual(await storage.scan({ ...refOf(people), kind: 'index', column: 'city', value: null }), [], 'NULL equals nothing');
        const limited = await storage.scan({ ...refOf(people), kind: 'index', column: 'city', value: 'Tokyo', limit: 2, projection: ['id', 'city'] });
        assert.equal(limited.length, 2);
        for (const r of limited) assert.deepEqual(Object.keys(r).sort(), ['city', 'id']);
      });

      it('a scan of all records returns every record, limited on request', async () => {
        assert.deepEqual((await storage.scan({ ...refOf(people), kind: 'all' })).sort(byId), rows);
        assert.deepEqual((await storage.scan({ ...refOf(people), kind: 'all', filter: [] })).sort(byId), rows, 'an empty filter filters nothing');
        assert.equal((await storage.scan({ ...refOf(people), kind: 'all', limit: 3 })).length, 3);
        assert.deepEqual((await storage.scan({ ...refOf(people), kind: 'all', projection: ['name'] })).map((r) => Object.keys(r)), rows.map(() => ['name']));
      });

      const filters: [string, Filter][] = [
        ['EQ', [[{ column: 'city', op: 'EQ', value: 'Tokyo' }]]],
        ['NE excludes NULL', [[{ column: 'city', op: 'NE', value: 'Tokyo' }]]],
        ['GT', [[{ column: 'age', op: 'GT', value: 30 }]]],
        ['GTE', [[{ column: 'age', op: 'GTE', value: 30 }]]],
        ['LT', [[{ column: 'age', op: 'LT', value: 30 }]]],
        ['LTE', [[{ column: 'age', op: 'LTE', value: 30 }]]],
        ['GT on DOUBLE orders NaN above Infinity', [[{ column: 'score', op: 'GT', value: 1.5 }]]],
        ['EQ NaN', [[{ column: 'score', op: 'EQ', value: NaN }]]],
        ['LT on TEXT compares code points', [[{ column: 'name', op: 'LT', value: 'a' }]]],
        ['IS_NULL', [[{ column: 'age', op: 'IS_NULL' }]]],
        ['IS_NOT_NULL', [[{ column: 'city', op: 'IS_NOT_NULL' }]]],
        ['EQ NULL matches nothing', [[{ column: 'city', op: 'EQ', value: null }]]],
        ['LIKE is case-sensitive', [[{ column: 'name', op: 'LIKE', value: 'a%' }]]],
        ['LIKE _', [[{ column: 'name', op: 'LIKE', value: 'B_b' }]]],
        ['LIKE with escaped %', [[{ column: 'name', op: 'LIKE', value: '%\\%%' }]]],
        ['LIKE with escaped _', [[{ column: 'name', op: 'LIKE', value: 'a\\_b' }]]],
        ['LIKE with escaped backslash', [[{ column: 'name', op: 'LIKE', value: 'a\\\\b' }]]],
        ['LIKE matches astral characters as one', [[{ column: 'name', op: 'LIKE', value: 'Zoë _' }]]],
        ['NOT_LIKE excludes NULL', [[{ column: 'name', op: 'NOT_LIKE', value: 'a%' }]]],
        ['AND', [[{ column: 'city', op: 'EQ', value: 'Tokyo' }, { column: 'age', op: 'EQ', value: 30 }]]],
        ['OR of ANDs', [[{ column: 'city', op: 'EQ', value: 'Tokyo' }, { column: 'age', op: 'EQ', value: 30 }], [{ column: 'city', op: 'EQ', value: 'Osaka' }], [{ column: 'id', op: 'EQ', value: 4 }]]],
        ['an empty conjunction is true', [[{ column: 'id', op: 'EQ', value: 1 }], []]],
        ['on a key column', [[{ column: 'id', op: 'GTE', value: 7 }]]],
      ];
      for (const [what, filter] of filters) {
        it(`filters: ${what}`, async () => {
          const types = new Map(people.columns.map((c) => [c.name, c.type]));
          const expected = rows.filter((r) => filter.some((conjunction) => conjunction.every((p) => holds(types.get(p.column)!, p, r[p.column] ?? null))));
          const actual = await storage.scan({ ...refOf(people), kind: 'all', filter });
          assert.deepEqual(actual.sort(byId), expected);
        });
      }

      it('filters with a projection of other columns and a limit', async () => {
        const filter: Filter = [[{ column: 'city', op: 'EQ', value: 'Tokyo' }]];
        const actual = await storage.scan({ ...refOf(people), kind: 'all', filter, projection: ['name'], limit: 10 });
        assert.deepEqual(actual.map((r) => r.name).sort(), ['Alice', 'Bob', 'Zoë 😀', 'a\\b'].sort());
        assert.equal((await storage.scan({ ...refOf(people), kind: 'all', filter, limit: 1 })).length, 1);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('values of every type', () => {
      const ns = 'types';
      const tableOf = (type: DataType): TableMetadata => ({
        namespace: ns,
        table: `t_${lower(type)}`,
        columns: [{ name: 'pk', type }, { name: 'ck', type }, { name: 'v', type }],
        partitionKey: ['pk'],
        clusteringKey: [{ name: 'ck', order: 'ASC' }],
        secondaryIndexes: [],
      });

      before(async () => {
        await storage.admin.createNamespace(ns);
        for (const type of DATA_TYPES) await storage.admin.createTable(tableOf(type));
      });

      for (const type of DATA_TYPES) {
        it(`${type}: edge values round-trip as keys and values, and scans follow the type's order`, async () => {
          const table = tableOf(type);
          const { values, refused } = storableEdgeValues(type, storage.capabilities);
          // Partition key values: all of them, unless the storage declares it cannot hold an empty one.
          const keys = values.filter((v) => storableAsPartitionKey(v, storage.capabilities));
          const first = keys[0]!;
          for (const value of values) {
            await storage.mutate([put(table, [first], [value], { v: value })]);
            if (keys.includes(value)) await storage.mutate([put(table, [value], [value], { v: value })]);
          }
          for (const value of keys) {
            const row = await storage.get({ ...refOf(table), partitionKey: [value], clusteringKey: [value] });
            assert.deepEqual(normalize(row), normalize({ pk: value, ck: value, v: value }), `round trip of ${String(value)}`);
          }
          const sorted = [...values].sort((a, b) => compareValues(type, a, b));
          const scanned = await storage.scan({ ...refOf(table), kind: 'partition', partitionKey: [first] });
          assert.deepEqual(normalizeAll(scanned).map((r) => r.ck), normalizeAll(sorted.map((v) => ({ v }))).map((r) => r.v), 'clustering order');
          const reversed = await storage.scan({ ...refOf(table), kind: 'partition', partitionKey: [first], reverse: true });
          assert.deepEqual(normalizeAll(reversed).map((r) => r.ck), normalizeAll(sorted.map((v) => ({ v }))).map((r) => r.v).reverse(), 'reverse order');
          // Every value finds itself by equality in a filter, as a key and as a plain column.
          for (const value of keys) {
            const found = await storage.scan({ ...refOf(table), kind: 'all', filter: [[{ column: 'pk', op: 'EQ', value }, { column: 'v', op: 'EQ', value }]] });
            assert.equal(found.length, 1, `EQ ${String(value)}`);
          }
          const nulls = await storage.mutate([put(table, [first], [first], { v: null })]).then(() => storage.get({ ...refOf(table), partitionKey: [first], clusteringKey: [first], projection: ['v'] }));
          assert.deepEqual(nulls, { v: null });
          // What the storage declares it cannot hold is refused, never stored approximately.
          for (const [value, code] of refused) {
            await rejects(storage.mutate([put(table, [first], [first], { v: value })]), InvalidOperationError, code, `a ${type} value it cannot hold (${String(value)})`);
            await rejects(storage.mutate([put(table, [value], [first], {})]), InvalidOperationError, code, `a ${type} key it cannot hold (${String(value)})`);
          }
          for (const value of values.filter((v) => !keys.includes(v))) {
            await rejects(storage.mutate([put(table, [value], [first], {})]), InvalidOperationError, '0A000', `an empty ${type} partition key`);
            assert.deepEqual(await storage.scan({ ...refOf(table), kind: 'partition', partitionKey: [value] }), []);
          }
        });
      }

      it(`-0 ${options.keepsNegativeZero ? 'round-trips' : 'reads back as 0'} in FLOAT and DOUBLE`, async () => {
        for (const type of NEGATIVE_ZERO_TYPES) {
          const table = tableOf(type);
          await storage.mutate([put(table, [1], [1], { v: -0 })]);
          const v = (await storage.get({ ...refOf(table), partitionKey: [1], clusteringKey: [1] }))?.v;
          assert.ok(Object.is(v, options.keepsNegativeZero ? -0 : 0), `${type}: got ${Object.is(v, -0) ? '-0' : String(v)}`);
        }
      });

      it('FLOAT values are 4-byte floats: a double is rounded on the way in', async () => {
        const table = tableOf('FLOAT');
        await storage.mutate([put(table, [1], [2], { v: 0.1 })]);
        assert.equal((await storage.get({ ...refOf(table), partitionKey: [1], clusteringKey: [2] }))?.v, Math.fround(0.1));
      });

      it(`TEXT and BLOB values up to the limits (${MAX_TEXT_BYTES} / ${MAX_BLOB_BYTES} bytes, or the storage's maxMutationBytes) round-trip`, async () => {
        // A storage with a request limit holds values up to it (less room for the keys) and refuses larger ones (54000).
        const limit = storage.capabilities?.maxMutationBytes;
        const textBytes = limit === undefined ? MAX_TEXT_BYTES : Math.min(MAX_TEXT_BYTES, limit - 1024) & ~3;
        const blobBytes = limit === undefined ? MAX_BLOB_BYTES : Math.min(MAX_BLOB_BYTES, limit - 1024);
        const text = tableOf('TEXT');
        const big = '😀'.repeat(textBytes / 4);
        await storage.mutate([put(text, ['big'], ['big'], { v: big })]);
        assert.equal((await storage.get({ ...refOf(text), partitionKey: ['big'], clusteringKey: ['big'] }))?.v, big);
        const blob = tableOf('BLOB');
        const bytes = Buffer.alloc(blobBytes, 0xab);
        bytes[0] = 0;
        bytes[bytes.length - 1] = 0xff;
        await storage.mutate([put(blob, [new Uint8Array([9])], [new Uint8Array([9])], { v: bytes })]);
        const back = (await storage.get({ ...refOf(blob), partitionKey: [new Uint8Array([9])], clusteringKey: [new Uint8Array([9])] }))?.v;
        assert.ok(back instanceof Uint8Array && Buffer.compare(back, bytes) === 0, `the ${blobBytes}-byte BLOB reads back byte for byte`);
        if (limit !== undefined && limit < MAX_BLOB_BYTES) {
          await rejects(storage.mutate([put(blob, [new Uint8Array([9])], [new Uint8Array([9])], { v: Buffer.alloc(MAX_BLOB_BYTES) })]), InvalidOperationError, '54000', 'a BLOB over the request limit');
          assert.equal(Buffer.compare((await storage.get({ ...refOf(blob), partitionKey: [new Uint8Array([9])], clusteringKey: [new Uint8Array([9])] }))?.v as Uint8Array, bytes), 0);
        }
        await storage.mutate([del(text, ['big'], ['big'])]);
        await storage.mutate([del(blob, [new Uint8Array([9])], [new Uint8Array([9])])]);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('bad input is an InvalidOperationError with a SQLSTATE, and the storage keeps working', () => {
      const ns = 'bad';
      const t: TableMetadata = {
        namespace: ns,
        table: 't',
        columns: [
          { name: 'p', type: 'INT' },
          { name: 'c', type: 'TEXT' },
          { name: 'i', type: 'INT' },
          { name: 'b', type: 'BIGINT' },
          { name: 'f', type: 'FLOAT' },
          { name: 's', type: 'TEXT' },
          { name: 'x', type: 'BLOB' },
          { name: 'd', type: 'DATE' },
          { name: 'tm', type: 'TIME' },
          { name: 'ts', type: 'TIMESTAMP' },
          { name: 'flag', type: 'BOOLEAN' },
        ],
        partitionKey: ['p'],
        clusteringKey: [{ name: 'c', order: 'ASC' }],
        secondaryIndexes: [],
      };
      const putValues = (values: Record<string, unknown>) => storage.mutate([put(t, [1], ['a'], values as Record<string, Value>)]);

      before(async () => {
        await storage.admin.createNamespace(ns);
        await storage.admin.createTable(t);
      });

      it('unknown namespace 3F000, unknown table 42P01', async () => {
        await rejects(storage.get({ namespace: 'nope', table: 't', partitionKey: [1], clusteringKey: ['a'] }), InvalidOperationError, '3F000', 'get in a missing namespace');
        await rejects(storage.get({ namespace: ns, table: 'nope', partitionKey: [1], clusteringKey: ['a'] }), InvalidOperationError, '42P01', 'get from a missing table');
        await rejects(storage.scan({ namespace: ns, table: 'nope', kind: 'all' }), InvalidOperationError, '42P01', 'scan of a missing table');
        await rejects(storage.mutate([put({ namespace: ns, table: 'nope' }, [1], ['a'], {})]), InvalidOperationError, '42P01', 'put into a missing table');
        await rejects(storage.admin.addColumn({ namespace: ns, table: 'nope' }, { name: 'z', type: 'INT' }), InvalidOperationError, '42P01', 'add column to a missing table');
      });

      it('unknown column 42703 in values, projections, filters and conditions', async () => {
        await rejects(putValues({ nope: 1 }), InvalidOperationError, '42703', 'put of a missing column');
        await rejects(storage.get({ ...refOf(t), partitionKey: [1], clusteringKey: ['a'], projection: ['nope'] }), InvalidOperationError, '42703', 'projection of a missing column');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 'nope', op: 'IS_NULL' }]] }), InvalidOperationError, '42703', 'filter on a missing column');
        await rejects(storage.mutate([put(t, [1], ['a'], {}, { kind: 'if', predicates: [{ column: 'nope', op: 'IS_NULL' }] })]), InvalidOperationError, '42703', 'condition on a missing column');
      });

      it('a value of the wrong JS type 42804, out of range 22003 / 22008', async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ i: '1' }, '42804'], [{ i: 1.5 }, '42804'], [{ i: 1n }, '42804'], [{ i: INT_MAX + 1 }, '22003'],
          [{ b: 1 }, '42804'], [{ b: BIGINT_MAX + 1n }, '22003'],
          [{ f: '1' }, '42804'], [{ f: 1e300 }, '22003'],
          [{ s: 1 }, '42804'], [{ s: new Uint8Array(1) }, '42804'],
          [{ x: 'bytes' }, '42804'], [{ x: [1, 2] }, '42804'],
          [{ d: 1.5 }, '42804'], [{ d: DATE_MAX_DAYS + 1 }, '22008'], [{ d: new Date() }, '42804'],
          [{ tm: 1 }, '42804'], [{ tm: TIME_MAX_MICROS + 1n }, '22008'], [{ tm: -1n }, '22008'],
          [{ ts: new Date() }, '42804'], [{ ts: TIMESTAMP_MIN_MICROS - 1n }, '22008'],
          [{ flag: 1 }, '42804'], [{ flag: 'true' }, '42804'],
          [{ s: 'nul \u0000 inside' }, '22021'], [{ s: 'lone \uD800 surrogate' }, '22021'],
        ];
        for (const [values, code] of cases) {
          await rejects(putValues(values), InvalidOperationError, code, `put ${String(Object.keys(values)[0])}=${String(Object.values(values)[0])}`);
        }
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 'i', op: 'EQ', value: 'x' }]] }), InvalidOperationError, '42804', 'filter value of the wrong type');
      });

      it('missing or extra key values 22023, NULL in a key 23502, a key column among values 22023', async () => {
        await rejects(storage.get({ ...refOf(t), partitionKey: [], clusteringKey: ['a'] }), InvalidOperationError, '22023', 'missing partition key');
        await rejects(storage.get({ ...refOf(t), partitionKey: [1, 2], clusteringKey: ['a'] }), InvalidOperationError, '22023', 'extra partition key value');
        await rejects(storage.get({ ...refOf(t), partitionKey: [1] }), InvalidOperationError, '22023', 'missing clustering key');
        await rejects(storage.mutate([put(t, [1], ['a', 'b'], {})]), InvalidOperationError, '22023', 'extra clustering key value');
        await rejects(storage.mutate([put(t, [null], ['a'], {})]), InvalidOperationError, '23502', 'NULL partition key');
        await rejects(storage.mutate([del(t, [1], [null])]), InvalidOperationError, '23502', 'NULL clustering key');
        await rejects(storage.scan({ ...refOf(t), kind: 'partition', partitionKey: [null] }), InvalidOperationError, '23502', 'NULL in a scanned partition key');
        await rejects(putValues({ p: 2 }), InvalidOperationError, '22023', 'key column among the values');
        await rejects(storage.get({ ...refOf(t), partitionKey: ['1'], clusteringKey: ['a'] }), InvalidOperationError, '42804', 'key of the wrong type');
      });

      it('values over the size limits 54000', async () => {
        await rejects(putValues({ s: 'x'.repeat(MAX_TEXT_BYTES + 1) }), InvalidOperationError, '54000', 'TEXT over the limit');
        await rejects(putValues({ s: 'é'.repeat(MAX_TEXT_BYTES / 2 + 1) }), InvalidOperationError, '54000', 'TEXT over the limit in UTF-8 bytes');
        await rejects(putValues({ x: new Uint8Array(MAX_BLOB_BYTES + 1) }), InvalidOperationError, '54000', 'BLOB over the limit');
      });

      it('malformed predicates, limits and scans', async () => {
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 'i', op: 'LIKE', value: 1 }]] }), InvalidOperationError, '42883', 'LIKE on an INT column');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 's', op: 'LIKE', value: 'abc\\' }]] }), InvalidOperationError, '22025', 'LIKE pattern ending in the escape');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 's', op: 'EQ' }]] }), InvalidOperationError, '22023', 'comparison without a value');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', filter: [[{ column: 's', op: 'MATCHES' as 'EQ', value: 'a' }]] }), InvalidOperationError, '22023', 'unknown operator');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', limit: -1 }), InvalidOperationError, '2201W', 'negative limit');
        await rejects(storage.scan({ ...refOf(t), kind: 'all', limit: 1.5 }), InvalidOperationError, '2201W', 'fractional limit');
        await rejects(storage.scan({ ...refOf(t), kind: 'nope' } as never), InvalidOperationError, '22023', 'unknown scan kind');
        await rejects(storage.mutate([{ ...refOf(t), type: 'upsert', partitionKey: [1], clusteringKey: ['a'] } as never]), InvalidOperationError, '22023', 'unknown mutation type');
        await rejects(storage.mutate([del(t, [1], ['a'], { kind: 'ifNotExists' } as never)]), InvalidOperationError, '22023', 'deleteIfNotExists');
        await rejects(storage.mutate([put(t, [1], ['a'], {}, { kind: 'if', predicates: [] })]), InvalidOperationError, '22023', "an 'if' condition without predicates");
        await rejects(storage.get(null as never), InvalidOperationError, '22023', 'no operation');
        await rejects(storage.mutate([null as never]), InvalidOperationError, '22023', 'a null mutation');
        await rejects(storage.mutate({} as never), InvalidOperationError, '22023', 'mutations not in an array');
        await rejects(storage.scan({ namespace: ns, kind: 'all' } as never), InvalidOperationError, '22023', 'a scan without a table');
        await rejects(storage.admin.getTableMetadata({} as never), InvalidOperationError, '22023', 'metadata of no table');
        await rejects(storage.admin.addColumn(undefined as never, { name: 'z', type: 'INT' }), InvalidOperationError, '22023', 'add a column to no table');
      });

      it('a bad mutation in a batch applies none of the batch', async () => {
        await rejects(storage.mutate([put(t, [1], ['ok'], { i: 1 }), put(t, [1], ['bad'], { i: 'one' as never })]), InvalidOperationError, '42804', 'batch with a bad value');
        assert.equal(await storage.get({ ...refOf(t), partitionKey: [1], clusteringKey: ['ok'] }), null);
      });

      it('bad table definitions', async () => {
        const base = { namespace: ns, table: 'def', columns: [{ name: 'k', type: 'INT' as const }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
        await rejects(storage.admin.createTable({ ...base, partitionKey: [] }), InvalidOperationError, '42P16', 'no partition key');
        await rejects(storage.admin.createTable({ ...base, partitionKey: ['z'] }), InvalidOperationError, '42703', 'key column not among the columns');
        await rejects(storage.admin.createTable({ ...base, columns: [...base.columns, { name: 'k', type: 'INT' }] }), InvalidOperationError, '42701', 'duplicate column');
        await rejects(storage.admin.createTable({ ...base, columns: [{ name: 'k', type: 'NUMERIC' as 'INT' }] }), InvalidOperationError, '42804', 'unknown data type');
        await rejects(storage.admin.createTable({ ...base, table: '' }), InvalidOperationError, '42602', 'empty table name');
        await rejects(storage.admin.addColumn(t, { name: 'z', type: 'DECIMAL' as 'INT' }), InvalidOperationError, '42804', 'add a column of an unknown type');
      });

      it('still serves requests after all of that', async () => {
        await putValues({ i: 1, s: 'fine' });
        assert.equal((await storage.get({ ...refOf(t), partitionKey: [1], clusteringKey: ['a'] }))?.s, 'fine');
      });
    });
  });
}
