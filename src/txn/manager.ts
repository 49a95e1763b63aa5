/**
 * The entry point of Consensus Commit (ScalarDB's `ConsensusCommitManager`): begins transactions
 * over a StorageRouter and answers for transaction states. The router belongs to the caller, who
 * closes it after the manager.
 */
import { randomUUID } from 'node:crypto';
import type { StorageRouter } from '../storage/types.js';
import type { BeginOptions, TransactionManager } from './api.js';
import { ConsensusCommitAdmin } from './admin.js';
import { resolveTransactionConfig, type TransactionManagerConfig } from './config.js';
import type { TransactionServices } from './context.js';
import { Coordinator } from './coordinator.js';
import { GroupCommitter } from './group-committer.js';
import { RecoveryHandler } from './recovery.js';
import { TableMetadataCache } from './table-metadata.js';
import { ConsensusCommitTransaction } from './transaction.js';
import { SqlError, SqlState } from '../errors.js';

export class ConsensusCommitManager implements TransactionManager {
  readonly admin: ConsensusCommitAdmin;
  readonly config: TransactionManagerConfig;
  private readonly services: TransactionServices;
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(router: StorageRouter, config: Partial<TransactionManagerConfig> = {}) {
    this.config = resolveTransactionConfig(config);
    const tables = new TableMetadataCache(router, {
      ttlMs: this.config.metadataCacheTtlMs,
      coordinatorNamespace: this.config.coordinatorNamespace,
    });
    const coordinator = new Coordinator(router, this.config);
    const groupCommitter = this.config.groupCommit
      ? new GroupCommitter(coordinator, {
          slotCapacity: this.config.groupCommitSlotCapacity,
          sizeFixTimeoutMs: this.config.groupCommitSizeFixTimeoutMs,
          delayedSlotMoveTimeoutMs: this.config.groupCommitDelayedSlotMoveTimeoutMs,
          oldGroupAbortTimeoutMs: this.config.groupCommitOldGroupAbortTimeoutMs,
          timeoutCheckIntervalMs: this.config.groupCommitTimeoutCheckIntervalMs,
          onGroupCommit: this.config.onGroupCommit,
          logger: this.config.logger,
        })
      : undefined;
    this.services = {
      router,
      config: this.config,
      tables,
      coordinator,
      groupCommitter,
      recovery: new RecoveryHandler(router, coordinator, this.config),
      trackBackground: (work) => {
        const tracked = work.finally(() => this.background.delete(tracked));
        this.background.add(tracked);
      },
    };
    this.admin = new ConsensusCommitAdmin(router, this.config.coordinatorNamespace, tables);
  }

  begin(options: BeginOptions = {}): ConsensusCommitTransaction {
    if (this.closed) throw new SqlError(SqlState.adminShutdown, 'the transaction manager is closed');
    return new ConsensusCommitTransaction(this.services, randomUUID(), options.isolation ?? this.config.isolation, options.readOnly ?? false);
  }

  async getState(transactionId: string): Promise<'COMMITTED' | 'ABORTED' | 'UNKNOWN'> {
    const state = await this.services.coordinator.getState(transactionId);
    return state?.state ?? 'UNKNOWN';
  }

  /**
   * Aborts a transaction by id unless it already committed (ScalarDB's `manager.abort(txId)`),
   * e.g. one whose commit ended with an unknown outcome. Returns the state that holds afterwards.
   */
  async forceAbort(transactionId: string): Promise<'COMMITTED' | 'ABORTED'> {
    return (await this.services.coordinator.forceAbort(transactionId)).state;
  }

  /**
   * Waits for background work (asynchronous commit-records, repairs) and for transactions waiting
   * on a group commit; does not close the router.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.background, ...this.services.recovery.pendingRepairs(), this.services.groupCommitter?.close()]);
  }
}
