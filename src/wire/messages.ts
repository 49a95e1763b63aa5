/**
 * The messages of the PostgreSQL v3 protocol as small typed objects. frontend-decoder.ts turns bytes
 * into FrontendMessage; backend-encoder.ts turns BackendMessage into bytes; the session only ever
 * sees these objects.
 */
import type { SqlError } from '../errors.js';

/** Wire format codes of a parameter or result column. */
export type FormatCode = 0 | 1;
export const TEXT_FORMAT: FormatCode = 0;
export const BINARY_FORMAT: FormatCode = 1;

/** What Describe and Close refer to: a prepared statement ('S') or a portal ('P'). */
export type DescribeTarget = 'S' | 'P';

// ---------------------------------------------------------------------------------------------
// Frontend → backend

/** The untyped first packets of a connection (no type byte: length, then a request code). */
export interface StartupMessage {
  readonly type: 'startup';
  readonly protocolMajor: number;
  readonly protocolMinor: number;
  /** Key/value pairs in the order the client sent them (`user`, `database`, `options`, `_pq_.*`, ...). */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
}
export interface SslRequest {
  readonly type: 'sslRequest';
}
export interface GssEncRequest {
  readonly type: 'gssEncRequest';
}
export interface CancelRequest {
  readonly type: 'cancelRequest';
  readonly pid: number;
  readonly secret: number;
}

/**
 * 'p': PasswordMessage, SASLInitialResponse or SASLResponse; which one depends on the authentication
 * step, so the payload stays raw and auth reads it with the readers in frontend-decoder.ts.
 */
export interface AuthenticationResponse {
  readonly type: 'authenticationResponse';
  readonly payload: Buffer;
}

export interface Query {
  readonly type: 'query';
  readonly sql: string;
}
export interface Parse {
  readonly type: 'parse';
  readonly statement: string;
  readonly sql: string;
  /** One OID per parameter the client specified; 0 means "infer it". */
  readonly paramTypes: readonly number[];
}
export interface Bind {
  readonly type: 'bind';
  readonly portal: string;
  readonly statement: string;
  /** 0 codes: all text; 1 code: applies to all; else one per parameter. */
  readonly paramFormats: readonly FormatCode[];
  /** Text-format values as strings, binary ones as bytes, NULL as null. */
  readonly params: ReadonlyArray<string | Buffer | null>;
  /** Same convention as paramFormats, for result columns. */
  readonly resultFormats: readonly FormatCode[];
}
export interface Describe {
  readonly type: 'describe';
  readonly target: DescribeTarget;
  readonly name: string;
}
export interface Execute {
  readonly type: 'execute';
  readonly portal: string;
  /** 0 means all rows. */
  readonly maxRows: number;
}
export interface Close {
  readonly type: 'close';
  readonly target: DescribeTarget;
  readonly name: string;
}
export interface Sync {
  readonly type: 'sync';
}
export interface Flush {
  readonly type: 'flush';
}
export interface Terminate {
  readonly type: 'terminate';
}
export interface CopyData {
  readonly type: 'copyData';
  readonly data: Buffer;
}
export interface CopyDone {
  readonly type: 'copyDone';
}
export interface CopyFail {
  readonly type: 'copyFail';
  readonly message: string;
}
/** 'F': the legacy fast-path function call; answered with 0A000. */
export interface FunctionCall {
  readonly type: 'functionCall';
}

/**
 * A well-framed message whose text was not valid UTF-8: the message is skipped and the session
 * reports `error` (22021) as it would report a failure of that message.
 */
export interface UndecodableMessage {
  readonly type: 'undecodable';
  readonly within: 'query' | 'parse' | 'bind' | 'describe' | 'execute' | 'close' | 'copyFail';
  readonly error: SqlError;
}

export type StartupPacket = StartupMessage | SslRequest | GssEncRequest | CancelRequest;

export type FrontendMessage =
  | StartupPacket
  | AuthenticationResponse
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Close
  | Sync
  | Flush
  | Terminate
  | CopyData
  | CopyDone
  | CopyFail
  | FunctionCall
  | UndecodableMessage;

// ---------------------------------------------------------------------------------------------
// Backend → frontend

/** The single-byte answer to SSLRequest / GSSENCRequest: 'S' (go ahead) or 'N'. */
export interface EncryptionResponse {
  readonly type: 'encryptionResponse';
  readonly accept: boolean;
}

export type AuthenticationRequest =
  | { readonly type: 'authenticationOk' }
  | { readonly type: 'authenticationCleartextPassword' }
  | { readonly type: 'authenticationMd5Password'; readonly salt: Buffer }
  | { readonly type: 'authenticationSasl'; readonly mechanisms: readonly string[] }
  | { readonly type: 'authenticationSaslContinue'; readonly data: string }
  | { readonly type: 'authenticationSaslFinal'; readonly data: string };

export interface ParameterStatus {
  readonly type: 'parameterStatus';
  readonly name: string;
  readonly value: string;
}
export interface BackendKeyData {
  readonly type: 'backendKeyData';
  readonly pid: number;
  readonly secret: number;
}
export interface NegotiateProtocolVersion {
  readonly type: 'negotiateProtocolVersion';
  readonly newestMinor: number;
  readonly unrecognizedOptions: readonly string[];
}
export interface ReadyForQuery {
  readonly type: 'readyForQuery';
  readonly status: 'I' | 'T' | 'E';
}

export interface RowDescriptionField {
  readonly name: string;
  readonly tableOid: number;
  readonly columnNumber: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: FormatCode;
}
export interface RowDescription {
  readonly type: 'rowDescription';
  readonly fields: readonly RowDescriptionField[];
}
export interface ParameterDescription {
  readonly type: 'parameterDescription';
  readonly typeOids: readonly number[];
}
/** One row; a text-format value may stay a string (written as UTF-8), binary ones are bytes. */
export interface DataRow {
  readonly type: 'dataRow';
  readonly values: ReadonlyArray<string | Uint8Array | null>;
}
export interface CommandComplete {
  readonly type: 'commandComplete';
  readonly tag: string;
}
export interface CopyResponse {
  readonly type: 'copyInResponse' | 'copyOutResponse';
  /** 0 text/csv, 1 binary. */
  readonly format: FormatCode;
  readonly columnFormats: readonly number[];
}
export interface BackendCopyData {
  readonly type: 'copyData';
  readonly data: Uint8Array;
}

/** ErrorResponse or NoticeResponse: the wire only formats what the SqlError carries. */
export interface ErrorResponse {
  readonly type: 'errorResponse' | 'noticeResponse';
  readonly error: SqlError;
}

export type BackendMessage =
  | EncryptionResponse
  | AuthenticationRequest
  | ParameterStatus
  | BackendKeyData
  | NegotiateProtocolVersion
  | ReadyForQuery
  | RowDescription
  | ParameterDescription
  | DataRow
  | CommandComplete
  | CopyResponse
  | BackendCopyData
  | ErrorResponse
  | { readonly type: 'parseComplete' }
  | { readonly type: 'bindComplete' }
  | { readonly type: 'closeComplete' }
  | { readonly type: 'noData' }
  | { readonly type: 'portalSuspended' }
  | { readonly type: 'emptyQueryResponse' }
  | { readonly type: 'copyDone' };
