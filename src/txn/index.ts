/** Consensus Commit: the transaction layer the SQL engine uses (see api.ts for the interface). */
export type * from './api.js';
export { ConsensusCommitManager } from './manager.js';
export { ConsensusCommitAdmin } from './admin.js';
export { ConsensusCommitTransaction } from './transaction.js';
export {
  DEFAULT_TRANSACTION_CONFIG,
  resolveTransactionConfig,
  transactionConfigFromProperties,
  type CommitHooks,
  type TransactionManagerConfig,
} from './config.js';
export { ConflictError, UnknownTransactionOutcomeError, isConflictError, type ConflictPhase } from './errors.js';
