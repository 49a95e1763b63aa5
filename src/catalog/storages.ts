/**
 * Which storage holds each namespace, as the SQL engine sees it. ScalarDB's multi-storage rule: a
 * namespace listed in `scalar.db.multi_storage.namespace_mapping` is in that storage, every other
 * one in `scalar.db.multi_storage.default_storage`. A schema's tables live in the schema's namespace
 * (SchemaInfo.namespace), so `CREATE SCHEMA event` puts its tables where `event` is mapped.
 *
 * The catalog asks for the limits of a new table's storage (storage-mapping.ts chooses lossless
 * types from them, the executor refuses keys the storage cannot hold); `SHOW polygres.storages`
 * and `polygres_schema_storage()` report the assignment. A future pg_namespace / `\dn+` would take
 * a schema's storage from `storageOf(schema.namespace)` too.
 */
import type { StorageCapabilities, StorageRouter } from '../storage/types.js';
import type { Catalog } from './catalog.js';
import { INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID } from './model.js';

/** The storage product, as the configuration names it (`jdbc` is split by its URL). */
export type StorageKind = 'postgres' | 'cassandra' | 'sqlite' | 'unknown';

export interface NamespaceStorage {
  /** The storage's name in the configuration (`scalar.db.multi_storage.storages`). */
  readonly name: string;
  readonly kind: StorageKind;
  /** What the storage cannot hold exactly; absent when it holds every value. */
  readonly capabilities: StorageCapabilities | undefined;
  /** Why the namespace is there. */
  readonly assignedBy: 'namespace_mapping' | 'default_storage';
}

export interface StorageDirectory {
  storageOf(namespace: string): NamespaceStorage;
  /** Namespaces the configuration maps explicitly, in its order. */
  readonly mappedNamespaces: readonly string[];
  /** Namespaces of the transaction layer itself (the coordinator table's). */
  readonly systemNamespaces: readonly string[];
}

export interface StorageDirectoryOptions {
  /** Storage name → kind; storages not listed are `unknown`. */
  readonly kinds?: ReadonlyMap<string, StorageKind>;
  /** Namespace → storage name, as configured (the router applies it; this only reports it). */
  readonly namespaceMapping?: ReadonlyMap<string, string>;
  readonly systemNamespaces?: readonly string[];
}

/** The directory of a storage router: the router decides, the options only describe. */
export function storageDirectory(router: StorageRouter, options: StorageDirectoryOptions = {}): StorageDirectory {
  const mapping = options.namespaceMapping ?? new Map<string, string>();
  return {
    mappedNamespaces: [...mapping.keys()],
    systemNamespaces: options.systemNamespaces ?? [],
    storageOf(namespace: string): NamespaceStorage {
      const storage = router.storageFor(namespace);
      return {
        name: storage.name,
        kind: options.kinds?.get(storage.name) ?? 'unknown',
        capabilities: storage.capabilities,
        assignedBy: mapping.has(namespace) ? 'namespace_mapping' : 'default_storage',
      };
    },
  };
}

/** For an engine built without a router (unit tests): one storage that holds every value. */
export const LOSSLESS_STORAGE_DIRECTORY: StorageDirectory = {
  mappedNamespaces: [],
  systemNamespaces: [],
  storageOf: () => ({ name: 'default', kind: 'unknown', capabilities: undefined, assignedBy: 'default_storage' }),
};

/** One row of `SHOW polygres.storages`. */
export interface StorageAssignment {
  /** The SQL schema whose tables the namespace holds; null for a namespace without one. */
  readonly schema: string | null;
  readonly namespace: string;
  readonly storage: NamespaceStorage;
}

/** Whether a schema is one every database has, which lives in no storage (pg_catalog, information_schema). */
export function isBuiltinSchema(oid: number): boolean {
  return oid === PG_CATALOG_NAMESPACE_OID || oid === INFORMATION_SCHEMA_NAMESPACE_OID;
}

/**
 * Where everything lives: every schema of the catalog (by name), then the namespaces that hold no
 * schema (the catalog's and the coordinator's, and mapped namespaces no schema uses yet), by name.
 */
export function storageAssignments(catalog: Catalog, directory: StorageDirectory, catalogNamespace: string): StorageAssignment[] {
  const schemas = catalog
    .schemas()
    .filter((s) => !isBuiltinSchema(s.oid))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows: StorageAssignment[] = schemas.map((s) => ({ schema: s.name, namespace: s.namespace, storage: directory.storageOf(s.namespace) }));
  const used = new Set(schemas.map((s) => s.namespace));
  const others = [...new Set([catalogNamespace, ...directory.systemNamespaces, ...directory.mappedNamespaces])].filter((n) => !used.has(n)).sort();
  for (const namespace of others) rows.push({ schema: null, namespace, storage: directory.storageOf(namespace) });
  return rows;
}
