/**
 * INSERT, UPDATE and DELETE: the operators, and TableWriter, the one place that writes a table row
 * and enforces its constraints (NOT NULL, CHECK, primary key and unique, foreign keys) inside the
 * statement's transaction, with PostgreSQL's error codes, messages and details.
 */
import { randomBytes } from 'node:crypto';
import { SqlError, SqlState } from '../../errors.js';
import type { Transaction } from '../../txn/api.js';
import type { Value } from '../../storage/types.js';
import { formatText } from '../../types/codec.js';
import type { SqlValue } from '../../types/values.js';
import type { ColumnInfo, ConstraintInfo, IndexInfo, TableInfo } from '../../catalog/model.js';
import { toStorageValue } from '../../catalog/storage-mapping.js';
import { hasStorageIndex, uniqueKeyColumn, uniqueRefColumn } from '../../catalog/physical.js';
import { compileExpr, type CompiledExpr, type Row, type RuntimeContext } from '../compile.js';
import type { BoundCheck, DeletePlan, InsertPlan, UpdatePlan } from '../plan.js';
import { rowFromStorage, storageKeyOf, storageKeyText, storageValuesOf, tableOutputColumns, type StorageKey } from '../table-rows.js';
import { compareValues } from '../value-ops.js';
import { buildOperator, drain, value, type ExecRuntime, type Operator } from './operators.js';

/** A modify operator also reports how many rows it changed (for the command tag). */
export interface ModifyOperator extends Operator {
  rowCount(): number;
}

export function buildModifyOperator(plan: InsertPlan | UpdatePlan | DeletePlan, rt: ExecRuntime): ModifyOperator {
  switch (plan.kind) {
    case 'insert':
      return insertOperator(plan, rt);
    case 'update':
      return updateOperator(plan, rt);
    case 'delete':
      return deleteOperator(plan, rt);
  }
}

/** Runs a modify statement to the end on the first pull, then hands out RETURNING rows. */
function modifyOperator(run: () => Promise<{ rows: Row[]; count: number }>): ModifyOperator {
  let result: { rows: Row[]; count: number } | null = null;
  let offset = 0;
  return {
    async next() {
      result ??= await run();
      if (offset >= result.rows.length) return null;
      const batch = result.rows.slice(offset, offset + 256);
      offset += batch.length;
      return batch;
    },
    async close() {},
    rowCount: () => result?.count ?? 0,
  };
}

function returningRows(exprs: readonly CompiledExpr[] | null, row: Row, rt: ExecRuntime): Promise<SqlValue[]> | null {
  if (!exprs) return null;
  return (async () => {
    const out: SqlValue[] = [];
    for (const e of exprs) out.push(await value(e, row, rt.ctx));
    return out;
  })();
}

/**
 * The table row (table layout) for one source row of an INSERT or a COPY FROM: the source's values
 * for `targetAttnums`, each other column's default (evaluated per row: sequences advance).
 */
export function tableRowBuilder(plan: Pick<InsertPlan, 'table' | 'targetAttnums' | 'defaults'>, rt: ExecRuntime): (source: Row) => Promise<SqlValue[]> {
  const defaults = plan.defaults.map((d) => (d ? compileExpr(d) : null));
  const slotOfAttnum = new Map(plan.targetAttnums.map((a, i) => [a, i]));
  const columns = plan.table.columns;
  return async (source) => {
    const row: SqlValue[] = [];
    for (let i = 0; i < columns.length; i++) {
      const slot = slotOfAttnum.get(columns[i]!.attnum);
      if (slot !== undefined) row.push(source[slot] ?? null);
      else row.push(defaults[i] ? await value(defaults[i]!, [], rt.ctx) : null);
    }
    return row;
  };
}

function insertOperator(plan: InsertPlan, rt: ExecRuntime): ModifyOperator {
  return modifyOperator(async () => {
    const tx = await rt.transaction();
    const writer = new TableWriter(tx, rt, plan.table, plan.checks);
    const input = buildOperator(plan.input, rt);
    const buildRow = tableRowBuilder(plan, rt);
    const returning = plan.returning?.map(compileExpr) ?? null;
    const conflict = plan.onConflict;
    const assignments = conflict?.assignments.map((a) => ({ index: plan.table.columns.findIndex((c) => c.attnum === a.attnum), expr: compileExpr(a.expr) })) ?? [];
    const conflictWhere = conflict?.where ? compileExpr(conflict.where) : null;
    const touched = new Set<string>();
    const rows: Row[] = [];
    let count = 0;
    for (;;) {
      const batch = await input.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const source of batch) {
        const row = await buildRow(source);
        const outcome = await writer.insert(row, conflict ? { arbiter: conflict.arbiter } : null);
        if (outcome.kind === 'inserted') {
          touched.add(storageKeyText(storageKeyOf(plan.table, outcome.row)));
          count++;
          const r = returningRows(returning, outcome.row, rt);
          if (r) rows.push(await r);
          continue;
        }
        // ON CONFLICT
        if (conflict!.action === 'nothing') continue;
        const existing = outcome.existing;
        const key = storageKeyText(storageKeyOf(plan.table, existing));
        if (touched.has(key)) {
          throw new SqlError(SqlState.cardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
            hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
          });
        }
        const excluded = plan.table.rowIdColumn !== null ? [...row, null] : row;
        const combined = [...existing, ...excluded];
        if (conflictWhere && (await value(conflictWhere, combined, rt.ctx)) !== true) continue;
        const updated = [...existing];
        for (const a of assignments) updated[a.index] = await value(a.expr, combined, rt.ctx);
        const finalRow = await writer.update(existing, updated);
        touched.add(storageKeyText(storageKeyOf(plan.table, finalRow)));
        count++;
        const r = returningRows(returning, finalRow, rt);
        if (r) rows.push(await r);
      }
    }
    return { rows, count };
  });
}

/**
 * The rows an UPDATE or DELETE changes, drained before the first change: each input row split into
 * the target row (table layout) and the rest (the FROM / USING items' columns). A target row
 * matched by several rows of a join is kept once, with its first match, as PostgreSQL changes it
 * once with one of them.
 */
async function targetRows(plan: UpdatePlan | DeletePlan, rt: ExecRuntime): Promise<Array<{ target: SqlValue[]; rest: Row }>> {
  const input = await drain(buildOperator(plan.input, rt), rt);
  if (!plan.joined) return input.map((row) => ({ target: [...row], rest: [] }));
  const width = tableOutputColumns(plan.table).length;
  const seen = new Set<string>();
  const out: Array<{ target: SqlValue[]; rest: Row }> = [];
  for (const row of input) {
    const target = row.slice(0, width) as SqlValue[];
    const key = storageKeyText(storageKeyOf(plan.table, target));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ target, rest: row.slice(width) });
  }
  return out;
}

function updateOperator(plan: UpdatePlan, rt: ExecRuntime): ModifyOperator {
  return modifyOperator(async () => {
    const tx = await rt.transaction();
    const writer = new TableWriter(tx, rt, plan.table, plan.checks);
    const changes = await targetRows(plan, rt);
    const assignments = plan.assignments.map((a) => ({ index: plan.table.columns.findIndex((c) => c.attnum === a.attnum), expr: compileExpr(a.expr) }));
    const returning = plan.returning?.map(compileExpr) ?? null;
    const rows: Row[] = [];
    for (const { target, rest } of changes) {
      rt.ctx.checkCancel();
      // SET and RETURNING read the whole input row: the target row, then the FROM items' columns.
      const source = rest.length ? [...target, ...rest] : target;
      const updated = [...target];
      for (const a of assignments) updated[a.index] = await value(a.expr, source, rt.ctx);
      const finalRow = await writer.update([...target], updated);
      const r = returningRows(returning, rest.length ? [...finalRow, ...rest] : finalRow, rt);
      if (r) rows.push(await r);
    }
    return { rows, count: changes.length };
  });
}

function deleteOperator(plan: DeletePlan, rt: ExecRuntime): ModifyOperator {
  return modifyOperator(async () => {
    const tx = await rt.transaction();
    const writer = new TableWriter(tx, rt, plan.table, []);
    const changes = await targetRows(plan, rt);
    const returning = plan.returning?.map(compileExpr) ?? null;
    const rows: Row[] = [];
    for (const { target, rest } of changes) {
      rt.ctx.checkCancel();
      await writer.delete([...target]);
      const r = returningRows(returning, rest.length ? [...target, ...rest] : target, rt);
      if (r) rows.push(await r);
    }
    return { rows, count: changes.length };
  });
}

// ---- TableWriter ------------------------------------------------------------------------------

export type InsertOutcome = { readonly kind: 'inserted'; readonly row: SqlValue[] } | { readonly kind: 'conflict'; readonly index: IndexInfo; readonly existing: SqlValue[] };

/** A row id for tables without a primary key: time-ordered (so scans return rows in insertion order) and unique. */
let lastRowIdMicros = 0n;
let rowIdCounter = 0;
const NODE_ROW_ID_SUFFIX = randomBytes(4).toString('hex');
export function newRowId(): string {
  const now = BigInt(Date.now()) * 1000n;
  if (now > lastRowIdMicros) {
    lastRowIdMicros = now;
    rowIdCounter = 0;
  } else rowIdCounter++;
  return `${lastRowIdMicros.toString(16).padStart(14, '0')}${rowIdCounter.toString(16).padStart(6, '0')}${NODE_ROW_ID_SUFFIX}`;
}

export class TableWriter {
  private readonly checks: Array<{ name: string; expr: CompiledExpr }>;
  private readonly ref: { namespace: string; table: string };
  /** The storage of the table, when it cannot hold an empty one-column partition key (Cassandra). */
  private readonly noEmptyPartitionKey: { name: string; kind: string } | null;

  constructor(
    private readonly tx: Transaction,
    private readonly rt: ExecRuntime,
    private readonly table: TableInfo,
    checks: readonly BoundCheck[],
  ) {
    this.checks = checks.map((c) => ({ name: c.name, expr: compileExpr(c.expr) }));
    this.ref = { namespace: table.namespace, table: table.physicalName };
    const storage = rt.storages?.storageOf(table.namespace);
    this.noEmptyPartitionKey = storage?.capabilities && !storage.capabilities.emptyPartitionKey ? storage : null;
  }

  private get ctx(): RuntimeContext {
    return this.rt.ctx;
  }

  async insert(values: SqlValue[], onConflict: { arbiter: IndexInfo | null } | null): Promise<InsertOutcome> {
    const row = this.table.rowIdColumn !== null ? [...values, newRowId()] : values;
    this.checkNotNull(row);
    await this.checkChecks(row);
    const key = storageKeyOf(this.table, row);
    this.checkPartitionKey(key.partitionKey, row, null);
    // Uniqueness: the storage key first (primary key), then each hidden unique index.
    const pk = this.table.indexes.find((i) => i.primary && !i.uniqueTable);
    if (pk) {
      const existing = await this.getRecord(key);
      if (existing) {
        if (onConflict && (onConflict.arbiter === null || onConflict.arbiter.oid === pk.oid)) return { kind: 'conflict', index: pk, existing };
        throw this.duplicate(pk, row);
      }
    }
    for (const index of this.table.indexes) {
      if (!index.uniqueTable) continue;
      const entryKey = this.uniqueKey(index, row);
      if (!entryKey) continue;
      this.checkPartitionKey(entryKey, row, index);
      const entry = await this.tx.get({ namespace: this.table.namespace, table: index.uniqueTable, partitionKey: entryKey });
      if (entry) {
        if (onConflict && (onConflict.arbiter === null || onConflict.arbiter.oid === index.oid)) {
          const existing = await this.getRecord(this.refKey(entry));
          if (existing) return { kind: 'conflict', index, existing };
        }
        throw this.duplicate(index, row);
      }
    }
    await this.checkForeignKeys(row, null);
    const write = { ...this.ref, partitionKey: key.partitionKey, clusteringKey: key.clusteringKey.length ? key.clusteringKey : undefined, values: storageValuesOf(this.table, row) };
    if (this.table.rowIdColumn !== null) await this.tx.insert(write);
    else await this.tx.put(write);
    for (const index of this.table.indexes) {
      if (!index.uniqueTable) continue;
      const entryKey = this.uniqueKey(index, row);
      if (entryKey) await this.putEntry(index, entryKey, key);
    }
    return { kind: 'inserted', row };
  }

  /** Writes `next` over `old` (both table layout); returns the row as written. */
  async update(old: SqlValue[], next: SqlValue[]): Promise<SqlValue[]> {
    this.checkNotNull(next);
    await this.checkChecks(next);
    const oldKey = storageKeyOf(this.table, old);
    const newKey = storageKeyOf(this.table, next);
    const keyChanged = storageKeyText(oldKey) !== storageKeyText(newKey);
    if (keyChanged) {
      this.checkPartitionKey(newKey.partitionKey, next, null);
      const pk = this.table.indexes.find((i) => i.primary && !i.uniqueTable);
      if (await this.getRecord(newKey)) throw this.duplicate(pk!, next);
      await this.checkReferencingRows(old, next);
    } else if (this.referencedColumnsChanged(old, next)) {
      await this.checkReferencingRows(old, next);
    }
    for (const index of this.table.indexes) {
      if (!index.uniqueTable) continue;
      const before = this.uniqueKey(index, old);
      const after = this.uniqueKey(index, next);
      const sameEntry = before !== null && after !== null && keyText(before) === keyText(after);
      if (sameEntry && !keyChanged) continue;
      if (after !== null && !sameEntry) {
        this.checkPartitionKey(after, next, index);
        const entry = await this.tx.get({ namespace: this.table.namespace, table: index.uniqueTable, partitionKey: after });
        if (entry) throw this.duplicate(index, next);
      }
      if (before !== null) await this.tx.delete({ namespace: this.table.namespace, table: index.uniqueTable, partitionKey: before });
      if (after !== null) await this.putEntry(index, after, newKey);
    }
    await this.checkForeignKeys(next, old);
    if (keyChanged) {
      await this.tx.delete({ ...this.ref, partitionKey: oldKey.partitionKey, clusteringKey: oldKey.clusteringKey.length ? oldKey.clusteringKey : undefined });
    }
    await this.tx.put({ ...this.ref, partitionKey: newKey.partitionKey, clusteringKey: newKey.clusteringKey.length ? newKey.clusteringKey : undefined, values: storageValuesOf(this.table, next) });
    return next;
  }

  async delete(old: SqlValue[]): Promise<void> {
    await this.checkReferencingRows(old, null);
    const key = storageKeyOf(this.table, old);
    await this.tx.delete({ ...this.ref, partitionKey: key.partitionKey, clusteringKey: key.clusteringKey.length ? key.clusteringKey : undefined });
    for (const index of this.table.indexes) {
      if (!index.uniqueTable) continue;
      const entryKey = this.uniqueKey(index, old);
      if (entryKey) await this.tx.delete({ namespace: this.table.namespace, table: index.uniqueTable, partitionKey: entryKey });
    }
  }

  // ---- constraints ----

  private checkNotNull(row: readonly SqlValue[]): void {
    this.table.columns.forEach((c, i) => {
      if (c.notNull && row[i] === null) {
        throw new SqlError(SqlState.notNullViolation, `null value in column "${c.name}" of relation "${this.table.name}" violates not-null constraint`, {
          detail: `Failing row contains ${this.failingRow(row)}.`,
          schema: this.schemaName(),
          table: this.table.name,
          column: c.name,
        });
      }
    });
  }

  private async checkChecks(row: readonly SqlValue[]): Promise<void> {
    for (const c of this.checks) {
      if ((await value(c.expr, row, this.ctx)) === false) {
        throw new SqlError(SqlState.checkViolation, `new row for relation "${this.table.name}" violates check constraint "${c.name}"`, {
          detail: `Failing row contains ${this.failingRow(row)}.`,
          schema: this.schemaName(),
          table: this.table.name,
          constraint: c.name,
        });
      }
    }
  }

  private failingRow(row: readonly SqlValue[]): string {
    return `(${this.table.columns.map((c, i) => (row[i] === null || row[i] === undefined ? 'null' : formatText(c.type.oid, row[i]!, this.ctx.codec))).join(', ')})`;
  }

  private schemaName(): string {
    return this.rt.catalog.schemaByOid(this.table.schemaOid)?.name ?? '';
  }

  private keyDescription(table: TableInfo, attnums: readonly number[], row: readonly SqlValue[]): string {
    const cols = attnums.map((a) => table.columns.findIndex((c) => c.attnum === a));
    const names = cols.map((i) => table.columns[i]!.name).join(', ');
    const values = cols.map((i) => (row[i] === null ? 'null' : formatText(table.columns[i]!.type.oid, row[i]!, this.ctx.codec))).join(', ');
    return `(${names})=(${values})`;
  }

  private duplicate(index: IndexInfo, row: readonly SqlValue[]): SqlError {
    const constraint = this.table.constraints.find((c) => c.indexOid === index.oid);
    const name = constraint?.name ?? index.name;
    return new SqlError(SqlState.uniqueViolation, `duplicate key value violates unique constraint "${name}"`, {
      detail: `Key ${this.keyDescription(this.table, index.columns, row)} already exists.`,
      schema: this.schemaName(),
      table: this.table.name,
      constraint: name,
    });
  }

  private uniqueKey(index: IndexInfo, row: readonly SqlValue[]): Value[] | null {
    const out: Value[] = [];
    for (const attnum of index.columns) {
      const i = this.table.columns.findIndex((c) => c.attnum === attnum);
      const v = row[i] ?? null;
      // NULLs are distinct: a row with a NULL in a unique column never conflicts.
      if (v === null) return null;
      out.push(toStorageValue(this.table.columns[i]!.type.oid, v, true));
    }
    return out;
  }

  /**
   * Refuses, when the statement runs, a one-column partition key that is empty on a storage that
   * cannot hold one (Cassandra). The storage refuses it too, but only at commit: writes are
   * buffered until then, and the error would reach the client far from its statement.
   */
  private checkPartitionKey(partitionKey: readonly Value[], row: readonly SqlValue[], index: IndexInfo | null): void {
    const storage = this.noEmptyPartitionKey;
    if (storage === null || partitionKey.length !== 1) return;
    const v = partitionKey[0];
    if (!(v === '' || (v instanceof Uint8Array && v.byteLength === 0))) return;
    const column = index
      ? this.table.columns.find((c) => c.attnum === index.columns[0])
      : this.table.columns.find((c) => c.physicalName === this.table.partitionKey[0]);
    const what = index ? `unique index "${index.name}" of table "${this.table.name}"` : `table "${this.table.name}"`;
    throw new SqlError(SqlState.featureNotSupported, `an empty value cannot be the partition key of ${what} on storage "${storage.name}" (${storage.kind})`, {
      detail: `Column "${column?.name ?? '?'}" is the whole partition key, and ${storage.kind === 'cassandra' ? 'Cassandra' : 'this storage'} does not store an empty partition key. Failing row contains ${this.failingRow(row)}.`,
      hint: index
        ? 'Store a non-empty value, or make the unique index span more than one column, or keep the table in a schema mapped to another storage.'
        : 'Store a non-empty value, or give the table a primary key of more than one column, or keep it in a schema mapped to another storage.',
      schema: this.schemaName(),
      table: this.table.name,
      column: column?.name,
    });
  }

  private async putEntry(index: IndexInfo, entryKey: Value[], rowKey: StorageKey): Promise<void> {
    const values: Record<string, Value> = {};
    [...rowKey.partitionKey, ...rowKey.clusteringKey].forEach((v, i) => (values[uniqueRefColumn(i)] = v));
    void uniqueKeyColumn;
    await this.tx.put({ namespace: this.table.namespace, table: index.uniqueTable!, partitionKey: entryKey, values });
  }

  private refKey(entry: Record<string, Value>): StorageKey {
    const n = this.table.partitionKey.length;
    const all = [...this.table.partitionKey, ...this.table.clusteringKey].map((_k, i) => entry[uniqueRefColumn(i)] ?? null);
    return { partitionKey: all.slice(0, n), clusteringKey: all.slice(n) };
  }

  private async getRecord(key: StorageKey): Promise<SqlValue[] | null> {
    const record = await this.tx.get({ ...this.ref, partitionKey: key.partitionKey, clusteringKey: key.clusteringKey.length ? key.clusteringKey : undefined });
    return record ? rowFromStorage(this.table, record) : null;
  }

  /** Child side: every non-NULL foreign key of the row must reference an existing parent row. */
  private async checkForeignKeys(row: readonly SqlValue[], old: readonly SqlValue[] | null): Promise<void> {
    for (const fk of this.table.constraints) {
      if (fk.type !== 'f' || !fk.foreignKey) continue;
      const slots = fk.columns.map((a) => this.table.columns.findIndex((c) => c.attnum === a));
      const values = slots.map((s) => row[s] ?? null);
      if (values.some((v) => v === null)) continue;
      if (old && slots.every((s) => old[s] !== null && compareValues(this.table.columns[s]!.type.oid, old[s]!, row[s]!) === 0)) continue;
      const parent = this.rt.catalog.tableByOid(fk.foreignKey.refTableOid);
      if (!parent) continue;
      const found = await findRows(this.tx, parent, fk.foreignKey.refColumns, values, 1);
      if (found.length === 0) {
        throw new SqlError(SqlState.foreignKeyViolation, `insert or update on table "${this.table.name}" violates foreign key constraint "${fk.name}"`, {
          detail: `Key ${this.keyDescription(this.table, fk.columns, row)} is not present in table "${parent.name}".`,
          schema: this.schemaName(),
          table: this.table.name,
          constraint: fk.name,
        });
      }
    }
  }

  private referencedColumnsChanged(old: readonly SqlValue[], next: readonly SqlValue[]): boolean {
    for (const { fk } of this.referencingConstraints()) {
      for (const a of fk.foreignKey!.refColumns) {
        const i = this.table.columns.findIndex((c) => c.attnum === a);
        const x = old[i] ?? null;
        const y = next[i] ?? null;
        if ((x === null) !== (y === null) || (x !== null && y !== null && compareValues(this.table.columns[i]!.type.oid, x, y) !== 0)) return true;
      }
    }
    return false;
  }

  private referencingConstraints(): Array<{ child: TableInfo; fk: ConstraintInfo }> {
    const out: Array<{ child: TableInfo; fk: ConstraintInfo }> = [];
    for (const t of this.rt.catalog.tables()) {
      for (const c of t.constraints) if (c.type === 'f' && c.foreignKey?.refTableOid === this.table.oid) out.push({ child: t, fk: c });
    }
    return out;
  }

  /** Parent side: rows referencing `old` block its deletion or key change, or follow it (CASCADE, SET NULL). */
  private async checkReferencingRows(old: readonly SqlValue[], next: readonly SqlValue[] | null): Promise<void> {
    for (const { child, fk } of this.referencingConstraints()) {
      const info = fk.foreignKey!;
      const values = info.refColumns.map((a) => old[this.table.columns.findIndex((c) => c.attnum === a)] ?? null);
      if (values.some((v) => v === null)) continue;
      const action = next === null ? info.onDelete : info.onUpdate;
      const children = await findRows(this.tx, child, fk.columns, values, action === 'a' || action === 'r' ? 1 : undefined);
      if (children.length === 0) continue;
      const childWriter = new TableWriter(this.tx, this.rt, child, []);
      if (action === 'c' && next === null) {
        for (const r of children) await childWriter.delete(r);
        continue;
      }
      if (action === 'n' || action === 'd' || (action === 'c' && next !== null)) {
        for (const r of children) {
          const updated = [...r];
          fk.columns.forEach((a, k) => {
            const i = child.columns.findIndex((c) => c.attnum === a);
            const parentIndex = this.table.columns.findIndex((c) => c.attnum === info.refColumns[k]);
            updated[i] = action === 'c' ? (next![parentIndex] ?? null) : null;
          });
          await childWriter.update(r, updated);
        }
        continue;
      }
      throw new SqlError(SqlState.foreignKeyViolation, `update or delete on table "${this.table.name}" violates foreign key constraint "${fk.name}" on table "${child.name}"`, {
        detail: `Key ${this.keyDescription(this.table, info.refColumns, old)} is still referenced from table "${child.name}".`,
        schema: this.schemaName(),
        table: child.name,
        constraint: fk.name,
      });
    }
  }
}

function keyText(k: Value[]): string {
  return storageKeyText({ partitionKey: k, clusteringKey: [] });
}

/**
 * Rows of `table` whose `attnums` columns equal `values`: one get when they are the storage key, a
 * unique-index get, an index scan on the first column, or a filtered scan.
 */
export async function findRows(tx: Transaction, table: TableInfo, attnums: readonly number[], values: readonly SqlValue[], limit?: number): Promise<SqlValue[][]> {
  const cols: ColumnInfo[] = attnums.map((a) => table.columns.find((c) => c.attnum === a)!);
  const ref = { namespace: table.namespace, table: table.physicalName };
  const storageValue = (i: number): Value => toStorageValue(cols[i]!.type.oid, values[i] ?? null, true);
  const keyNames = [...table.partitionKey, ...table.clusteringKey];
  const matches = (row: SqlValue[]): boolean =>
    cols.every((c, i) => {
      const v = row[table.columns.indexOf(c)] ?? null;
      return v !== null && compareValues(c.type.oid, v, values[i]!) === 0;
    });
  if (table.rowIdColumn === null && keyNames.length === cols.length && keyNames.every((k) => cols.some((c) => c.physicalName === k))) {
    const key = keyNames.map((k) => storageValue(cols.findIndex((c) => c.physicalName === k)));
    const n = table.partitionKey.length;
    const record = await tx.get({ ...ref, partitionKey: key.slice(0, n), clusteringKey: key.length > n ? key.slice(n) : undefined });
    return record ? [rowFromStorage(table, record)] : [];
  }
  const unique = table.indexes.find((i) => i.uniqueTable && i.columns.length === attnums.length && i.columns.every((a) => attnums.includes(a)));
  if (unique) {
    const entryKey = unique.columns.map((a) => storageValue(attnums.indexOf(a)));
    const entry = await tx.get({ namespace: table.namespace, table: unique.uniqueTable!, partitionKey: entryKey });
    if (!entry) return [];
    const all = keyNames.map((_k, i) => entry[uniqueRefColumn(i)] ?? null);
    const n = table.partitionKey.length;
    const record = await tx.get({ ...ref, partitionKey: all.slice(0, n), clusteringKey: all.length > n ? all.slice(n) : undefined });
    return record ? [rowFromStorage(table, record)] : [];
  }
  const indexed = table.indexes.find((i) => i.storageIndexColumn && hasStorageIndex(table, i.storageIndexColumn) && cols.some((c) => c.physicalName === i.storageIndexColumn));
  let records;
  if (indexed) {
    const i = cols.findIndex((c) => c.physicalName === indexed.storageIndexColumn);
    records = await tx.scan({ ...ref, kind: 'index', column: indexed.storageIndexColumn!, value: storageValue(i) });
  } else {
    records = await tx.scan({ ...ref, kind: 'all', filter: [cols.map((c, i) => ({ column: c.physicalName, op: 'EQ' as const, value: storageValue(i) }))] });
  }
  const rows = records.map((r) => rowFromStorage(table, r)).filter(matches);
  return limit === undefined ? rows : rows.slice(0, limit);
}
