/**
 * Scans in a transaction: what a scan asks of storage, which records belong to it, in what order
 * they come, and how this transaction's own writes merge into the results (ScalarDB forbids a scan
 * after a write; SQL needs it all the time, so polygres merges).
 *
 * A scan reads storage without its limit's guarantee of completeness (recovery and re-filtering drop
 * records, own deletes hide them), merges its own writes, then cuts at the limit. What the result
 * depended on is kept as a ScanRecord: the committed rows it saw and the region of the scan that
 * mattered. SERIALIZABLE validation (validation.ts) checks that region again after prepare.
 */
import type { Filter, Row, Scan, TableRef } from '../storage/types.js';
import type { TxScan } from './api.js';
import { beforeColumn } from './attributes.js';
import { compareClustering, compareKeys, compareValues, matchesFilter, valuesEqual } from '../storage/predicates.js';
import type { RecordAddress } from './record-key.js';
import type { TransactionTableMetadata } from './table-metadata.js';

/** A record in a scan: its key, address and row (a committed row, or this transaction's version). */
export interface ScannedRow {
  readonly key: string;
  readonly address: RecordAddress;
  readonly row: Row;
}

/**
 * What a scan's results depended on:
 * - range: every record of the scan up to `through` (in scan order; null: the whole scan);
 * - rows: only these records (an unordered scan cut by its limit: any `limit` matching records are
 *   a correct answer, so only the ones returned must stay unchanged).
 */
export type ObservedRegion = { readonly kind: 'range'; readonly through: RecordAddress | null } | { readonly kind: 'rows'; readonly keys: ReadonlySet<string> };

export interface ScanRecord {
  readonly plan: ScanPlan;
  /** Committed rows that matched the scan, in storage order, as read (after recovery). */
  readonly rows: readonly ScannedRow[];
  /** Storage returned everything the scan covers. */
  readonly exhausted: boolean;
  /** For an ordered scan that was not exhausted: the last record storage returned; nothing beyond is known. */
  readonly knownThrough?: RecordAddress;
  observed: ObservedRegion;
}

export class ScanPlan {
  readonly meta: TransactionTableMetadata;
  readonly scan: TxScan;
  /** Partition scans come in clustering order; index and full scans in no defined storage order. */
  readonly ordered: boolean;
  readonly limit: number;

  constructor(scan: TxScan, meta: TransactionTableMetadata) {
    this.scan = scan;
    this.meta = meta;
    this.ordered = scan.kind === 'partition';
    this.limit = scan.limit ?? 0;
  }

  /** Whether a record (committed or own version) belongs to the scan. */
  matches(address: RecordAddress, row: Row): boolean {
    const s = this.scan;
    switch (s.kind) {
      case 'partition': {
        if (compareKeys(address.partitionKey, s.partitionKey) !== 0) return false;
        // ScalarDB's range semantics (as the storages implement them): every bound column but the
        // last is an equality, the last a value comparison (start ≤ value ≤ end whatever the
        // clustering order), not a lexicographic tuple comparison.
        const ck = address.clusteringKey;
        const bound = s.start ?? s.end;
        if (!bound) return true;
        const last = bound.key.length - 1;
        for (let i = 0; i < last; i++) if (compareValues(ck[i], bound.key[i]) !== 0) return false;
        if (s.start) {
          const c = compareValues(ck[last], s.start.key[last]);
          if (c < 0 || (c === 0 && !s.start.inclusive)) return false;
        }
        if (s.end) {
          const c = compareValues(ck[last], s.end.key[last]);
          if (c > 0 || (c === 0 && !s.end.inclusive)) return false;
        }
        return true;
      }
      case 'index':
        return valuesEqual(row[s.column] ?? null, s.value);
      case 'all':
        return matchesFilter(row, s.filter);
    }
  }

  /** Scan order: clustering order (reversed if asked) for partition scans, primary-key order otherwise. */
  compare(a: RecordAddress, b: RecordAddress): number {
    if (this.scan.kind === 'partition') {
      const c = compareClustering(a.clusteringKey, b.clusteringKey, this.meta.clusteringKey);
      return this.scan.reverse ? -c : c;
    }
    const p = compareKeys(a.partitionKey, b.partitionKey);
    return p !== 0 ? p : compareClustering(a.clusteringKey, b.clusteringKey, this.meta.clusteringKey);
  }

  /**
   * The storage scans that find every record that may belong to the scan, committed or not: a
   * filter also matches before images (ScalarDB's `c OR before(c)`), an index lookup also looks up
   * the before_ index, since a record may be PREPARED with a new value while its committed value
   * still matches. `limit` 0 means no limit.
   */
  storageScans(limit: number): Scan[] {
    const s = this.scan;
    const ref: TableRef = { namespace: s.namespace, table: s.table };
    const lim = limit > 0 ? { limit } : {};
    switch (s.kind) {
      case 'partition':
        return [
          {
            kind: 'partition',
            ...ref,
            partitionKey: s.partitionKey,
            ...(s.start ? { start: s.start } : {}),
            ...(s.end ? { end: s.end } : {}),
            ...(s.reverse ? { reverse: true } : {}),
            ...lim,
          },
        ];
      case 'index': {
        const scans: Scan[] = [{ kind: 'index', ...ref, column: s.column, value: s.value, ...lim }];
        if (this.meta.isValueColumn(s.column)) {
          scans.push({ kind: 'index', ...ref, column: beforeColumn(s.column), value: s.value, ...lim });
        }
        return scans;
      }
      case 'all':
        return [{ kind: 'all', ...ref, ...(s.filter && s.filter.length > 0 ? { filter: this.withBeforeImages(s.filter) } : {}), ...lim }];
    }
  }

  private withBeforeImages(filter: Filter): Filter {
    const out: Filter[number][] = [...filter];
    for (const conjunction of filter) {
      if (!conjunction.some((p) => this.meta.isValueColumn(p.column))) continue;
      out.push(conjunction.map((p) => (this.meta.isValueColumn(p.column) ? { ...p, column: beforeColumn(p.column) } : p)));
    }
    return out;
  }
}

/** A stable identity of a scan, for repeatable scans. */
export function scanSignature(scan: TxScan): string {
  return JSON.stringify(scan, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `0x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
    return v;
  });
}

/** This transaction's version of a record it wrote (null: deleted by it). */
export interface OwnVersion {
  readonly key: string;
  readonly address: RecordAddress;
  readonly row: Row | null;
}

export interface MergedScan {
  /** The full merged result, before the limit cut. */
  readonly rows: readonly ScannedRow[];
  /** Whether `rows` is enough to answer (else more must be read from storage). */
  readonly sufficient: boolean;
}

/**
 * Merges own versions into the committed rows of a scan: own deletes hide rows, own updates replace
 * them (and may move them out of or into the scan), own inserts join at their place in scan order.
 * For an ordered scan that storage did not exhaust, own rows beyond `knownThrough` are left out: a
 * committed row not read yet may precede them.
 */
export function mergeOwnWrites(
  plan: ScanPlan,
  committed: readonly ScannedRow[],
  own: ReadonlyMap<string, OwnVersion>,
  exhausted: boolean,
  knownThrough: RecordAddress | undefined,
): MergedScan {
  const out: ScannedRow[] = [];
  const used = new Set<string>();
  for (const r of committed) {
    const mine = own.get(r.key);
    if (!mine) {
      out.push(r);
      continue;
    }
    used.add(r.key);
    if (mine.row && plan.matches(r.address, mine.row)) out.push({ key: r.key, address: r.address, row: mine.row });
  }
  const extra: ScannedRow[] = [];
  for (const mine of own.values()) {
    if (used.has(mine.key) || !mine.row || !plan.matches(mine.address, mine.row)) continue;
    if (plan.ordered && !exhausted && knownThrough && plan.compare(mine.address, knownThrough) > 0) continue;
    extra.push({ key: mine.key, address: mine.address, row: mine.row });
  }
  const byOrder = (a: ScannedRow, b: ScannedRow) => plan.compare(a.address, b.address);
  let rows: ScannedRow[];
  if (plan.ordered) {
    // Storage rows keep storage order; own rows go before the first row that follows them.
    extra.sort(byOrder);
    rows = [];
    let i = 0;
    for (const r of out) {
      while (i < extra.length && byOrder(extra[i], r) < 0) rows.push(extra[i++]);
      rows.push(r);
    }
    while (i < extra.length) rows.push(extra[i++]);
  } else {
    rows = [...out, ...extra].sort(byOrder);
  }
  const sufficient = exhausted || (plan.limit > 0 && rows.length >= plan.limit);
  return { rows, sufficient };
}

/**
 * The region a result depended on. Ordered: every record up to the last one returned when the
 * limit cut the result, else the whole scan. Unordered: the whole scan when it was exhausted and not
 * cut, else just the committed rows returned.
 */
export function observedRegion(plan: ScanPlan, merged: MergedScan, exhausted: boolean, committedKeys: ReadonlySet<string>): ObservedRegion {
  const cut = plan.limit > 0 && merged.rows.length >= plan.limit;
  if (plan.ordered) {
    return { kind: 'range', through: cut ? merged.rows[plan.limit - 1].address : null };
  }
  if (exhausted && !(plan.limit > 0 && merged.rows.length > plan.limit)) return { kind: 'range', through: null };
  const keys = new Set<string>();
  for (const r of merged.rows.slice(0, plan.limit)) if (committedKeys.has(r.key)) keys.add(r.key);
  return { kind: 'rows', keys };
}

/** A region covering both (a repeated scan served from its ScanRecord may depend on more). */
export function widenRegion(plan: ScanPlan, a: ObservedRegion, b: ObservedRegion): ObservedRegion {
  if (a.kind === 'range' && a.through === null) return a;
  if (b.kind === 'range' && b.through === null) return b;
  if (a.kind === 'range' && b.kind === 'range') {
    // Both non-null here: ordered scans only.
    return plan.compare(a.through as RecordAddress, b.through as RecordAddress) >= 0 ? a : b;
  }
  if (a.kind === 'rows' && b.kind === 'rows') return { kind: 'rows', keys: new Set([...a.keys, ...b.keys]) };
  // An unordered scan's range region is always the whole scan, handled above.
  return a.kind === 'range' ? a : b;
}
