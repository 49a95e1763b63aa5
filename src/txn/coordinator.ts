/**
 * The coordinator table `<coordinator namespace>.state`: one row per decided transaction. A
 * put-if-not-exists of COMMITTED is the commit point of a transaction; ABORTED rows are written by
 * the transaction itself when it gives up after prepare, or by a reader that found its records
 * expired. Whoever writes the row first decides the outcome. (ScalarDB `Coordinator`.)
 *
 * Layout as ScalarDB 3.16 creates it with group commit enabled: tx_id (partition key),
 * tx_child_ids, tx_state, tx_created_at. ScalarDB 3.16 without group commit neither reads nor writes
 * tx_child_ids, so the same table serves both; 3.19's optional tx_write_set is not read by 3.16 and
 * is not created. Ids of ScalarDB group commits (`<24-char parent>$<child>`) are resolved as
 * ScalarDB resolves them, so records written by a ScalarDB node with group commit recover here too;
 * with group commit on, polygres writes the same rows (group-committer.ts).
 */
import { SqlError, SqlState } from '../errors.js';
import { InvalidOperationError, NotAppliedError, isStorageError } from '../storage/errors.js';
import type { Row, StorageRouter, TableMetadata } from '../storage/types.js';
import { COORDINATOR_TABLE, TX_CHILD_IDS, TX_CREATED_AT, TX_ID, TX_STATE, TxState } from './attributes.js';
import type { TransactionManagerConfig } from './config.js';
import { CHILD_IDS_DELIMITER, splitFullId } from './group-commit.js';
import { toMillis } from './record.js';
import { sleep } from './parallel-executor.js';

export type DecidedState = 'COMMITTED' | 'ABORTED';

export interface CoordinatorState {
  readonly id: string;
  readonly state: DecidedState;
  readonly createdAtMs: number;
  readonly childIds: readonly string[];
}


export function coordinatorTableMetadata(namespace: string): TableMetadata {
  return {
    namespace,
    table: COORDINATOR_TABLE,
    columns: [
      { name: TX_ID, type: 'TEXT' },
      { name: TX_CHILD_IDS, type: 'TEXT' },
      { name: TX_STATE, type: 'INT' },
      { name: TX_CREATED_AT, type: 'BIGINT' },
    ],
    partitionKey: [TX_ID],
    clusteringKey: [],
    secondaryIndexes: [],
  };
}

type CoordinatorSettings = Pick<
  TransactionManagerConfig,
  'coordinatorNamespace' | 'coordinatorMaxAttempts' | 'coordinatorRetryBaseDelayMs' | 'logger'
>;

export class Coordinator {
  constructor(
    private readonly router: StorageRouter,
    private readonly settings: CoordinatorSettings,
  ) {}

  private get storage() {
    return this.router.storageFor(this.settings.coordinatorNamespace);
  }

  /** The decided state of a transaction, or null when nobody has decided it yet. */
  async getState(id: string): Promise<CoordinatorState | null> {
    const group = splitFullId(id);
    if (group) {
      const parent = await this.readRow(group.parentId);
      if (parent && parent.childIds.includes(group.childId)) return { ...parent, id };
      return this.readRow(id);
    }
    return this.readRow(id);
  }

  /**
   * Writes the state if no row exists for the id. Returns false when a row exists (someone decided
   * first); throws the storage error when the storage keeps failing.
   */
  async putState(id: string, state: DecidedState, createdAtMs: number, childIds: readonly string[] = []): Promise<boolean> {
    const values: Row = {
      [TX_STATE]: state === 'COMMITTED' ? TxState.COMMITTED : TxState.ABORTED,
      [TX_CREATED_AT]: BigInt(createdAtMs),
    };
    if (childIds.length > 0) values[TX_CHILD_IDS] = childIds.join(CHILD_IDS_DELIMITER);
    return this.withRetries(`write the state of transaction ${id}`, async () => {
      try {
        await this.storage.mutate([
          {
            type: 'put',
            namespace: this.settings.coordinatorNamespace,
            table: COORDINATOR_TABLE,
            partitionKey: [id],
            values,
            condition: { kind: 'ifNotExists' },
          },
        ]);
        return true;
      } catch (e) {
        if (e instanceof NotAppliedError) return false;
        throw e;
      }
    });
  }

  /**
   * Aborts a transaction whose records expired (lazy recovery, `rollback(txId)`), unless it was
   * decided first. Returns the state that holds once this returns, durably written.
   */
  async forceAbort(id: string): Promise<CoordinatorState> {
    const group = splitFullId(id);
    if (group) {
      // A ScalarDB group commit writes the parent id; block that first, then mark the child (see
      // ScalarDB's `Coordinator.putStateForLazyRecoveryRollbackForGroupCommit`, cases A–D).
      const blocked = await this.putState(group.parentId, 'ABORTED', Date.now());
      if (!blocked) {
        const parent = await this.readRow(group.parentId);
        if (parent && parent.childIds.includes(group.childId)) return { ...parent, id };
      }
    }
    const now = Date.now();
    if (await this.putState(id, 'ABORTED', now)) return { id, state: 'ABORTED', createdAtMs: now, childIds: [] };
    const existing = await this.getState(id);
    if (!existing) {
      throw new SqlError(SqlState.internalError, `coordinator row of transaction ${id} vanished after a conflicting write`);
    }
    return existing;
  }

  private async readRow(id: string): Promise<CoordinatorState | null> {
    const row = await this.withRetries(`read the state of transaction ${id}`, () =>
      this.storage.get({ namespace: this.settings.coordinatorNamespace, table: COORDINATOR_TABLE, partitionKey: [id] }),
    );
    return row ? parseState(id, row) : null;
  }

  private async withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        // Bad input and non-storage failures (bugs) are not retried; storage failures are, as
        // ScalarDB retries any ExecutionException.
        const retryable = isStorageError(e) && !(e instanceof InvalidOperationError);
        if (!retryable || n + 1 >= this.settings.coordinatorMaxAttempts) throw e;
        this.settings.logger?.warn({ err: e, attempt: n + 1 }, `coordinator: could not ${what}; retrying`);
        await sleep(this.settings.coordinatorRetryBaseDelayMs * 2 ** n);
      }
    }
  }
}

function parseState(id: string, row: Row): CoordinatorState {
  const code = row[TX_STATE];
  const createdAtMs = toMillis(row[TX_CREATED_AT]);
  if ((code !== TxState.COMMITTED && code !== TxState.ABORTED) || createdAtMs === 0) {
    throw new SqlError(SqlState.dataException, `malformed coordinator row for transaction ${id}`, {
      detail: `tx_state=${String(code)}, tx_created_at=${String(row[TX_CREATED_AT])}`,
    });
  }
  const childIds = row[TX_CHILD_IDS];
  return {
    id,
    state: code === TxState.COMMITTED ? 'COMMITTED' : 'ABORTED',
    createdAtMs,
    childIds: typeof childIds === 'string' ? childIds.split(CHILD_IDS_DELIMITER).filter((s) => s.length > 0) : [],
  };
}
