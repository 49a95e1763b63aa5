/**
 * Reads and writes inside a transaction (ScalarDB's `CrudHandler`). Reads go to storage, settle
 * undecided records through lazy recovery, and land in the snapshot; SNAPSHOT and SERIALIZABLE
 * serve a record already read from the read set, and a scan already made from its ScanRecord, so
 * reads repeat. This transaction's own writes are merged into every read (read-your-writes, scans
 * included). Writes are only buffered; commit.ts writes them.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Row } from '../storage/types.js';
import type { RecordKey, TxGet, TxScan, TxWrite } from './api.js';
import { execution, type TransactionServices } from './context.js';
import { readOnlyViolation } from './errors.js';
import { checkProjection, checkRecordKey, checkScan, checkWriteValues } from './operation-checker.js';
import { runAllOrThrow } from './parallel-executor.js';
import { isCommittedRecord, txIdOf, userRowOf } from './record.js';
import { addressOfRow, encodeRecordKey, storageKeyOf, type RecordAddress } from './record-key.js';
import type { Reader } from './recovery.js';
import {
  ScanPlan,
  mergeOwnWrites,
  observedRegion,
  scanSignature,
  widenRegion,
  type MergedScan,
  type OwnVersion,
  type ScanRecord,
  type ScannedRow,
} from './scan.js';
import { Snapshot, type WriteIntent } from './snapshot.js';
import type { TransactionTableMetadata } from './table-metadata.js';

export interface CrudReader extends Reader {
  readonly readOnly: boolean;
}

/** A storage row of a scan with the committed version it stands for (null: none). */
interface ResolvedScanRow {
  readonly key: string;
  readonly address: RecordAddress;
  readonly row: Row | null;
}

export class CrudHandler {
  /** Repairs this transaction's reads triggered, by record key. */
  private readonly repairs = new Map<string, Promise<void>>();

  constructor(
    private readonly services: TransactionServices,
    readonly snapshot: Snapshot,
    private readonly reader: CrudReader,
  ) {}

  // --- reads ----------------------------------------------------------------------------------

  async get(op: TxGet): Promise<Row | null> {
    const meta = await this.services.tables.get(op);
    const address = checkRecordKey(meta, op);
    checkProjection(meta, op.projection);
    const key = encodeRecordKey(address);
    const intent = this.snapshot.writeSet.get(key);
    let row: Row | null;
    if (intent && !Snapshot.needsCommittedRow(intent)) {
      row = Snapshot.mergedRow(intent, undefined);
    } else {
      const committed = await this.readCommitted(meta, address, key);
      if (this.snapshot.isolation === 'SERIALIZABLE') this.snapshot.getReads.add(key);
      row = intent ? Snapshot.mergedRow(intent, committed) : committed;
    }
    return row ? userRowOf(meta, row, op.projection) : null;
  }

  async scan(op: TxScan): Promise<Row[]> {
    const meta = await this.services.tables.get(op);
    checkScan(meta, op);
    const plan = new ScanPlan(op, meta);
    const signature = scanSignature(op);
    const own = this.ownIntentsOf(meta);

    const cached = this.snapshot.repeatableReads ? this.snapshot.scanCache.get(signature) : undefined;
    if (cached) {
      const bases = new Map(cached.rows.map((r) => [r.key, r.row] as const));
      const merged = mergeOwnWrites(plan, cached.rows, await this.ownVersions(plan, own, bases), cached.exhausted, cached.knownThrough);
      if (merged.sufficient) {
        cached.observed = widenRegion(plan, cached.observed, observedRegion(plan, merged, cached.exhausted, keysOf(cached.rows)));
        return present(plan, merged);
      }
      // Own deletes since the first scan left fewer rows than the limit: read further.
    }

    // Storage is asked for more than the limit by the number of own writes (each may hide a row);
    // recovery and re-filtering may drop more, in which case the limit doubles.
    let fetchLimit = plan.limit > 0 ? plan.limit + own.length : 0;
    for (;;) {
      const { rows, exhausted, knownThrough } = await this.readScan(plan, fetchLimit);
      const committed: ScannedRow[] = [];
      for (const r of rows) {
        if (r.row && plan.matches(r.address, r.row)) {
          committed.push({ key: r.key, address: r.address, row: r.row });
          this.snapshot.noteRead(r.key, { address: r.address, meta, row: r.row });
        }
      }
      const bases = new Map(rows.map((r) => [r.key, r.row] as const));
      const merged = mergeOwnWrites(plan, committed, await this.ownVersions(plan, own, bases), exhausted, knownThrough);
      if (merged.sufficient) {
        const record: ScanRecord = {
          plan,
          rows: committed,
          exhausted,
          ...(knownThrough ? { knownThrough } : {}),
          observed: observedRegion(plan, merged, exhausted, keysOf(committed)),
        };
        if (this.snapshot.isolation === 'SERIALIZABLE') this.snapshot.scanRecords.push(record);
        if (this.snapshot.repeatableReads) this.snapshot.scanCache.set(signature, record);
        return present(plan, merged);
      }
      fetchLimit *= 2;
    }
  }

  /**
   * The committed version of a record as this transaction sees it: from the read set when reads
   * repeat, else from storage (settled by lazy recovery). Records the first version seen.
   */
  async readCommitted(meta: TransactionTableMetadata, address: RecordAddress, key = encodeRecordKey(address)): Promise<Row | null> {
    if (this.snapshot.repeatableReads) {
      const seen = this.snapshot.readSet.get(key);
      if (seen) return seen.row;
    }
    const raw = await this.services.router.storageFor(address.namespace).get(storageKeyOf(address));
    const row = await this.settle(meta, address, key, raw);
    this.snapshot.noteRead(key, { address, meta, row });
    if (this.snapshot.repeatableReads) return (this.snapshot.readSet.get(key) as { row: Row | null }).row;
    return row;
  }

  /** Storage rows of a scan, in storage order, each with the committed version it stands for. */
  private async readScan(
    plan: ScanPlan,
    limit: number,
  ): Promise<{ rows: ResolvedScanRow[]; exhausted: boolean; knownThrough?: RecordAddress }> {
    const storage = this.services.router.storageFor(plan.meta.namespace);
    const results = await Promise.all(plan.storageScans(limit).map((s) => storage.scan(s)));
    const exhausted = limit === 0 || results.every((r) => r.length < limit);
    const seen = new Set<string>();
    const raws: { key: string; address: RecordAddress; raw: Row }[] = [];
    for (const result of results) {
      for (const raw of result) {
        const address = addressOfRow(plan.meta, raw);
        const key = encodeRecordKey(address);
        if (seen.has(key)) continue; // an index scan also looks up the before_ index
        seen.add(key);
        raws.push({ key, address, raw });
      }
    }
    const first = results[0];
    const knownThrough = plan.ordered && !exhausted && first.length > 0 ? addressOfRow(plan.meta, first[first.length - 1]) : undefined;
    const rows = await runAllOrThrow(
      raws.map(({ key, address, raw }) => async (): Promise<ResolvedScanRow> => {
        const repeated = this.snapshot.repeatableReads ? this.snapshot.readSet.get(key) : undefined;
        if (repeated) return { key, address, row: repeated.row };
        return { key, address, row: await this.settle(plan.meta, address, key, raw) };
      }),
      execution(this.services.config, true),
    );
    return { rows, exhausted, ...(knownThrough ? { knownThrough } : {}) };
  }

  /** The committed version behind a storage row: itself when committed, else lazy recovery decides. */
  private async settle(meta: TransactionTableMetadata, address: RecordAddress, key: string, raw: Row | null): Promise<Row | null> {
    if (!raw || isCommittedRecord(raw)) return raw;
    if (txIdOf(raw) === this.reader.transactionId) {
      // Records are written only at commit, after which this transaction reads nothing.
      throw new SqlError(SqlState.internalError, `transaction ${this.reader.transactionId} read its own undecided record`);
    }
    const resolved = await this.services.recovery.resolve(meta, address, raw, this.reader);
    if (resolved.repair) this.repairs.set(key, resolved.repair);
    return resolved.row;
  }

  private ownIntentsOf(meta: TransactionTableMetadata): WriteIntent[] {
    const out: WriteIntent[] = [];
    for (const intent of this.snapshot.writeSet.values()) {
      if (intent.address.table === meta.table && intent.address.namespace === meta.namespace) out.push(intent);
    }
    return out;
  }

  /** This transaction's version of each record it wrote in the scanned table that may matter to the scan. */
  private async ownVersions(plan: ScanPlan, own: readonly WriteIntent[], bases: ReadonlyMap<string, Row | null>): Promise<Map<string, OwnVersion>> {
    const versions = new Map<string, OwnVersion>();
    const reads: (() => Promise<void>)[] = [];
    for (const intent of own) {
      const key = encodeRecordKey(intent.address);
      // A partition scan decides membership by key alone; skip records outside it early.
      if (plan.scan.kind === 'partition' && !plan.matches(intent.address, {})) continue;
      if (!Snapshot.needsCommittedRow(intent)) {
        versions.set(key, { key, address: intent.address, row: Snapshot.mergedRow(intent, undefined) });
      } else if (bases.has(key)) {
        const committed = bases.get(key) ?? null;
        // The version merged here is the one prepare must condition on.
        this.snapshot.noteRead(key, { address: intent.address, meta: intent.meta, row: committed });
        versions.set(key, { key, address: intent.address, row: Snapshot.mergedRow(intent, committed) });
      } else {
        // An update of a record this scan did not return (its committed version did not match, or
        // it was never read): its merged version may match, so read the committed version.
        reads.push(async () => {
          const committed = await this.readCommitted(intent.meta, intent.address, key);
          versions.set(key, { key, address: intent.address, row: Snapshot.mergedRow(intent, committed) });
        });
      }
    }
    if (reads.length > 0) await runAllOrThrow(reads, execution(this.services.config, true));
    return versions;
  }

  // --- writes ---------------------------------------------------------------------------------

  async put(op: TxWrite): Promise<void> {
    const { meta, address, values } = await this.checkWrite(op, 'UPDATE');
    this.snapshot.put(address, meta, values);
  }

  async insert(op: TxWrite): Promise<void> {
    const { meta, address, values } = await this.checkWrite(op, 'INSERT');
    this.snapshot.insert(address, meta, values);
  }

  async delete(op: RecordKey): Promise<void> {
    if (this.reader.readOnly) throw readOnlyViolation('DELETE');
    const meta = await this.services.tables.get(op);
    this.snapshot.delete(checkRecordKey(meta, op), meta);
  }

  private async checkWrite(op: TxWrite, what: string): Promise<{ meta: TransactionTableMetadata; address: RecordAddress; values: Row }> {
    if (this.reader.readOnly) throw readOnlyViolation(what);
    const meta = await this.services.tables.get(op);
    const address = checkRecordKey(meta, op);
    return { meta, address, values: checkWriteValues(meta, op.values) };
  }

  // --- before commit --------------------------------------------------------------------------

  /**
   * Reads every written record not read yet (ScalarDB's implicit pre-read): prepare conditions on
   * the committed version it replaces. Inserts are not read (they require absence instead).
   */
  async readUnreadWrites(): Promise<void> {
    const reads: (() => Promise<unknown>)[] = [];
    for (const [key, intent] of this.snapshot.writeSet) {
      if (!needsCommittedVersion(intent) || this.snapshot.readSet.has(key)) continue;
      reads.push(() => this.readCommitted(intent.meta, intent.address, key));
    }
    if (reads.length > 0) await runAllOrThrow(reads, execution(this.services.config, true));
  }

  /** The committed version a write replaces (null: none, or an insert that requires none). */
  committedVersionOf(key: string, intent: WriteIntent): Row | null {
    if (!needsCommittedVersion(intent)) return null;
    return this.snapshot.readSet.get(key)?.row ?? null;
  }

  /** Waits for the repairs this transaction's reads started, of the given records or of all. */
  async awaitRepairs(only?: (key: string) => boolean): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [key, repair] of this.repairs) if (!only || only(key)) waits.push(repair);
    await Promise.all(waits);
  }
}

function needsCommittedVersion(intent: WriteIntent): boolean {
  return intent.kind === 'put' ? intent.mode !== 'insert' : !intent.mustBeAbsent;
}

function keysOf(rows: readonly ScannedRow[]): Set<string> {
  return new Set(rows.map((r) => r.key));
}

function present(plan: ScanPlan, merged: MergedScan): Row[] {
  const rows = plan.limit > 0 ? merged.rows.slice(0, plan.limit) : merged.rows;
  return rows.map((r) => userRowOf(plan.meta, r.row));
}

