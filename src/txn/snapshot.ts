/**
 * What a transaction has read and what it intends to write (ScalarDB's `Snapshot`):
 *
 * - read set: the first committed version of each record this transaction saw (or its absence).
 *   Prepare conditions on it; SNAPSHOT and SERIALIZABLE serve later reads of the record from it
 *   (repeatable reads).
 * - get reads: records whose committed version a get returned; SERIALIZABLE validation re-reads them.
 * - scan records: see scan.ts.
 * - write set: one intent per record (put, insert or delete), combined as SQL statements combine, with
 *   an undo journal for savepoints.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Row } from '../storage/types.js';
import type { Isolation } from './api.js';
import { encodeRecordKey, keyColumnsOf, type RecordAddress } from './record-key.js';
import type { ScanRecord } from './scan.js';
import type { TransactionTableMetadata } from './table-metadata.js';

/**
 * A write intent. `mode` of a put:
 * - upsert: the named columns change, the others keep their committed value (read at commit);
 * - insert: the record must not exist; unnamed columns are NULL (no read);
 * - replace: a put after a delete in this transaction: the whole record, unnamed columns NULL.
 * A delete with `mustBeAbsent` undoes this transaction's own insert: the record must still not exist.
 */
export type WriteIntent =
  | {
      readonly kind: 'put';
      readonly address: RecordAddress;
      readonly meta: TransactionTableMetadata;
      readonly values: Readonly<Row>;
      readonly mode: 'upsert' | 'insert' | 'replace';
    }
  | {
      readonly kind: 'delete';
      readonly address: RecordAddress;
      readonly meta: TransactionTableMetadata;
      readonly mustBeAbsent: boolean;
    };

export interface ReadEntry {
  readonly address: RecordAddress;
  readonly meta: TransactionTableMetadata;
  /** The committed version read (physical shape, before_* NULL), or null when absent. */
  readonly row: Row | null;
}

interface JournalEntry {
  readonly key: string;
  readonly previous: WriteIntent | undefined;
}

export class Snapshot {
  readonly readSet = new Map<string, ReadEntry>();
  readonly getReads = new Set<string>();
  readonly scanRecords: ScanRecord[] = [];
  /** The latest record of each distinct scan, for repeatable scans under SNAPSHOT and SERIALIZABLE. */
  readonly scanCache = new Map<string, ScanRecord>();
  readonly writeSet = new Map<string, WriteIntent>();

  private journal: JournalEntry[] = [];
  private savepoints: { id: number; journalLength: number }[] = [];
  private nextSavepointId = 1;

  constructor(
    readonly isolation: Isolation,
    private readonly maxWrites: number,
  ) {}

  /** Whether reads are served from the read set (repeatable) rather than always from storage. */
  get repeatableReads(): boolean {
    return this.isolation !== 'READ_COMMITTED';
  }

  /** Records the first committed version seen of a record; later sightings do not replace it. */
  noteRead(key: string, entry: ReadEntry): void {
    if (!this.readSet.has(key)) this.readSet.set(key, entry);
  }

  /** Whether SERIALIZABLE validation has anything to check (ScalarDB `isValidationRequired` + get filter). */
  get validationRequired(): boolean {
    if (this.isolation !== 'SERIALIZABLE') return false;
    if (this.scanRecords.length > 0) return true;
    for (const key of this.getReads) if (!this.writeSet.has(key)) return true;
    return false;
  }

  // --- write set ------------------------------------------------------------------------------

  put(address: RecordAddress, meta: TransactionTableMetadata, values: Row): void {
    const key = encodeRecordKey(address);
    const prev = this.writeSet.get(key);
    let next: WriteIntent;
    if (!prev) next = { kind: 'put', address, meta, values, mode: 'upsert' };
    else if (prev.kind === 'put') next = { ...prev, values: { ...prev.values, ...values } };
    else next = { kind: 'put', address, meta, values, mode: prev.mustBeAbsent ? 'insert' : 'replace' };
    this.setIntent(key, next);
  }

  insert(address: RecordAddress, meta: TransactionTableMetadata, values: Row): void {
    const key = encodeRecordKey(address);
    const prev = this.writeSet.get(key);
    const committed = this.readSet.get(key);
    if ((prev && prev.kind === 'put') || (!prev && committed?.row)) {
      throw duplicateKey(meta, address);
    }
    const mode = !prev || prev.mustBeAbsent ? 'insert' : 'replace';
    this.setIntent(key, { kind: 'put', address, meta, values, mode });
  }

  delete(address: RecordAddress, meta: TransactionTableMetadata): void {
    const key = encodeRecordKey(address);
    const prev = this.writeSet.get(key);
    if (prev?.kind === 'delete') return;
    const mustBeAbsent = prev?.kind === 'put' && prev.mode === 'insert';
    this.setIntent(key, { kind: 'delete', address, meta, mustBeAbsent });
  }

  private setIntent(key: string, intent: WriteIntent): void {
    const previous = this.writeSet.get(key);
    if (!previous && this.writeSet.size >= this.maxWrites) {
      throw new SqlError(SqlState.programLimitExceeded, `a transaction may write at most ${this.maxWrites} records`);
    }
    if (this.savepoints.length > 0) this.journal.push({ key, previous });
    this.writeSet.set(key, intent);
  }

  /**
   * This transaction's version of a record given the committed one: null when deleted. An upsert
   * needs the committed version (`committed` undefined means not read yet, which callers avoid).
   */
  static mergedRow(intent: WriteIntent, committed: Row | null | undefined): Row | null {
    if (intent.kind === 'delete') return null;
    if (intent.mode === 'upsert' && committed) return { ...committed, ...intent.values };
    const row = keyColumnsOf(intent.meta, intent.address);
    for (const c of intent.meta.valueColumns) row[c] = intent.values[c] ?? null;
    return row;
  }

  /** Whether the merged version of a write needs the committed record. */
  static needsCommittedRow(intent: WriteIntent): boolean {
    return intent.kind === 'put' && intent.mode === 'upsert';
  }

  // --- savepoints -----------------------------------------------------------------------------

  savepoint(): number {
    const id = this.nextSavepointId++;
    this.savepoints.push({ id, journalLength: this.journal.length });
    return id;
  }

  /** Undoes writes made since the savepoint; the savepoint stays (as SQL ROLLBACK TO keeps it). */
  rollbackTo(id: number): void {
    const index = this.savepointIndex(id);
    const { journalLength } = this.savepoints[index];
    for (let i = this.journal.length - 1; i >= journalLength; i--) {
      const { key, previous } = this.journal[i];
      if (previous) this.writeSet.set(key, previous);
      else this.writeSet.delete(key);
    }
    this.journal.length = journalLength;
    this.savepoints.length = index + 1;
  }

  /** Forgets the savepoint and every later one; their writes stay. */
  release(id: number): void {
    const index = this.savepointIndex(id);
    this.savepoints.length = index;
    if (this.savepoints.length === 0) this.journal = [];
  }

  private savepointIndex(id: number): number {
    const index = this.savepoints.findIndex((s) => s.id === id);
    if (index < 0) throw new SqlError('3B001', `savepoint ${id} does not exist`);
    return index;
  }
}

export function duplicateKey(meta: TransactionTableMetadata, address: RecordAddress): SqlError {
  const key = [...address.partitionKey, ...address.clusteringKey].map((v) => String(v)).join(', ');
  const columns = [...meta.partitionKey, ...meta.clusteringKey.map((c) => c.name)].join(', ');
  return new SqlError(SqlState.uniqueViolation, `duplicate key value violates unique constraint "${meta.table}_pkey"`, {
    detail: `Key (${columns})=(${key}) already exists.`,
    schema: meta.namespace,
    table: meta.table,
  });
}
