/**
 * cassandra-driver failures as typed storage errors. What a failure means for a write depends on
 * whether the write was a lightweight transaction (Paxos), so the caller says what it was doing:
 *
 * | failure                                             | read       | write (plain)   | conditional write (LWT)      |
 * |-----------------------------------------------------|------------|-----------------|------------------------------|
 * | WriteTimeout, write type CAS (Paxos phase)          | –          | –               | unknown outcome              |
 * | WriteTimeout, write type SIMPLE                     | –          | unknown outcome | applied; see isLearnPhaseTimeout |
 * | WriteTimeout BATCH_LOG (batch log not written)       | –          | transient       | transient                    |
 * | other WriteTimeout / WriteFailure / server error     | –          | unknown outcome | unknown outcome              |
 * | Unavailable, Overloaded, IsBootstrapping            | transient  | transient       | transient                    |
 * | ReadTimeout, ReadFailure (e.g. index still building)| transient  | transient       | transient (Paxos read phase) |
 * | client timeout, socket closed after sending         | transient  | unknown outcome | unknown outcome              |
 * | nothing sent (socket closed before writing)         | transient  | transient       | transient                    |
 * | no host reachable at all                            | fatal 08001| fatal 08001     | fatal 08001                  |
 * | Invalid / AlreadyExists / Unauthorized              | InvalidOperationError with a PostgreSQL code       |||
 * | Unprepared (the driver could not re-prepare)        | InvalidOperationError 42P01 (the table changed)    |||
 *
 * Unavailable is raised before the coordinator sends anything, and a Paxos round that fails in its
 * prepare or read phase has proposed nothing, so those applied nothing.
 */
import cassandra from 'cassandra-driver';
import { SqlState } from '../errors.js';
import {
  FatalStorageError, InvalidOperationError, StorageError, TransientStorageError, UnknownOutcomeError,
} from './errors.js';

export type CassandraPhase = 'connect' | 'read' | 'write' | 'conditional-write' | 'ddl';

const codes = cassandra.types.responseErrorCodes;

/** The fields of a driver error this module looks at (the driver's typings omit most of them). */
interface DriverErrorFields {
  readonly code?: unknown;
  readonly writeType?: unknown;
  readonly isSocketError?: unknown;
  readonly requestNotWritten?: unknown;
  readonly innerErrors?: unknown;
  readonly keyspace?: unknown;
  readonly table?: unknown;
}

function fieldsOf(e: unknown): DriverErrorFields {
  return typeof e === 'object' && e !== null ? (e as DriverErrorFields) : {};
}

/**
 * A WriteTimeout of type SIMPLE on a lightweight transaction: Paxos accepted the proposal (Cassandra
 * commits only a proposal whose condition held and that changes something) and the commit ("learn")
 * phase timed out on some replicas. The write is decided; the next SERIAL read of the partition
 * finishes the commit. ScalarDB calls this ReadRepairableExecutionException.
 */
export function isLearnPhaseTimeout(e: unknown): boolean {
  const f = fieldsOf(e);
  return e instanceof cassandra.errors.ResponseError && f.code === codes.writeTimeout && f.writeType === 'SIMPLE';
}

/** Connection-level failures that mean the host was never reached. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|Connection timeout|connect ETIMEDOUT|No host could be resolved|not connected/i;

/** True when every host tried failed before any request reached it (or there was none to try). */
function noHostReached(e: unknown): boolean {
  const inner = fieldsOf(e).innerErrors;
  if (inner === null || inner === undefined || typeof inner !== 'object') return true;
  const errors = Object.values(inner as Record<string, unknown>);
  return errors.every((x) => {
    const f = fieldsOf(x);
    if (f.isSocketError === true && f.requestNotWritten === true) return true;
    return x instanceof Error && !(x instanceof cassandra.errors.ResponseError) && UNREACHABLE.test(x.message);
  });
}

export function toStorageError(e: unknown, phase: CassandraPhase): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const cause = { cause: e };
  const writing = phase === 'write' || phase === 'conditional-write';
  const unknownOutcome = (why: string) => new UnknownOutcomeError(`${why}; the write may or may not have been applied: ${message}`, cause);
  const f = fieldsOf(e);

  if (e instanceof cassandra.errors.NoHostAvailableError) {
    if (noHostReached(e)) return new FatalStorageError(`cannot reach Cassandra: ${message}`, cause, '08001');
    // A host answered with an error: classify the first one.
    const first = Object.values((f.innerErrors ?? {}) as Record<string, unknown>)[0];
    if (first !== undefined && first !== e) return toStorageError(first, phase);
    return writing ? unknownOutcome('no Cassandra host completed the request') : new TransientStorageError(message, cause, SqlState.connectionFailure);
  }
  if (e instanceof cassandra.errors.BusyConnectionError) return new TransientStorageError(`Cassandra connections are busy: ${message}`, cause, SqlState.tooManyConnections);
  if (e instanceof cassandra.errors.OperationTimedOutError) {
    return writing ? unknownOutcome('Cassandra did not answer in time') : new TransientStorageError(`Cassandra did not answer in time: ${message}`, cause, SqlState.connectionFailure);
  }
  if (f.isSocketError === true) {
    if (f.requestNotWritten === true || !writing) return new TransientStorageError(`the Cassandra connection broke: ${message}`, cause, SqlState.connectionFailure);
    return unknownOutcome('the Cassandra connection broke while a write was in flight');
  }
  if (e instanceof cassandra.errors.AuthenticationError) return new FatalStorageError(`Cassandra refused the credentials: ${message}`, cause, SqlState.invalidPassword);

  if (e instanceof cassandra.errors.ResponseError) {
    switch (e.code) {
      case codes.writeTimeout:
        if (f.writeType === 'BATCH_LOG') return new TransientStorageError(`the batch log write timed out; nothing was applied: ${message}`, cause);
        if (f.writeType === 'CAS') return unknownOutcome('the Paxos round of a conditional write timed out');
        return unknownOutcome(`a write timed out (write type ${String(f.writeType)})`);
      case codes.writeFailure:
        return unknownOutcome(`replicas failed a write (write type ${String(f.writeType)})`);
      case codes.unavailableException:
        return new TransientStorageError(`not enough Cassandra replicas are alive; nothing was applied: ${message}`, cause);
      case codes.overloaded:
      case codes.isBootstrapping:
        return new TransientStorageError(`Cassandra is overloaded or starting: ${message}`, cause, SqlState.cannotConnectNow);
      case codes.readTimeout:
      case codes.readFailure:
      case codes.truncateError:
        return new TransientStorageError(message, cause);
      case codes.alreadyExists:
        return typeof f.table === 'string'
          ? new InvalidOperationError(SqlState.duplicateTable, message, cause)
          : new InvalidOperationError(SqlState.duplicateSchema, message, cause);
      case codes.unauthorized:
        return new InvalidOperationError(SqlState.insufficientPrivilege, message, cause);
      case codes.badCredentials:
        return new FatalStorageError(`Cassandra refused the credentials: ${message}`, cause, SqlState.invalidPassword);
      case codes.syntaxError:
        return new FatalStorageError(`Cassandra could not parse a statement: ${message}`, cause, SqlState.internalError);
      case codes.invalid:
      case codes.configError:
        return invalidRequest(message, cause);
      case codes.unprepared:
        // The driver re-prepares a statement Cassandra forgot; this surfaces when that fails because
        // the table was dropped or changed. Nothing ran.
        return new InvalidOperationError(SqlState.undefinedTable, `the table changed since the statement was prepared: ${message}`, cause);
      default:
        // serverError, protocolError, functionFailure, ...: nothing says the write did not happen.
        return writing ? unknownOutcome('Cassandra failed the request') : new FatalStorageError(`Cassandra failed the request: ${message}`, cause);
    }
  }
  if (phase === 'connect') return new FatalStorageError(`cannot connect to Cassandra: ${message}`, cause, '08001');
  if (e instanceof TypeError) {
    // The driver refused to encode a parameter: the table changed under a cached prepared statement.
    return new InvalidOperationError(SqlState.datatypeMismatch, message, cause);
  }
  if (/shutdown|closed/i.test(message)) return new FatalStorageError(`the Cassandra client is closed: ${message}`, cause, '08003');
  return writing ? unknownOutcome('the Cassandra driver failed') : new FatalStorageError(message, cause);
}

/** Cassandra's InvalidRequest / ConfigurationException messages, by what they say. */
function invalidRequest(message: string, cause: { cause: unknown }): InvalidOperationError {
  const code = /unconfigured table|Cannot (?:find|drop non existing) table|table .* (?:does not|doesn't) exist/i.test(message) ? SqlState.undefinedTable
    : /keyspace .* (?:does not|doesn't) exist|non existing keyspace|Keyspace '.*' does not exist/i.test(message) ? SqlState.invalidSchemaName
    : /Undefined column name|Unknown identifier|Undefined name .* in selection/i.test(message) ? SqlState.undefinedColumn
    : /No supported secondary index|Index .* (?:does not|doesn't) exist|non existing index/i.test(message) ? SqlState.undefinedObject
    : /^Cannot (?:create|use) |not supported|Unsupported/i.test(message) ? SqlState.featureNotSupported
    : /already exists|is a duplicate of existing index/i.test(message) ? SqlState.duplicateObject
    : /too big|too large|exceeds maximum/i.test(message) ? SqlState.programLimitExceeded
    : /must not be more than|longer than/i.test(message) ? SqlState.nameTooLong
    : /Key may not be empty/i.test(message) ? SqlState.featureNotSupported
    : /Expected \d+ or 0 byte|Invalid (?:INTEGER|FLOAT|DOUBLE|BOOLEAN|BIGINT) constant|Invalid .* value for|Type error/i.test(message) ? SqlState.datatypeMismatch
    : SqlState.syntaxError;
  return new InvalidOperationError(code, message, cause);
}
