/**
 * DDL for transactional tables (ScalarDB's `ConsensusCommitAdmin`): the physical table gets the
 * metadata and before-image columns, every user index a before_ twin, and users see their own
 * columns only. The coordinator namespace is reserved.
 */
import { SqlError, SqlState } from '../errors.js';
import type { DataType, StorageRouter, TableMetadata, TableRef } from '../storage/types.js';
import type { TransactionAdmin } from './api.js';
import { COORDINATOR_TABLE, beforeColumn } from './attributes.js';
import { coordinatorTableMetadata } from './coordinator.js';
import { TableMetadataCache, buildPhysicalTableMetadata, checkUserColumnNames } from './table-metadata.js';

export class ConsensusCommitAdmin implements TransactionAdmin {
  constructor(
    private readonly router: StorageRouter,
    private readonly coordinatorNamespace: string,
    private readonly tables: TableMetadataCache,
  ) {}

  async createCoordinatorTables(options: { ifNotExists?: boolean } = {}): Promise<void> {
    const admin = this.router.storageFor(this.coordinatorNamespace).admin;
    await admin.createNamespace(this.coordinatorNamespace, options);
    await admin.createTable(coordinatorTableMetadata(this.coordinatorNamespace), options);
  }

  async coordinatorTablesExist(): Promise<boolean> {
    const admin = this.router.storageFor(this.coordinatorNamespace).admin;
    return (await admin.getTableMetadata({ namespace: this.coordinatorNamespace, table: COORDINATOR_TABLE })) !== null;
  }

  async createNamespace(namespace: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    this.checkNamespace(namespace);
    await this.router.storageFor(namespace).admin.createNamespace(namespace, options);
  }

  async dropNamespace(namespace: string, options: { ifExists?: boolean } = {}): Promise<void> {
    this.checkNamespace(namespace);
    await this.router.storageFor(namespace).admin.dropNamespace(namespace, options);
    this.tables.invalidate();
  }

  async listNamespaces(): Promise<string[]> {
    const names = new Set<string>();
    for (const storage of this.router.storages) for (const ns of await storage.admin.listNamespaces()) names.add(ns);
    names.delete(this.coordinatorNamespace);
    return [...names].sort();
  }

  /** Transactional tables of a namespace (tables without the metadata columns are left out). */
  async listTables(namespace: string): Promise<string[]> {
    if (namespace === this.coordinatorNamespace) return [];
    const out: string[] = [];
    for (const table of await this.router.storageFor(namespace).admin.listTables(namespace)) {
      if (await this.getTableMetadata({ namespace, table })) out.push(table);
    }
    return out;
  }

  async createTable(metadata: TableMetadata, options: { ifNotExists?: boolean } = {}): Promise<void> {
    this.checkNamespace(metadata.namespace);
    await this.router.storageFor(metadata.namespace).admin.createTable(buildPhysicalTableMetadata(metadata), options);
    this.tables.invalidate(metadata);
  }

  async dropTable(ref: TableRef, options: { ifExists?: boolean } = {}): Promise<void> {
    this.checkNamespace(ref.namespace);
    await this.router.storageFor(ref.namespace).admin.dropTable(ref, options);
    this.tables.invalidate(ref);
  }

  async truncateTable(ref: TableRef): Promise<void> {
    this.checkNamespace(ref.namespace);
    await this.router.storageFor(ref.namespace).admin.truncateTable(ref);
  }

  async getTableMetadata(ref: TableRef): Promise<TableMetadata | null> {
    this.tables.invalidate(ref);
    return (await this.tables.find(ref))?.user ?? null;
  }

  /** Adds the column and its before_ twin, as ScalarDB's addNewColumnToTable does. */
  async addColumn(ref: TableRef, column: { name: string; type: DataType }): Promise<void> {
    const meta = await this.tables.get(ref);
    checkUserColumnNames([...meta.user.columns, column], meta.keyColumns);
    const admin = this.router.storageFor(ref.namespace).admin;
    await admin.addColumn(ref, column);
    await admin.addColumn(ref, { name: beforeColumn(column.name), type: column.type });
    this.tables.invalidate(ref);
  }

  async createIndex(ref: TableRef, column: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    const meta = await this.tables.get(ref);
    const admin = this.router.storageFor(ref.namespace).admin;
    await admin.createIndex(ref, column, options);
    if (meta.isValueColumn(column)) await admin.createIndex(ref, beforeColumn(column), options);
    this.tables.invalidate(ref);
  }

  async dropIndex(ref: TableRef, column: string, options: { ifExists?: boolean } = {}): Promise<void> {
    const meta = await this.tables.get(ref);
    const admin = this.router.storageFor(ref.namespace).admin;
    await admin.dropIndex(ref, column, options);
    if (meta.isValueColumn(column)) await admin.dropIndex(ref, beforeColumn(column), { ifExists: true });
    this.tables.invalidate(ref);
  }

  private checkNamespace(namespace: string): void {
    if (namespace === this.coordinatorNamespace) {
      throw new SqlError(SqlState.insufficientPrivilege, `namespace "${namespace}" is reserved for the transaction coordinator`);
    }
  }
}
