/**
 * The SQL engine behind the wire protocol: `createSqlBackend` loads the parser, makes sure the
 * catalog exists in the storage, and returns a Backend whose sessions parse, plan and execute SQL
 * through Consensus Commit.
 */
import type { Backend, BackendSession, SessionStartup } from '../wire/backend.js';
import type { TransactionManager } from '../txn/api.js';
import { CatalogStore, DEFAULT_SYSTEM_NAMESPACE } from '../catalog/store.js';
import { SequenceAllocator } from '../catalog/sequences.js';
import { LOSSLESS_STORAGE_DIRECTORY, type StorageDirectory } from '../catalog/storages.js';
import { loadParser } from './parser.js';
import { settingDefinitions } from './settings.js';
import { Engine, type EngineLogger } from './engine.js';
import { SqlSession } from './session.js';

export interface SqlBackendOptions {
  readonly transactionManager: TransactionManager;
  /**
   * The storage namespace a schema's tables live in (the storage router then picks the storage by
   * namespace). Default: the schema name itself.
   */
  readonly namespaceForSchema?: (schema: string) => string;
  /**
   * Which storage holds a namespace, and its limits (the catalog picks lossless storage types for
   * a new table's storage from them). Default: one storage that holds every value.
   */
  readonly storages?: StorageDirectory;
  /** Namespace of polygres's own catalog tables (in the default storage). Default "polygres_system". */
  readonly systemNamespace?: string;
  readonly settings?: {
    /** server_version as reported to clients. Default "15.0". */
    readonly serverVersion?: string;
    /** Defaults for session settings, e.g. { default_transaction_isolation: 'serializable', 'polygres.repeatable_read_as': 'snapshot' }. */
    readonly defaults?: Readonly<Record<string, string>>;
  };
  readonly limits?: {
    /** Planned statements kept (shared by all sessions). Default 1000. */
    readonly planCacheSize?: number;
    /** Parse trees kept. Default 2000. */
    readonly parseCacheSize?: number;
    /** How soon another node's DDL is seen here, at most. Default 1000 ms. */
    readonly catalogRefreshIntervalMs?: number;
    /** Sequence values a node reserves per allocation. Default 32. */
    readonly sequenceBlockSize?: number;
  };
  readonly logger?: EngineLogger;
}

export async function createSqlBackend(options: SqlBackendOptions): Promise<Backend> {
  await loadParser();
  const namespaceForSchema = options.namespaceForSchema ?? ((s: string) => s);
  const systemNamespace = options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE;
  const store = new CatalogStore(options.transactionManager, {
    systemNamespace,
    refreshIntervalMs: options.limits?.catalogRefreshIntervalMs ?? 1000,
  });
  await store.bootstrap(namespaceForSchema('public'));
  store.startBackgroundRefresh();
  const engine = new Engine({
    txm: options.transactionManager,
    store,
    sequences: new SequenceAllocator(options.transactionManager, systemNamespace, options.limits?.sequenceBlockSize ?? 32),
    settingDefinitions: settingDefinitions({ serverVersion: options.settings?.serverVersion, defaults: options.settings?.defaults }),
    logger: options.logger ?? { warn: () => {} },
    namespaceForSchema,
    storages: options.storages ?? LOSSLESS_STORAGE_DIRECTORY,
    planCacheSize: options.limits?.planCacheSize ?? 1000,
    parseCacheSize: options.limits?.parseCacheSize ?? 2000,
  });
  return {
    async openSession(startup: SessionStartup): Promise<BackendSession> {
      return new SqlSession(engine, startup);
    },
  };
}
