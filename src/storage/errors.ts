import { SqlError, SqlState, type SqlErrorFields, type SqlStateCode } from '../errors.js';

/**
 * Typed storage failures. Consensus Commit decides what to do from the class alone:
 * - NotAppliedError: a mutation's condition did not hold; nothing was applied.
 * - TransientStorageError: the operation may succeed if retried (contention, a lost connection
 *   before anything was sent, an unavailable replica); nothing was applied.
 * - UnknownOutcomeError: the write may or may not have been applied (e.g. a Paxos write timeout).
 * - InvalidOperationError: the request itself is wrong (unknown table, wrong value type, missing key
 *   column, value too large); retrying cannot help.
 * - FatalStorageError: anything else the storage reported.
 * Each carries a SQLSTATE so that, should it reach a client, the client sees a meaningful code.
 */
export abstract class StorageError extends SqlError {
  abstract readonly kind: 'not-applied' | 'transient' | 'unknown-outcome' | 'invalid' | 'fatal';
}

export class NotAppliedError extends StorageError {
  readonly kind = 'not-applied' as const;
  constructor(message = 'the mutation condition was not satisfied', fields: SqlErrorFields = {}) {
    super(SqlState.serializationFailure, message, fields);
    this.name = 'NotAppliedError';
  }
}

export class TransientStorageError extends StorageError {
  readonly kind = 'transient' as const;
  constructor(message: string, fields: SqlErrorFields = {}, code: SqlStateCode = SqlState.serializationFailure) {
    super(code, message, fields);
    this.name = 'TransientStorageError';
  }
}

export class UnknownOutcomeError extends StorageError {
  readonly kind = 'unknown-outcome' as const;
  constructor(message: string, fields: SqlErrorFields = {}) {
    super(SqlState.statementCompletionUnknown, message, fields);
    this.name = 'UnknownOutcomeError';
  }
}

export class InvalidOperationError extends StorageError {
  readonly kind = 'invalid' as const;
  constructor(code: SqlStateCode, message: string, fields: SqlErrorFields = {}) {
    super(code, message, fields);
    this.name = 'InvalidOperationError';
  }
}

export class FatalStorageError extends StorageError {
  readonly kind = 'fatal' as const;
  /** 08001 when the storage cannot be reached, 08006 when a connection broke, 58000 otherwise. */
  constructor(message: string, fields: SqlErrorFields = {}, code: SqlStateCode = SqlState.systemError) {
    super(code, message, fields);
    this.name = 'FatalStorageError';
  }
}

export function isStorageError(e: unknown): e is StorageError {
  return e instanceof StorageError;
}
