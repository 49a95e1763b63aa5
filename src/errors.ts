/**
 * Errors that reach a user carry a PostgreSQL SQLSTATE from the place they arise; the wire layer only
 * formats them. Anything else that escapes to the wire is an internal error (XX000) and is logged.
 */

/** The SQLSTATE codes polygres raises, named as in PostgreSQL's errcodes.txt. */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  noActiveSqlTransaction: '25P01',
  activeSqlTransaction: '25001',
  readOnlySqlTransaction: '25006',
  inFailedSqlTransaction: '25P02',
  invalidTransactionState: '25000',
  connectionException: '08000',
  connectionFailure: '08006',
  protocolViolation: '08P01',
  featureNotSupported: '0A000',
  invalidTransactionInitiation: '0B000',
  cardinalityViolation: '21000',
  dataException: '22000',
  stringDataRightTruncation: '22001',
  numericValueOutOfRange: '22003',
  nullValueNotAllowed: '22004',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidTimeZoneDisplacementValue: '22009',
  divisionByZero: '22012',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
  invalidBinaryRepresentation: '22P03',
  characterNotInRepertoire: '22021',
  invalidEscapeSequence: '22025',
  arraySubscriptError: '2202E',
  invalidRegularExpression: '2201B',
  invalidRowCountInLimitClause: '2201W',
  invalidRowCountInResultOffsetClause: '2201X',
  invalidPrecedingOrFollowingSize: '22013',
  invalidArgumentForNtile: '22014',
  invalidArgumentForNthValue: '22016',
  invalidJsonText: '22P02',
  integrityConstraintViolation: '23000',
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  invalidSqlStatementName: '26000',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  invalidSchemaName: '3F000',
  invalidCursorName: '34000',
  serializationFailure: '40001',
  statementCompletionUnknown: '40003',
  deadlockDetected: '40P01',
  syntaxError: '42601',
  insufficientPrivilege: '42501',
  groupingError: '42803',
  windowingError: '42P20',
  datatypeMismatch: '42804',
  wrongObjectType: '42809',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedTable: '42P01',
  undefinedParameter: '42P02',
  undefinedObject: '42704',
  duplicateColumn: '42701',
  duplicateCursor: '42P03',
  duplicateDatabase: '42P04',
  duplicatePreparedStatement: '42P05',
  duplicateSchema: '42P06',
  duplicateTable: '42P07',
  duplicateObject: '42710',
  duplicateAlias: '42712',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  ambiguousParameter: '42P08',
  indeterminateDatatype: '42P18',
  invalidColumnReference: '42P10',
  invalidRecursion: '42P19',
  invalidTableDefinition: '42P16',
  invalidObjectDefinition: '42P17',
  invalidColumnDefinition: '42611',
  invalidName: '42602',
  nameTooLong: '42622',
  cannotCoerce: '42846',
  dependentObjectsStillExist: '2BP01',
  programLimitExceeded: '54000',
  statementTooComplex: '54001',
  tooManyColumns: '54011',
  insufficientResources: '53000',
  outOfMemory: '53200',
  tooManyConnections: '53300',
  objectNotInPrerequisiteState: '55000',
  objectInUse: '55006',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03',
  idleSessionTimeout: '57P05',
  idleInTransactionSessionTimeout: '25P03',
  systemError: '58000',
  configFileError: 'F0000',
  internalError: 'XX000',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState] | string;

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based position in the statement text, counted in characters (as PostgreSQL's P field). */
  position?: number;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  /** PostgreSQL's R field; some drivers (pgjdbc, postgres.js) act on it. */
  routine?: string;
  severity?: Severity;
  cause?: unknown;
}

/** An error with a SQLSTATE, ready to become an ErrorResponse. */
export class SqlError extends Error {
  readonly code: SqlStateCode;
  readonly detail?: string;
  readonly hint?: string;
  position?: number;
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;
  readonly routine?: string;
  readonly severity: Severity;

  constructor(code: SqlStateCode, message: string, fields: SqlErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'SqlError';
    this.code = code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.where = fields.where;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
    this.routine = fields.routine;
    this.severity = fields.severity ?? 'ERROR';
  }
}

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof SqlError;
}

/** Wraps anything thrown into a SqlError; unknown failures become XX000 with their message. */
export function toSqlError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SqlError(SqlState.internalError, message, { cause: e });
}
