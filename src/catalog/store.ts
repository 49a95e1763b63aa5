/**
 * The catalog, kept in the storage itself so that every polygres node sees the same schema.
 *
 * Layout (namespace `polygres_system` in the default storage, all tables transactional):
 *   catalog_version (id INT)   → version BIGINT, next_oid BIGINT   — one record, id = 1
 *   catalog_objects (oid BIGINT) → kind TEXT, definition TEXT (the object as JSON)
 *   sequence_values (oid BIGINT) → last_value BIGINT, is_called BOOLEAN
 *
 * Every DDL runs in the user's transaction: it reads the version record (so concurrent DDL
 * conflicts), writes the changed objects and the version record with version + 1. Each node caches
 * the catalog; the node that ran the DDL adopts its new snapshot at commit, other nodes notice a new
 * version within `refreshIntervalMs` (a background read, never on the statement path) or at once
 * when a statement fails because a storage table is missing.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Transaction, TransactionManager } from '../txn/api.js';
import type { TableMetadata } from '../storage/types.js';
import { Catalog } from './catalog.js';
import {
  FIRST_USER_OID,
  INFORMATION_SCHEMA_NAMESPACE_OID,
  PG_CATALOG_NAMESPACE_OID,
  PUBLIC_NAMESPACE_OID,
  type CatalogObject,
  type SchemaInfo,
} from './model.js';

export const DEFAULT_SYSTEM_NAMESPACE = 'polygres_system';
export const CATALOG_VERSION_TABLE = 'catalog_version';
export const CATALOG_OBJECTS_TABLE = 'catalog_objects';
export const SEQUENCE_VALUES_TABLE = 'sequence_values';
const VERSION_RECORD_ID = 1;

/** Schemas every database has; they are not stored. */
const BUILTIN_SCHEMAS: readonly SchemaInfo[] = [
  { kind: 'schema', oid: PG_CATALOG_NAMESPACE_OID, name: 'pg_catalog', namespace: 'pg_catalog', owner: 'postgres' },
  { kind: 'schema', oid: INFORMATION_SCHEMA_NAMESPACE_OID, name: 'information_schema', namespace: 'information_schema', owner: 'postgres' },
];

export interface CatalogStoreOptions {
  readonly systemNamespace: string;
  /** How stale another node's DDL may be seen here, at most (plus one storage round trip). */
  readonly refreshIntervalMs: number;
}

/** The state of the catalog inside one transaction that changes it. */
export interface CatalogTransactionState {
  catalog: Catalog;
  /** Version read at the first DDL of the transaction; the commit writes version + 1. */
  readonly baseVersion: number;
  nextOid: number;
}

function jsonReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

export class CatalogStore {
  private current: Catalog = new Catalog(0, new Map(BUILTIN_SCHEMAS.map((s) => [s.oid, s])));
  private lastCheckMs = 0;
  private checking: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly txm: TransactionManager,
    readonly options: CatalogStoreOptions,
  ) {}

  private ref(table: string): { namespace: string; table: string } {
    return { namespace: this.options.systemNamespace, table };
  }

  /** Creates the catalog tables and the initial records when missing, then loads the catalog. */
  async bootstrap(publicNamespace: string): Promise<void> {
    const ns = this.options.systemNamespace;
    const admin = this.txm.admin;
    await admin.createCoordinatorTables({ ifNotExists: true });
    await admin.createNamespace(ns, { ifNotExists: true });
    const tables: TableMetadata[] = [
      { namespace: ns, table: CATALOG_VERSION_TABLE, columns: [{ name: 'id', type: 'INT' }, { name: 'version', type: 'BIGINT' }, { name: 'next_oid', type: 'BIGINT' }], partitionKey: ['id'], clusteringKey: [], secondaryIndexes: [] },
      { namespace: ns, table: CATALOG_OBJECTS_TABLE, columns: [{ name: 'oid', type: 'BIGINT' }, { name: 'kind', type: 'TEXT' }, { name: 'definition', type: 'TEXT' }], partitionKey: ['oid'], clusteringKey: [], secondaryIndexes: [] },
      { namespace: ns, table: SEQUENCE_VALUES_TABLE, columns: [{ name: 'oid', type: 'BIGINT' }, { name: 'last_value', type: 'BIGINT' }, { name: 'is_called', type: 'BOOLEAN' }], partitionKey: ['oid'], clusteringKey: [], secondaryIndexes: [] },
    ];
    for (const t of tables) await admin.createTable(t, { ifNotExists: true });
    // Two nodes may bootstrap at once: whoever commits first wins, the other re-reads.
    for (let attempt = 0; attempt < 10; attempt++) {
      const tx = this.txm.begin({ isolation: 'SERIALIZABLE' });
      try {
        const version = await tx.get({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID] });
        if (version === null) {
          const publicSchema: SchemaInfo = { kind: 'schema', oid: PUBLIC_NAMESPACE_OID, name: 'public', namespace: publicNamespace, owner: 'postgres' };
          await tx.put({ ...this.ref(CATALOG_OBJECTS_TABLE), partitionKey: [BigInt(publicSchema.oid)], values: { kind: 'schema', definition: JSON.stringify(publicSchema) } });
          await tx.put({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID], values: { version: 1n, next_oid: BigInt(FIRST_USER_OID) } });
          await admin.createNamespace(publicNamespace, { ifNotExists: true });
        }
        await tx.commit();
        break;
      } catch (e) {
        await tx.abort();
        if (!(e instanceof SqlError && e.code === SqlState.serializationFailure) || attempt === 9) throw e;
      }
    }
    await this.refresh();
  }

  /** The newest catalog this node knows. Starts a background staleness check when due. */
  snapshot(): Catalog {
    this.maybeCheckVersion();
    return this.current;
  }

  /** Adopts the catalog a committed DDL transaction produced on this node. */
  adopt(catalog: Catalog): void {
    if (catalog.version > this.current.version) this.current = catalog;
  }

  private maybeCheckVersion(): void {
    const now = Date.now();
    if (this.checking || now - this.lastCheckMs < this.options.refreshIntervalMs) return;
    this.lastCheckMs = now;
    this.checking = this.checkVersion()
      .then(() => undefined)
      .catch(() => {
        // A failed check is retried at the next interval; the cached catalog stays in use.
      })
      .finally(() => {
        this.checking = null;
      });
  }

  private async checkVersion(): Promise<boolean> {
    const tx = this.txm.begin({ isolation: 'READ_COMMITTED', readOnly: true });
    try {
      const record = await tx.get({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID] });
      await tx.commit();
      this.lastCheckMs = Date.now();
      if (record && Number(record.version as bigint) > this.current.version) {
        await this.refresh();
        return true;
      }
      return false;
    } catch (e) {
      await tx.abort();
      throw e;
    }
  }

  /**
   * Checks the version now (one storage read) and reloads when another node changed the catalog.
   * Used when a name is missing from the cached catalog, before reporting it missing.
   */
  async catchUp(): Promise<boolean> {
    return this.checkVersion();
  }

  /** Also checks on a timer, so an idle node is no staler than the interval. The timer never keeps the process alive. */
  startBackgroundRefresh(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.maybeCheckVersion(), this.options.refreshIntervalMs);
    this.timer.unref();
  }

  stopBackgroundRefresh(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reloads every catalog object (consistently with the version record). */
  async refresh(): Promise<Catalog> {
    const tx = this.txm.begin({ isolation: 'SERIALIZABLE', readOnly: true });
    try {
      const version = await tx.get({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID] });
      const records = await tx.scan({ ...this.ref(CATALOG_OBJECTS_TABLE), kind: 'all' });
      await tx.commit();
      const objects = new Map<number, CatalogObject>(BUILTIN_SCHEMAS.map((s) => [s.oid, s]));
      for (const r of records) {
        const o = JSON.parse(r.definition as string) as CatalogObject;
        objects.set(o.oid, o);
      }
      const catalog = new Catalog(version ? Number(version.version as bigint) : 0, objects);
      if (catalog.version >= this.current.version) this.current = catalog;
      this.lastCheckMs = Date.now();
      return this.current;
    } catch (e) {
      await tx.abort();
      throw e;
    }
  }

  /** Starts changing the catalog in `tx` (once per transaction): reads the version record. */
  async beginChange(tx: Transaction, base: Catalog): Promise<CatalogTransactionState> {
    const record = await tx.get({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID] });
    if (!record) throw new SqlError(SqlState.internalError, 'the polygres catalog is not initialized');
    const version = Number(record.version as bigint);
    // A DDL must start from the newest catalog: if another node changed it, use that.
    const catalog = version > base.version ? await this.refresh() : base;
    return { catalog, baseVersion: version, nextOid: Number(record.next_oid as bigint) };
  }

  /** Writes changed objects (null = removed) and the version record, in the DDL's transaction. */
  async write(tx: Transaction, state: CatalogTransactionState, changed: ReadonlyArray<CatalogObject | { oid: number; removed: true }>): Promise<void> {
    for (const o of changed) {
      const key = { ...this.ref(CATALOG_OBJECTS_TABLE), partitionKey: [BigInt(o.oid)] };
      if ('removed' in o) await tx.delete(key);
      else await tx.put({ ...key, values: { kind: o.kind, definition: JSON.stringify(o, jsonReplacer) } });
    }
    await tx.put({ ...this.ref(CATALOG_VERSION_TABLE), partitionKey: [VERSION_RECORD_ID], values: { version: BigInt(state.baseVersion + 1), next_oid: BigInt(state.nextOid) } });
  }
}
