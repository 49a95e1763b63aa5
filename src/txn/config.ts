/**
 * Consensus Commit settings, with ScalarDB's property names where ScalarDB has the setting
 * (`scalar.db.consensus_commit.*`, see `transactionConfigFromProperties`).
 */
import type { Logger } from 'pino';
import { SqlError, SqlState } from '../errors.js';
import type { Isolation } from './api.js';

/**
 * Points in the commit protocol where tests may act (e.g. kill the process to check crash
 * recovery). A hook runs inline; whatever it throws fails the commit as a storage error would.
 */
export interface CommitHooks {
  /** Every record is PREPARED (or DELETED); nothing is decided yet. */
  afterPrepare?(transactionId: string): void | Promise<void>;
  afterValidate?(transactionId: string): void | Promise<void>;
  /** The coordinator row says COMMITTED: the transaction has committed. */
  afterCommitState?(transactionId: string): void | Promise<void>;
  /** One atomicity-unit group of records is committed; `index` counts from 0 in group order. */
  afterCommitRecordsGroup?(transactionId: string, index: number, groupCount: number): void | Promise<void>;
}

export interface TransactionManagerConfig {
  /** Isolation of transactions begun without one. */
  readonly isolation: Isolation;
  /** Namespace of the coordinator table `state`. */
  readonly coordinatorNamespace: string;
  /**
   * An undecided record older than this (since tx_prepared_at) whose writer has no coordinator
   * state is aborted by the next reader. ScalarDB hard-codes 15000 ms; ScalarDB nodes sharing a
   * database with polygres assume that value.
   */
  readonly transactionLifetimeMs: number;
  /**
   * How long a reader waits for the coordinator state of a live writer before giving up with a
   * conflict. The writer is usually about to finish, so a short wait beats an abort.
   */
  readonly uncommittedRecordWaitMs: number;
  /** Commit by one storage mutation, without a coordinator row, when that is correct (see commit.ts). */
  readonly onePhaseCommit: boolean;
  readonly parallelPrepare: boolean;
  readonly parallelValidation: boolean;
  readonly parallelCommit: boolean;
  readonly parallelRollback: boolean;
  /** Return from commit once the commit state is written; records are committed in the background. */
  readonly asyncCommit: boolean;
  /** Most storage operations one transaction runs at once in a parallel phase. */
  readonly maxParallelOperations: number;
  /** Most mutations sent in one storage mutate; larger atomicity-unit groups are split. */
  readonly maxMutationsPerGroup: number;
  /**
   * Most records one transaction may write (54000 beyond). The write set lives in memory until
   * commit: about 0.6 KB per record, and a commit of 500,000 records peaks near 1.5 GB RSS (SQLite).
   */
  readonly maxWritesPerTransaction: number;
  readonly metadataCacheTtlMs: number;
  /** Attempts at a coordinator read or write before giving up, with exponential backoff from the base. */
  readonly coordinatorMaxAttempts: number;
  readonly coordinatorRetryBaseDelayMs: number;
  /**
   * Group commit of coordinator writes (ScalarDB's `coordinator.group_commit.*`, see
   * group-committer.ts): transactions committing in two phases at about the same time share one
   * coordinator row keyed by a parent id. Ids of such transactions are `<24-char parent>$<child>`.
   */
  readonly groupCommit: boolean;
  /** Most transactions in one group. */
  readonly groupCommitSlotCapacity: number;
  /** Longest a group accepts new members (from its creation); it usually closes much earlier. */
  readonly groupCommitSizeFixTimeoutMs: number;
  /** A member not ready this long after its group was created is moved out to commit on its own. */
  readonly groupCommitDelayedSlotMoveTimeoutMs: number;
  /** A group older than this fails its waiting members with an unknown outcome (40003). */
  readonly groupCommitOldGroupAbortTimeoutMs: number;
  /** How often the timeouts above are checked. */
  readonly groupCommitTimeoutCheckIntervalMs: number;
  /**
   * Observes each coordinator write of group commit: the number of transactions it committed, and
   * whether it was a normal group (parent row) or a delayed one (one transaction, its full id).
   */
  readonly onGroupCommit?: (size: number, kind: 'normal' | 'delayed') => void;
  readonly hooks: CommitHooks;
  readonly logger?: Logger;
}

export const DEFAULT_TRANSACTION_CONFIG: TransactionManagerConfig = {
  isolation: 'SERIALIZABLE',
  coordinatorNamespace: 'coordinator',
  transactionLifetimeMs: 15_000,
  uncommittedRecordWaitMs: 50,
  onePhaseCommit: true,
  parallelPrepare: true,
  parallelValidation: true,
  parallelCommit: true,
  parallelRollback: true,
  asyncCommit: false,
  maxParallelOperations: 32,
  maxMutationsPerGroup: 1000,
  maxWritesPerTransaction: 500_000,
  metadataCacheTtlMs: 60_000,
  coordinatorMaxAttempts: 5,
  coordinatorRetryBaseDelayMs: 50,
  // ScalarDB's defaults.
  groupCommit: false,
  groupCommitSlotCapacity: 20,
  groupCommitSizeFixTimeoutMs: 40,
  groupCommitDelayedSlotMoveTimeoutMs: 1200,
  groupCommitOldGroupAbortTimeoutMs: 60_000,
  groupCommitTimeoutCheckIntervalMs: 20,
  hooks: {},
};

export function resolveTransactionConfig(partial: Partial<TransactionManagerConfig> = {}): TransactionManagerConfig {
  const config = { ...DEFAULT_TRANSACTION_CONFIG, ...stripUndefined(partial) };
  const positive: (keyof TransactionManagerConfig)[] = [
    'transactionLifetimeMs',
    'maxParallelOperations',
    'maxMutationsPerGroup',
    'maxWritesPerTransaction',
    'coordinatorMaxAttempts',
    'groupCommitSlotCapacity',
    'groupCommitTimeoutCheckIntervalMs',
  ];
  for (const k of positive) {
    const v = config[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new SqlError(SqlState.invalidParameterValue, `transaction setting ${k} must be a positive integer, got ${String(v)}`);
    }
  }
  const nonNegative = [
    'uncommittedRecordWaitMs',
    'metadataCacheTtlMs',
    'coordinatorRetryBaseDelayMs',
    'groupCommitSizeFixTimeoutMs',
    'groupCommitDelayedSlotMoveTimeoutMs',
    'groupCommitOldGroupAbortTimeoutMs',
  ] as const;
  for (const k of nonNegative) {
    if (!Number.isFinite(config[k]) || config[k] < 0) {
      throw new SqlError(SqlState.invalidParameterValue, `transaction setting ${k} must be >= 0, got ${config[k]}`);
    }
  }
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Settings from `scalar.db.consensus_commit.*` properties (keys given without that prefix, as
 * PolygresConfig.consensusCommit holds them). Unknown keys are ignored; malformed values raise F0000.
 */
export function transactionConfigFromProperties(properties: ReadonlyMap<string, string>): Partial<TransactionManagerConfig> {
  const out: { -readonly [K in keyof TransactionManagerConfig]?: TransactionManagerConfig[K] } = {};
  const bool = (key: string): boolean | undefined => {
    const v = properties.get(key)?.trim().toLowerCase();
    if (v === undefined || v === '') return undefined;
    if (v !== 'true' && v !== 'false') throw configError(key, v, 'true or false');
    return v === 'true';
  };
  const int = (key: string): number | undefined => {
    const v = properties.get(key)?.trim();
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw configError(key, v, 'a non-negative integer');
    return Number(v);
  };
  const isolation = properties.get('isolation_level')?.trim().toUpperCase();
  if (isolation) {
    if (isolation !== 'SERIALIZABLE' && isolation !== 'SNAPSHOT' && isolation !== 'READ_COMMITTED') {
      throw configError('isolation_level', isolation, 'SERIALIZABLE, SNAPSHOT or READ_COMMITTED');
    }
    out.isolation = isolation;
  }
  const namespace = properties.get('coordinator.namespace')?.trim();
  if (namespace) out.coordinatorNamespace = namespace;
  out.parallelPrepare = bool('parallel_preparation.enabled');
  out.parallelCommit = bool('parallel_commit.enabled');
  // As in ScalarDB, validation and rollback follow parallel commit unless set themselves.
  out.parallelValidation = bool('parallel_validation.enabled') ?? out.parallelCommit;
  out.parallelRollback = bool('parallel_rollback.enabled') ?? out.parallelCommit;
  out.asyncCommit = bool('async_commit.enabled');
  out.onePhaseCommit = bool('one_phase_commit.enabled');
  out.maxParallelOperations = int('parallel_executor_count');
  out.groupCommit = bool('coordinator.group_commit.enabled');
  out.groupCommitSlotCapacity = int('coordinator.group_commit.slot_capacity');
  out.groupCommitSizeFixTimeoutMs = int('coordinator.group_commit.group_size_fix_timeout_millis');
  out.groupCommitDelayedSlotMoveTimeoutMs = int('coordinator.group_commit.delayed_slot_move_timeout_millis');
  out.groupCommitOldGroupAbortTimeoutMs = int('coordinator.group_commit.old_group_abort_timeout_millis');
  out.groupCommitTimeoutCheckIntervalMs = int('coordinator.group_commit.timeout_check_interval_millis');
  // polygres-only settings, under the same prefix.
  out.transactionLifetimeMs = int('transaction_lifetime_millis');
  out.uncommittedRecordWaitMs = int('uncommitted_record_wait_millis');
  return stripUndefined(out);
}

function configError(key: string, value: string, expected: string): SqlError {
  return new SqlError(SqlState.configFileError, `scalar.db.consensus_commit.${key} must be ${expected}, got "${value}"`);
}
