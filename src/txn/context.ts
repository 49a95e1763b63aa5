/**
 * What the transactions of one manager share: storages, settings, table metadata, the coordinator,
 * lazy recovery, and background work the manager waits for on close.
 */
import type { StorageRouter } from '../storage/types.js';
import type { TransactionManagerConfig } from './config.js';
import type { Coordinator } from './coordinator.js';
import type { GroupCommitter } from './group-committer.js';
import type { PhaseExecution } from './parallel-executor.js';
import type { RecoveryHandler } from './recovery.js';
import type { TableMetadataCache } from './table-metadata.js';

export interface TransactionServices {
  readonly router: StorageRouter;
  readonly config: TransactionManagerConfig;
  readonly tables: TableMetadataCache;
  readonly coordinator: Coordinator;
  /** Present when coordinator group commit is on. */
  readonly groupCommitter?: GroupCommitter;
  readonly recovery: RecoveryHandler;
  /** Keeps track of work that outlives a call (async commit-records) so that close() can wait for it. */
  trackBackground(work: Promise<void>): void;
}

export function execution(config: TransactionManagerConfig, parallel: boolean): PhaseExecution {
  return { parallel, maxConcurrent: config.maxParallelOperations };
}
