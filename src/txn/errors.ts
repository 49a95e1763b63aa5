/**
 * Transaction errors. Every conflict, whatever its phase (a read that met an undecided record,
 * prepare, validation, a lost race on the coordinator), is one ConflictError with SQLSTATE 40001, so
 * that every driver's retry loop works. A commit whose commit state could not be written is an
 * UnknownTransactionOutcomeError (40003): its records stay PREPARED and are settled by lazy
 * recovery. Bad input from the storage (InvalidOperationError) passes through unchanged.
 */
import { SqlError, SqlState, type SqlErrorFields } from '../errors.js';

/** Which protocol step detected the conflict; for logs, metrics and tests (the SQLSTATE is the same). */
export type ConflictPhase =
  | 'read' // an undecided record of a live transaction
  | 'prepare' // a record changed since it was read, or exists when it should not
  | 'validate' // SERIALIZABLE: something read changed, or a phantom appeared
  | 'commit-state' // lazy recovery aborted this transaction before it could commit
  | 'one-phase-commit';

const RETRY_HINT = 'The transaction might succeed if retried.';

export class ConflictError extends SqlError {
  readonly phase: ConflictPhase;
  readonly transactionId: string;

  constructor(transactionId: string, phase: ConflictPhase, fields: SqlErrorFields & { message?: string } = {}) {
    const message =
      fields.message ??
      (phase === 'validate'
        ? 'could not serialize access due to read/write dependencies among transactions'
        : 'could not serialize access due to concurrent update');
    super(SqlState.serializationFailure, message, { hint: RETRY_HINT, ...fields });
    this.name = 'ConflictError';
    this.phase = phase;
    this.transactionId = transactionId;
  }
}

/**
 * The commit state could not be written (nor read back): the transaction may or may not have
 * committed. Its records are left PREPARED; readers settle them once the coordinator answers or the
 * transaction expires. `TransactionManager.getState(id)` tells the outcome later.
 */
export class UnknownTransactionOutcomeError extends SqlError {
  readonly transactionId: string;

  constructor(transactionId: string, fields: SqlErrorFields = {}) {
    super(SqlState.statementCompletionUnknown, `the outcome of transaction ${transactionId} is unknown`, {
      detail: 'The commit state could not be written to the coordinator table.',
      hint: `Check the outcome later with the transaction id ${transactionId}.`,
      ...fields,
    });
    this.name = 'UnknownTransactionOutcomeError';
    this.transactionId = transactionId;
  }
}

export function isConflictError(e: unknown): e is ConflictError {
  return e instanceof ConflictError;
}

/** An operation on a transaction that already committed or aborted (PostgreSQL's 25000 family). */
export function transactionFinished(transactionId: string, state: string): SqlError {
  return new SqlError(SqlState.invalidTransactionState, `transaction ${transactionId} is already ${state}`);
}

export function readOnlyViolation(what: string): SqlError {
  return new SqlError(SqlState.readOnlySqlTransaction, `cannot execute ${what} in a read-only transaction`);
}
