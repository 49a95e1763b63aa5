/**
 * Lazy recovery: a reader that meets a record left PREPARED or DELETED by another transaction
 * settles it (ScalarDB's `RecoveryExecutor` + `RecoveryHandler`, with master's rule that a reader
 * returns the before image only after the ABORTED state is durably written):
 *
 *   writer's coordinator state   reader sees            repair
 *   COMMITTED                    after image (or none)  roll forward
 *   ABORTED                      before image (or none) roll back
 *   absent, expired              force-abort first (put-if-not-exists ABORTED); the winner's state decides
 *   absent, not expired          wait briefly for the writer to decide, then a conflict (40001)
 *
 * READ_COMMITTED never waits: an undecided writer's record reads as its before image.
 *
 * Repairs run in the background, once per record and writer in this process; the transaction that
 * triggered one waits for it before it prepares (see transaction.ts).
 */
import { NotAppliedError } from '../storage/errors.js';
import type { Mutation, Row, StorageRouter } from '../storage/types.js';
import type { Isolation } from './api.js';
import type { TransactionManagerConfig } from './config.js';
import type { Coordinator, CoordinatorState } from './coordinator.js';
import { ConflictError } from './errors.js';
import { composeRollForward, composeRollbackOfRecord } from './mutation-composers.js';
import { sleep } from './parallel-executor.js';
import { beforeImageOf, committedAfterImageOf, preparedAtMsOf, txIdOf } from './record.js';
import { encodeRecordKey, type RecordAddress } from './record-key.js';
import type { TransactionTableMetadata } from './table-metadata.js';

export interface ResolvedRecord {
  /** The committed version the reader sees (null: none). */
  readonly row: Row | null;
  /** Settles when the physical record is repaired (never rejects). */
  readonly repair?: Promise<void>;
}

export interface Reader {
  readonly transactionId: string;
  readonly isolation: Isolation;
  readonly readOnly?: boolean;
}

type RecoverySettings = Pick<TransactionManagerConfig, 'transactionLifetimeMs' | 'uncommittedRecordWaitMs' | 'logger'>;

/** First poll of a live writer's state; doubles up to the wait budget. */
const FIRST_POLL_DELAY_MS = 2;

export class RecoveryHandler {
  private readonly repairsInFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly router: StorageRouter,
    private readonly coordinator: Coordinator,
    private readonly settings: RecoverySettings,
  ) {}

  isExpired(record: Row, nowMs = Date.now()): boolean {
    return nowMs > preparedAtMsOf(record) + this.settings.transactionLifetimeMs;
  }

  /** The committed version behind an undecided `record` of another transaction. */
  async resolve(meta: TransactionTableMetadata, address: RecordAddress, record: Row, reader: Reader): Promise<ResolvedRecord> {
    const writer = txIdOf(record);
    if (writer === null) throw new Error('an undecided record without tx_id');
    let state = await this.coordinator.getState(writer);
    if (!state) {
      // A read-only READ_COMMITTED reader (the catalog's background version check) takes the
      // committed version and never aborts the writer: a long commit (a bulk load with TRUNCATE,
      // whose prepare outlasts the lifetime) is not killed by a reader that does not need it decided.
      if (reader.isolation === 'READ_COMMITTED' && reader.readOnly) return { row: beforeImageOf(meta, record) };
      if (this.isExpired(record)) {
        state = await this.coordinator.forceAbort(writer);
      } else if (reader.isolation === 'READ_COMMITTED') {
        return { row: beforeImageOf(meta, record) };
      } else {
        state = await this.waitForDecision(writer);
        if (!state) {
          throw new ConflictError(reader.transactionId, 'read', {
            detail: `Record ${describeRecord(address)} is being written by transaction ${writer}.`,
          });
        }
      }
    }
    return this.settle(meta, address, record, state);
  }

  /** Polls the writer's state with backoff for at most uncommittedRecordWaitMs. */
  private async waitForDecision(writer: string): Promise<CoordinatorState | null> {
    const deadline = Date.now() + this.settings.uncommittedRecordWaitMs;
    let delay = FIRST_POLL_DELAY_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      await sleep(Math.min(delay, remaining));
      delay *= 2;
      const state = await this.coordinator.getState(writer);
      if (state) return state;
    }
  }

  private settle(meta: TransactionTableMetadata, address: RecordAddress, record: Row, state: CoordinatorState): ResolvedRecord {
    if (state.state === 'COMMITTED') {
      return {
        row: committedAfterImageOf(meta, record, state.createdAtMs),
        repair: this.repair(address, record, composeRollForward(meta, address, record, state.createdAtMs)),
      };
    }
    return {
      row: beforeImageOf(meta, record),
      repair: this.repair(address, record, composeRollbackOfRecord(meta, address, record)),
    };
  }

  /** Applies a roll-forward/back once per record and writer; someone else's earlier repair is fine. */
  private repair(address: RecordAddress, record: Row, mutation: Mutation | null): Promise<void> | undefined {
    if (!mutation) return undefined;
    const id = `${encodeRecordKey(address)}#${txIdOf(record)}`;
    const running = this.repairsInFlight.get(id);
    if (running) return running;
    const done = this.router
      .storageFor(address.namespace)
      .mutate([mutation])
      .catch((e: unknown) => {
        // Not applied: another reader or the writer itself settled the record first.
        if (!(e instanceof NotAppliedError)) {
          this.settings.logger?.warn({ err: e, record: describeRecord(address) }, 'lazy recovery: repairing a record failed; a later reader retries');
        }
      })
      .finally(() => this.repairsInFlight.delete(id));
    this.repairsInFlight.set(id, done);
    return done;
  }

  /** Repairs still running (for shutdown). */
  pendingRepairs(): Promise<void>[] {
    return [...this.repairsInFlight.values()];
  }
}

export function describeRecord(address: RecordAddress): string {
  const key = [...address.partitionKey, ...address.clusteringKey].map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return `${address.namespace}.${address.table}(${key.join(', ')})`;
}
