/**
 * SERIALIZABLE validation (ScalarDB's `Snapshot.toSerializable`, "extra read"): after prepare,
 * every get and scan is read again, and the transaction commits only if the committed data they
 * depended on is unchanged — no record read was overwritten or deleted, no record appeared in a
 * scanned region (phantom). With this transaction's records PREPARED (locked) and the read set
 * unchanged, the transaction serializes at its commit point.
 *
 * This transaction's own PREPARED records count as the committed version they replaced (their
 * before image, which prepare guaranteed equals the version this transaction read), so records it
 * wrote are validated as well: a scan that missed a record which this transaction later updated
 * blindly still sees that record as a phantom. Records another transaction holds undecided conflict
 * when they might change what was read (conservatively, like ScalarDB's tx_id comparison).
 */
import type { Row } from '../storage/types.js';
import { execution, type TransactionServices } from './context.js';
import { ConflictError } from './errors.js';
import { runAllOrThrow } from './parallel-executor.js';
import { beforeImageOf, isCommittedRecord, txIdOf, txStateOf } from './record.js';
import { addressOfRow, encodeRecordKey, storageKeyOf, type RecordAddress } from './record-key.js';
import { describeRecord } from './recovery.js';
import type { ScanRecord } from './scan.js';
import type { Snapshot } from './snapshot.js';
import type { TransactionTableMetadata } from './table-metadata.js';
import { TxState } from './attributes.js';

/** A record as validation sees it now. */
type CurrentVersion =
  | { readonly kind: 'committed'; readonly row: Row | null }
  | { readonly kind: 'undecided'; readonly writer: string; readonly after: Row | null; readonly before: Row | null };

/** Extra rows fetched beyond the known count when re-reading the prefix of a cut ordered scan. */
const CUT_SCAN_SLACK = 16;

export async function validateReads(transactionId: string, snapshot: Snapshot, services: TransactionServices): Promise<void> {
  const validator = new ReadValidator(transactionId, snapshot, services);
  const tasks: (() => Promise<void>)[] = [];
  for (const record of snapshot.scanRecords) tasks.push(() => validator.validateScan(record));
  for (const key of snapshot.getReads) {
    if (!snapshot.writeSet.has(key)) tasks.push(() => validator.validateGet(key));
  }
  await runAllOrThrow(tasks, execution(services.config, services.config.parallelValidation));
}

class ReadValidator {
  constructor(
    private readonly transactionId: string,
    private readonly snapshot: Snapshot,
    private readonly services: TransactionServices,
  ) {}

  /** A get: the record is still the version read, or still absent. Written records are covered by prepare. */
  async validateGet(key: string): Promise<void> {
    const read = this.snapshot.readSet.get(key);
    if (!read) return;
    const current = await this.readCurrent(read.meta, read.address);
    if (!this.isUnchanged(current, read.row)) this.conflict(read.address, 'was changed after it was read');
  }

  async validateScan(record: ScanRecord): Promise<void> {
    const { plan, observed } = record;
    if (observed.kind === 'rows') {
      const byKey = new Map(record.rows.map((r) => [r.key, r] as const));
      for (const key of observed.keys) {
        const read = byKey.get(key);
        if (!read) continue;
        const current = await this.readCurrent(plan.meta, read.address);
        const stillMatches = current.kind === 'committed' ? current.row !== null && plan.matches(read.address, current.row) : true;
        if (!stillMatches || !this.isUnchanged(current, read.row)) this.conflict(read.address, 'was changed after a scan read it');
      }
      return;
    }

    const through = observed.through;
    const inRegion = (a: RecordAddress) => through === null || plan.compare(a, through) <= 0;
    const expected = new Map<string, string | null>();
    for (const r of record.rows) if (inRegion(r.address)) expected.set(r.key, txIdOf(r.row));
    const seen = new Set<string>();

    for (const raw of await this.rescan(record, expected.size)) {
      const address = addressOfRow(plan.meta, raw);
      if (!inRegion(address)) continue;
      const key = encodeRecordKey(address);
      if (seen.has(key)) continue;
      const current = this.classify(plan.meta, raw);
      if (current.kind === 'committed') {
        if (!current.row || !plan.matches(address, current.row)) continue; // absent or out: a missing expected row is caught below
        if (!expected.has(key)) this.conflict(address, 'appeared in a scanned range (phantom)');
        if (expected.get(key) !== txIdOf(current.row)) this.conflict(address, 'was changed after a scan read it');
        seen.add(key);
      } else if (expected.has(key)) {
        // Undecided by the writer whose committed version we read (read through recovery): unchanged.
        if (expected.get(key) !== current.writer) this.conflict(address, `is being written by transaction ${current.writer}`);
        seen.add(key);
      } else if ((current.after && plan.matches(address, current.after)) || (current.before && plan.matches(address, current.before))) {
        this.conflict(address, `is being written into a scanned range by transaction ${current.writer}`);
      }
    }
    for (const r of record.rows) {
      if (expected.has(r.key) && !seen.has(r.key)) this.conflict(r.address, 'left a scanned range after it was read');
    }
  }

  /** The storage rows of the observed region (a cut ordered scan is read in growing chunks). */
  private async rescan(record: ScanRecord, expectedCount: number): Promise<Row[]> {
    const { plan, observed } = record;
    const storage = this.services.router.storageFor(plan.meta.namespace);
    const through = observed.kind === 'range' ? observed.through : null;
    if (through === null) {
      const results = await Promise.all(plan.storageScans(0).map((s) => storage.scan(s)));
      return results.flat();
    }
    let limit = expectedCount + this.snapshot.writeSet.size + CUT_SCAN_SLACK;
    for (;;) {
      const [scan] = plan.storageScans(limit);
      const rows = await storage.scan(scan);
      if (rows.length < limit) return rows;
      if (plan.compare(addressOfRow(plan.meta, rows[rows.length - 1]), through) > 0) return rows;
      limit *= 2;
    }
  }

  private async readCurrent(meta: TransactionTableMetadata, address: RecordAddress): Promise<CurrentVersion> {
    const raw = await this.services.router.storageFor(address.namespace).get(storageKeyOf(address));
    return this.classify(meta, raw);
  }

  private classify(meta: TransactionTableMetadata, raw: Row | null): CurrentVersion {
    if (!raw) return { kind: 'committed', row: null };
    // Our own PREPARED record stands for the committed version it replaced.
    if (txIdOf(raw) === this.transactionId) return { kind: 'committed', row: beforeImageOf(meta, raw) };
    if (isCommittedRecord(raw)) return { kind: 'committed', row: raw };
    return {
      kind: 'undecided',
      writer: txIdOf(raw) ?? '',
      after: txStateOf(raw) === TxState.DELETED ? null : raw,
      before: beforeImageOf(meta, raw),
    };
  }

  private isUnchanged(current: CurrentVersion, read: Row | null): boolean {
    if (current.kind === 'undecided') return read !== null && txIdOf(read) === current.writer;
    if (current.row === null || read === null) return current.row === read;
    return txIdOf(current.row) === txIdOf(read);
  }

  private conflict(address: RecordAddress, what: string): never {
    throw new ConflictError(this.transactionId, 'validate', {
      detail: `Record ${describeRecord(address)} ${what}.`,
    });
  }
}
