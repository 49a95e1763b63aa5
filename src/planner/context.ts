/**
 * What a running statement can see: its parameters, the session's codec settings, the statement and
 * transaction timestamps, and the session services that functions such as nextval(),
 * current_setting() or regclass input need. One EvalContext per execution.
 */
import type { CodecContext } from '../types/codec.js';
import type { SqlValue } from '../types/values.js';
import type { SqlError } from '../errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { NamespaceStorage } from '../catalog/storages.js';
import type { SystemCatalogContext } from '../catalog/system/context.js';

export interface SessionServices {
  readonly user: string;
  readonly database: string;
  readonly backendPid: number;
  /** current_setting(); undefined for an unknown setting when missingOk. */
  setting(name: string, missingOk: boolean): string | undefined;
  /** set_config(); returns the new value as SHOW prints it. */
  setSetting(name: string, value: string, local: boolean): string;
  /** The catalog this statement runs against (the transaction's own, after DDL in it). */
  catalog(): Catalog;
  searchPath(): string[];
  nextval(sequenceOid: number): Promise<bigint>;
  currval(sequenceOid: number): bigint;
  lastval(): bigint;
  setval(sequenceOid: number, value: bigint, isCalled: boolean): Promise<bigint>;
  /** The stored state of a sequence, as reading the sequence relation shows it. */
  sequenceState(sequenceOid: number): Promise<{ lastValue: bigint; isCalled: boolean }>;
  notice(notice: SqlError): void;
  /** The storage a schema's tables live in (or would, for a schema not created yet); null for pg_catalog and information_schema. */
  schemaStorage(schema: string): NamespaceStorage | null;
  /** What pg_catalog and information_schema rows and the catalog functions are computed from. */
  systemCatalog(): SystemCatalogContext;
}

export interface EvalContext {
  readonly params: readonly SqlValue[];
  readonly codec: CodecContext;
  readonly session: SessionServices;
  /** Microseconds since the epoch: statement_timestamp() and transaction_timestamp()/now(). */
  readonly statementStartMicros: bigint;
  readonly transactionStartMicros: bigint;
  /** Rows of the enclosing queries, innermost last (correlated subqueries). */
  readonly outerRows: SqlValue[][];
  /** Throws 57014 when the statement was cancelled or timed out. */
  checkCancel(): void;
}

export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
