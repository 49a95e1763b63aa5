/**
 * SQL cursors (DECLARE / FETCH / MOVE / CLOSE). A cursor reads its plan's rows as it is fetched:
 * rows come from the operator on demand, and a scrollable cursor keeps the rows it has read so it
 * can go back; a NO SCROLL cursor keeps none behind its position, so it streams. WITH HOLD cursors
 * read the rest of their rows at commit (`materialise`), because the transaction that feeds the
 * operator ends there.
 *
 * Positions follow PostgreSQL's portal (pquery.c): `portalPos` counts rows read forward, `atStart`
 * and `atEnd` say whether the cursor sits before the first or after the last row, and every FETCH
 * form is built from the same two moves (forward n, backward n) and a rewind, so the edge cases
 * (FETCH after the end, RELATIVE 0, ABSOLUTE -n, MOVE BACKWARD ALL) come out as PostgreSQL's do.
 */
import { SqlError, SqlState } from '../errors.js';
import type { FieldDescription } from '../wire/backend.js';
import type { SqlValue } from '../types/values.js';
import type { PlanNode } from './plan.js';

/** Rows of the cursor's plan, in order; `null` when there are no more. */
export interface RowSource {
  next(): Promise<SqlValue[][] | null>;
  close(): Promise<void>;
}

/** DeclareCursorStmt.options bits (parsenodes.h). */
export const CURSOR_OPT_BINARY = 0x1;
export const CURSOR_OPT_SCROLL = 0x2;
export const CURSOR_OPT_NO_SCROLL = 0x4;
export const CURSOR_OPT_HOLD = 0x20;

/** FETCH ALL as libpg-query reports it (LONG_MAX of its 32-bit build); Infinity here. */
const FETCH_ALL = 2147483647;

/** The most rows a cursor holds at once, like the engine's other in-memory operators. */
export const MAX_CURSOR_ROWS = 5_000_000;

export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

export interface CursorInfo {
  readonly name: string;
  /** The query string that declared it (pg_cursors.statement). */
  readonly statement: string;
  readonly fields: readonly FieldDescription[];
  readonly holdable: boolean;
  readonly binary: boolean;
  readonly scrollable: boolean;
  readonly creationMicros: bigint;
}

export class Cursor implements CursorInfo {
  /** Rows read from the source and kept; `rows[i]` is row number `base + i + 1`. */
  private rows: SqlValue[][] = [];
  private base = 0;
  /** Rows read from the source so far; the source is done when `exhausted`. */
  private read = 0;
  private exhausted = false;
  /** The executor's place: 0 before the first row, k on row k, read + 1 after the last. */
  private pos = 0;
  private portalPos = 0;
  private atStart = true;
  private atEnd = false;
  /** Savepoints open when it was declared: ROLLBACK TO one of them closes it. */
  savepointDepth: number;
  /** Declared in the running transaction (a held cursor from an earlier one outlives a rollback). */
  inTransaction = true;

  constructor(
    readonly name: string,
    readonly statement: string,
    readonly fields: readonly FieldDescription[],
    private source: RowSource | null,
    readonly holdable: boolean,
    readonly binary: boolean,
    readonly scrollable: boolean,
    readonly creationMicros: bigint,
    savepointDepth: number,
  ) {
    this.savepointDepth = savepointDepth;
  }

  /** Whether its rows still come from the running transaction (not yet materialised). */
  get live(): boolean {
    return this.source !== null;
  }

  /**
   * FETCH or MOVE: the rows it returns (none for MOVE) and the count its tag reports. `howMany` is
   * FetchStmt.howMany (FETCH ALL is FETCH_ALL).
   */
  async fetch(direction: FetchDirection, howMany: number, move: boolean): Promise<{ rows: SqlValue[][]; count: number }> {
    const out: SqlValue[][] = [];
    const keep = move ? null : out;
    let count = howMany >= FETCH_ALL ? Infinity : howMany;
    let dir = direction;
    switch (dir) {
      case 'FETCH_FORWARD':
        if (count < 0) {
          dir = 'FETCH_BACKWARD';
          count = -count;
        }
        break;
      case 'FETCH_BACKWARD':
        if (count < 0) {
          dir = 'FETCH_FORWARD';
          count = -count;
        }
        break;
      case 'FETCH_ABSOLUTE':
        if (count > 0) {
          // Go to row count - 1 the cheaper way (rewind, or move from here), then read one forward.
          if (count - 1 <= Math.floor(this.portalPos / 2)) {
            await this.rewind();
            if (count > 1) await this.runSelect(true, count - 1, null);
          } else {
            let pos = this.portalPos;
            if (this.atEnd) pos++;
            if (count <= pos) await this.runSelect(false, pos - count + 1, null);
            else if (count > pos + 1) await this.runSelect(true, count - pos - 1, null);
          }
          return { rows: out, count: await this.runSelect(true, 1, keep) };
        }
        if (count < 0) {
          await this.runSelect(true, Infinity, null);
          if (count < -1) await this.runSelect(false, -count - 1, null);
          return { rows: out, count: await this.runSelect(false, 1, keep) };
        }
        await this.rewind();
        return { rows: out, count: 0 };
      case 'FETCH_RELATIVE':
        if (count > 0) {
          if (count > 1) await this.runSelect(true, count - 1, null);
          return { rows: out, count: await this.runSelect(true, 1, keep) };
        }
        if (count < 0) {
          if (count < -1) await this.runSelect(false, -count - 1, null);
          return { rows: out, count: await this.runSelect(false, 1, keep) };
        }
        dir = 'FETCH_FORWARD';
        break;
    }
    let forward = dir === 'FETCH_FORWARD';
    if (count === 0) {
      // FETCH 0 returns the current row again; MOVE 0 says whether there is one.
      const onRow = !this.atStart && !this.atEnd;
      if (move) return { rows: out, count: onRow ? 1 : 0 };
      if (onRow) {
        await this.runSelect(false, 1, null);
        count = 1;
        forward = true;
      }
    }
    if (!forward && count === Infinity && move) {
      let result = this.portalPos;
      if (result > 0 && !this.atEnd) result--;
      await this.rewind();
      return { rows: out, count: result };
    }
    return { rows: out, count: await this.runSelect(forward, count, keep) };
  }

  /** PortalRunSelect: up to `count` rows (Infinity: all) in one direction, tracking the portal position. */
  private async runSelect(forward: boolean, count: number, into: SqlValue[][] | null): Promise<number> {
    if (forward) {
      if (this.atEnd || count <= 0) return 0;
      const n = await this.step(true, count, into);
      if (n > 0) this.atStart = false;
      if (n < count) this.atEnd = true;
      this.portalPos += n;
      return n;
    }
    if (!this.scrollable) throw scanForwardOnly();
    if (this.atStart || count <= 0) return 0;
    const n = await this.step(false, count, into);
    if (n > 0 && this.atEnd) {
      this.atEnd = false;
      this.portalPos++;
    }
    if (n < count) {
      this.atStart = true;
      this.portalPos = 0;
    } else {
      this.portalPos -= n;
    }
    return n;
  }

  /** The executor: moves `pos` up to `count` rows, collecting the rows passed. */
  private async step(forward: boolean, count: number, into: SqlValue[][] | null): Promise<number> {
    let n = 0;
    while (n < count) {
      if (forward) {
        const row = await this.rowAt(this.pos + 1);
        if (row === undefined) {
          this.pos = this.read + 1;
          break;
        }
        this.pos++;
        into?.push(row);
        if (!this.scrollable) this.forget();
      } else {
        if (this.pos <= 1) {
          this.pos = 0;
          break;
        }
        this.pos--;
        into?.push(this.rows[this.pos - 1 - this.base]!);
      }
      n++;
    }
    return n;
  }

  /** Row number `k` (1-based), reading from the source as far as needed; undefined past the end. */
  private async rowAt(k: number): Promise<SqlValue[] | undefined> {
    while (k > this.read && !this.exhausted) await this.readBatch();
    return k <= this.read ? this.rows[k - 1 - this.base] : undefined;
  }

  private async readBatch(): Promise<void> {
    const batch = this.source === null ? null : await this.source.next();
    if (batch === null) {
      this.exhausted = true;
      await this.closeSource();
      return;
    }
    for (const r of batch) this.rows.push([...r]);
    this.read += batch.length;
    if (this.rows.length > MAX_CURSOR_ROWS) {
      throw new SqlError(SqlState.programLimitExceeded, `cursor "${this.name}" holds more than ${MAX_CURSOR_ROWS} rows`);
    }
  }

  /** A NO SCROLL cursor never goes back: rows at or before its position are dropped. */
  private forget(): void {
    const drop = this.pos - this.base;
    if (drop >= 1024 || drop >= this.rows.length) {
      this.rows = this.rows.slice(drop);
      this.base += drop;
    }
  }

  /** DoPortalRewind: back before the first row, which a NO SCROLL cursor that has moved cannot do. */
  private async rewind(): Promise<void> {
    if (this.atStart && !this.atEnd) return;
    if (!this.scrollable) {
      throw new SqlError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.', routine: 'DoPortalRewind' });
    }
    this.pos = 0;
    this.atStart = true;
    this.atEnd = false;
    this.portalPos = 0;
  }

  /** Reads every remaining row now, so the cursor no longer needs its transaction (WITH HOLD at commit). */
  async materialise(): Promise<void> {
    while (!this.exhausted) await this.readBatch();
  }

  async close(): Promise<void> {
    await this.closeSource();
    this.rows = [];
  }

  private async closeSource(): Promise<void> {
    const source = this.source;
    this.source = null;
    await source?.close();
  }
}

function scanForwardOnly(): SqlError {
  return new SqlError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.', routine: 'PortalRunSelect' });
}

/**
 * Whether PostgreSQL would let a cursor declared without SCROLL or NO SCROLL go backwards: its plan
 * must scan backwards (ExecSupportsBackwardScan), which scans, sorts, VALUES, functions and
 * materialised results do; aggregation, joins, DISTINCT, windows, set operations and a SELECT
 * without FROM do not.
 */
export function planScrolls(plan: PlanNode): boolean {
  switch (plan.kind) {
    case 'tableRead':
    case 'systemScan':
    case 'functionScan':
    case 'values':
    case 'cteScan':
    case 'sort':
      return true;
    case 'filter':
    case 'project':
    case 'limit':
    case 'with':
      return planScrolls(plan.input);
    default:
      return false;
  }
}
