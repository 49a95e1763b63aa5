/**
 * The concurrent bank (bank-workload.ts) with coordinator group commit on both nodes, with the
 * seed's settings: the two-phase node commits through groups, the other mostly in one phase.
 */
import { describeConcurrentBank } from './bank-workload.js';
import type { TransactionManagerConfig } from '../../src/txn/config.js';

const SEED_GROUP_COMMIT: Partial<TransactionManagerConfig> = {
  groupCommit: true,
  groupCommitSlotCapacity: 20,
  groupCommitSizeFixTimeoutMs: 40,
  groupCommitDelayedSlotMoveTimeoutMs: 800,
  groupCommitOldGroupAbortTimeoutMs: 60_000,
};

describeConcurrentBank('concurrent bank, group commit on', [SEED_GROUP_COMMIT, SEED_GROUP_COMMIT]);
