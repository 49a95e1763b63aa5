/**
 * A multi-mutation of one partition as one Cassandra (lightweight-transaction) batch.
 *
 * The storage interface applies a multi-mutation as if its mutations ran one after another, each
 * condition seeing the earlier mutations' effects. A Cassandra batch does not: every condition is
 * checked against the partition as it was before the batch, and every write gets the same timestamp
 * (so of two writes to one cell the larger value wins, and a deletion beats any write). So the
 * mutations of each record are first folded into one change: conditions that earlier mutations of
 * the batch decide are decided here (a false one means the whole multi-mutation does not apply), the
 * others become conditions on the record's prior state, and the writes merge into the record's net
 * effect.
 *
 * Conditions map to CQL as ScalarDB's ConditionSetter does (IS_NULL is `col = null`), corrected to the
 * storage interface's SQL semantics where Cassandra differs:
 * - Cassandra evaluates a condition on an absent row as if every column were NULL, so `IF col = null`
 *   holds on a missing record; an `if` condition must also require the record to exist, and CQL
 *   cannot combine `IF EXISTS` with column conditions. Any condition false on NULL implies existence;
 *   otherwise (only IS_NULL) existence is pinned by a column read non-NULL just before (see below);
 * - `col != v` holds on a NULL column in Cassandra, not in SQL: `AND col != null` is added;
 * - floats: Cassandra tells -0 from 0; `= 0` becomes `IN (0, -0)` (see storedComparison);
 * - LIKE / NOT_LIKE do not exist in CQL;
 * - a comparison with a NULL operand is false in SQL (Cassandra would compare or refuse).
 *
 * Conditions CQL cannot state (LIKE, existence with only IS_NULL, a conditional put with no values to
 * set) are checked on the records read with a SERIAL (Paxos) read just before, and the batch is
 * conditioned on the columns those checks read keeping the values they had ("pins"). If a pinned
 * value changed, the batch does not apply and the whole check runs again. Known gap: when a record
 * that must exist has every non-key column NULL, nothing can pin its existence, and a delete racing
 * between the read and the batch goes unnoticed.
 */
import type { ColumnPredicate, Key, Mutation, Row, Value } from './types.js';
import type { TableSchema } from './operation-checker.js';
import { matchesPredicate } from './predicates.js';
import { comparisonOp, encodeParam, quoteCql, storedComparison } from './cassandra-cql.js';
import { qualifiedTable } from './cassandra-layout.js';

/** What one record of a multi-mutation needs from Cassandra: conditions on its prior state and a net effect. */
export interface RecordChange {
  /** The record's full clustering key (normalized; empty without a clustering key). */
  readonly clusteringKey: Key;
  /** Whether the record must exist (or not) before the batch. */
  readonly existence: 'any' | 'present' | 'absent';
  /** Predicates on non-key columns of the prior record (an absent record reads as all NULL). */
  readonly predicates: readonly ColumnPredicate[];
  readonly effect: 'write' | 'delete';
  /** For a write: the non-key columns to set (explicit NULLs included). */
  readonly values: ReadonlyMap<string, Value>;
  /** For a write: the record must exist afterwards even if every column is NULL (it needs a row marker). */
  readonly createsRow: boolean;
}

export type ChangePlan =
  | { readonly kind: 'changes'; readonly changes: readonly RecordChange[] }
  | { readonly kind: 'not-applied'; readonly reason: string };

interface RecordFold {
  clusteringKey: Key;
  existence: 'any' | 'present' | 'absent';
  predicates: ColumnPredicate[];
  effect: 'write' | 'delete';
  values: Map<string, Value>;
  createsRow: boolean;
  /** The record as the batch has left it so far: 'prior' until its first mutation. */
  state: 'prior' | 'present' | 'absent';
  /** Current values of columns this batch wrote. */
  known: Map<string, Value>;
  /** Every column not in `known` is NULL now (the record was absent, or deleted, before the writes). */
  othersNull: boolean;
}

/**
 * Folds checked mutations of one partition, in order, into one change per record. `keyOf` gives a
 * mutation's normalized clustering key and its identity.
 */
export function planChanges(schema: TableSchema, mutations: readonly Mutation[], keyOf: (m: Mutation) => { key: Key; id: string }): ChangePlan {
  const records = new Map<string, RecordFold>();
  for (const mutation of mutations) {
    const { key, id } = keyOf(mutation);
    let record = records.get(id);
    if (!record) {
      record = { clusteringKey: key, existence: 'any', predicates: [], effect: 'write', values: new Map(), createsRow: false, state: 'prior', known: new Map(), othersNull: false };
      records.set(id, record);
    }
    const failed = foldCondition(schema, record, mutation);
    if (failed) return { kind: 'not-applied', reason: failed };
    foldWrite(schema, record, mutation);
  }
  return { kind: 'changes', changes: [...records.values()].map(({ clusteringKey, existence, predicates, effect, values, createsRow }) => ({ clusteringKey, existence, predicates, effect, values, createsRow })) };
}

/** Decides what it can of a mutation's condition; returns why it fails, or null. */
function foldCondition(schema: TableSchema, record: RecordFold, mutation: Mutation): string | null {
  const condition = mutation.condition;
  if (!condition) return null;
  switch (condition.kind) {
    case 'ifNotExists':
      if (record.state === 'present') return 'the record exists';
      if (record.state === 'prior') record.existence = 'absent';
      return null;
    case 'ifExists':
      if (record.state === 'absent') return 'the record does not exist';
      if (record.state === 'prior') record.existence = 'present';
      return null;
    case 'if': {
      if (record.state === 'absent') return 'the record does not exist';
      if (record.state === 'prior') record.existence = 'present';
      const keyValues = keyRow(schema, mutation);
      for (const p of condition.predicates) {
        if (p.op !== 'IS_NULL' && p.op !== 'IS_NOT_NULL' && (p.value ?? null) === null) return `${p.op} with NULL is never true`;
        if (schema.keyColumnNames.has(p.column)) {
          // Cassandra refuses conditions on key columns; the mutation's key says their values.
          if (!matchesPredicate(keyValues, p)) return `the key does not satisfy ${p.op} on "${p.column}"`;
        } else if (record.state === 'present' && (record.known.has(p.column) || record.othersNull)) {
          if (!matchesPredicate({ [p.column]: record.known.get(p.column) ?? null }, p)) return `"${p.column}" does not satisfy ${p.op}`;
        } else {
          // Not written by this batch yet: the prior value decides (an absent record's columns are NULL,
          // which is also their value after an earlier unconditional insert in this batch).
          record.predicates.push(p);
        }
      }
      return null;
    }
  }
}

function foldWrite(schema: TableSchema, record: RecordFold, mutation: Mutation): void {
  if (mutation.type === 'delete') {
    record.effect = 'delete';
    record.values = new Map();
    record.createsRow = false;
    record.state = 'absent';
    record.known = new Map();
    record.othersNull = true;
    return;
  }
  const given = Object.entries(mutation.values);
  if (record.state === 'prior') {
    record.effect = 'write';
    record.values = new Map(given);
    const kind = mutation.condition?.kind;
    // An update of an existing record needs no row marker; an insert (plain put or ifNotExists) does.
    record.createsRow = kind === undefined || kind === 'ifNotExists';
    record.othersNull = kind === 'ifNotExists';
  } else if (record.state === 'absent') {
    // Deleted earlier in this batch: the write replaces the record, every other column NULL.
    record.effect = 'write';
    record.values = new Map(schema.metadata.columns.filter((c) => !schema.keyColumnNames.has(c.name)).map((c) => [c.name, null]));
    for (const [name, value] of given) record.values.set(name, value);
    record.createsRow = true;
  } else {
    for (const [name, value] of given) record.values.set(name, value);
  }
  record.state = 'present';
  for (const [name, value] of given) record.known.set(name, value);
}

function keyRow(schema: TableSchema, mutation: Mutation): Row {
  const row: Row = {};
  const key = [...mutation.partitionKey, ...(mutation.clusteringKey ?? [])];
  schema.keyColumns.forEach((c, i) => {
    row[c.name] = key[i] ?? null;
  });
  return row;
}

// ---------------------------------------------------------------------------------------------
// CQL for the changes

export interface CqlStatement {
  readonly query: string;
  readonly params: (Buffer | null)[];
  /** Carries an IF: the batch holding it is a lightweight transaction. */
  readonly conditional: boolean;
}

/** What a change's conditions become in CQL. */
interface CqlConditions {
  readonly clauses: string[];
  readonly params: (Buffer | null)[];
  /** Some clause is false on a NULL column, so the row must exist for the conditions to hold. */
  impliesExistence: boolean;
  /** Some predicate cannot be stated in CQL without a prior read (LIKE / NOT_LIKE). */
  needsPin: boolean;
  /** Some predicate is false whatever the record holds. */
  never: boolean;
}

function cqlConditions(schema: TableSchema, predicates: readonly ColumnPredicate[]): CqlConditions {
  const out: CqlConditions = { clauses: [], params: [], impliesExistence: false, needsPin: false, never: false };
  for (const p of predicates) {
    const column = schema.column(p.column);
    const name = quoteCql(column.name);
    if (p.op === 'IS_NULL') {
      out.clauses.push(`${name} = null`);
      continue;
    }
    out.impliesExistence = true;
    if (p.op === 'IS_NOT_NULL') {
      out.clauses.push(`${name} != null`);
      continue;
    }
    if (p.op === 'LIKE' || p.op === 'NOT_LIKE') {
      out.needsPin = true;
      continue;
    }
    const op = comparisonOp(p)!;
    const value = p.value ?? null;
    if (value === null) {
      out.never = true;
      continue;
    }
    const stored = storedComparison(column.type, op, value);
    if (stored.kind === 'never') {
      out.never = true;
      continue;
    }
    if (stored.kind === 'not-null') {
      out.clauses.push(`${name} != null`);
      continue;
    }
    for (const comparison of stored.comparisons) {
      if (comparison.operator === 'IN') {
        out.clauses.push(`${name} IN (${comparison.values.map(() => '?').join(', ')})`);
      } else {
        out.clauses.push(`${name} ${comparison.operator} ?`);
      }
      for (const v of comparison.values) out.params.push(encodeParam(column.type, v));
    }
    // SQL's NULL <> v is not true; Cassandra's is.
    if (op === 'NE') out.clauses.push(`${name} != null`);
  }
  return out;
}

/**
 * Whether a change needs its record read (SERIAL) before the batch: a condition CQL cannot state, or a
 * conditional write with no column to set.
 */
export function needsPriorRead(schema: TableSchema, change: RecordChange): boolean {
  if (change.existence === 'absent') return false;
  const conditions = cqlConditions(schema, change.predicates);
  if (conditions.never) return false;
  if (conditions.needsPin) return true;
  if (change.existence === 'present' && conditions.clauses.length > 0 && !conditions.impliesExistence) return true;
  const conditional = change.existence === 'present' || change.predicates.length > 0;
  return change.effect === 'write' && change.values.size === 0 && conditional;
}

/** Whether a change's conditions hold on its prior record (null: absent), with SQL semantics. */
export function priorConditionsHold(change: RecordChange, prior: Row | null): boolean {
  if (change.existence === 'present' && prior === null) return false;
  if (change.existence === 'absent' && prior !== null) return false;
  const row = prior ?? {};
  return change.predicates.every((p) => matchesPredicate(row, p));
}

/**
 * The CQL of every change, for one batch. `priors` holds, by change index, the records read just
 * before for the changes that need it (needsPriorRead). Returns null when a condition can never hold.
 */
export function changeStatements(
  schema: TableSchema,
  keyspace: string,
  partitionKey: Key,
  changes: readonly RecordChange[],
  priors: ReadonlyMap<number, Row | null>,
): CqlStatement[] | null {
  const table = qualifiedTable(keyspace, schema.table);
  const keyNames = schema.keyColumns.map((c) => quoteCql(c.name));
  const where = keyNames.map((n) => `${n} = ?`).join(' AND ');
  const statements: CqlStatement[] = [];
  for (const [index, change] of changes.entries()) {
    const keyValues = [...partitionKey, ...change.clusteringKey];
    const keyParams = schema.keyColumns.map((c, i) => encodeParam(c.type, keyValues[i]!));
    const encodeValues = (values: ReadonlyMap<string, Value>) => [...values].map(([name, v]) => encodeParam(schema.column(name).type, v));
    const insert = (values: ReadonlyMap<string, Value>, suffix: string): CqlStatement => {
      const names = [...keyNames, ...[...values.keys()].map(quoteCql)];
      return {
        query: `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})${suffix}`,
        params: [...keyParams, ...encodeValues(values)],
        conditional: suffix !== '',
      };
    };
    const remove = (suffix: string, conditionParams: (Buffer | null)[]): CqlStatement => ({
      query: `DELETE FROM ${table} WHERE ${where}${suffix}`,
      params: [...keyParams, ...conditionParams],
      conditional: suffix !== '',
    });
    const update = (values: ReadonlyMap<string, Value>, suffix: string, conditionParams: (Buffer | null)[]): CqlStatement => ({
      query: `UPDATE ${table} SET ${[...values.keys()].map((name) => `${quoteCql(name)} = ?`).join(', ')} WHERE ${where}${suffix}`,
      params: [...encodeValues(values), ...keyParams, ...conditionParams],
      conditional: suffix !== '',
    });

    if (change.existence === 'absent') {
      if (change.effect === 'write') {
        statements.push(insert(change.values, ' IF NOT EXISTS'));
      } else {
        // Nothing is written when the record is absent, but the condition needs a statement: the
        // deletion in the same batch (same timestamp) wins over the insert.
        statements.push(insert(new Map(), ' IF NOT EXISTS'), remove('', []));
      }
      continue;
    }

    const conditions = cqlConditions(schema, change.predicates);
    if (conditions.never) return null;
    let values = change.values;
    const prior = priors.get(index);
    if (prior !== undefined) {
      const pins = pinConditions(schema, change, prior, conditions.impliesExistence, change.effect === 'write' && values.size === 0);
      conditions.clauses.push(...pins.clauses);
      conditions.params.push(...pins.params);
      conditions.impliesExistence ||= pins.impliesExistence;
      if (pins.carrier) values = pins.carrier;
    }
    const suffix = conditions.clauses.length > 0 ? ` IF ${conditions.clauses.join(' AND ')}` : change.existence === 'present' ? ' IF EXISTS' : '';

    if (change.effect === 'delete') {
      statements.push(remove(suffix, conditions.params));
    } else if (suffix === '') {
      statements.push(insert(values, ''));
    } else {
      // Only a table without non-key columns has nothing to set: its condition (IF EXISTS) was checked by the prior read.
      if (values.size > 0) statements.push(update(values, suffix, conditions.params));
      // An UPDATE writes no row marker: without one, a record whose columns are all NULL would not exist.
      if (change.createsRow) statements.push(insert(new Map(), ''));
    }
  }
  return statements;
}

interface Pins {
  readonly clauses: string[];
  readonly params: (Buffer | null)[];
  readonly impliesExistence: boolean;
  /** For a conditional write with nothing to set: a column set to the value it was read with. */
  readonly carrier: ReadonlyMap<string, Value> | null;
}

/**
 * Conditions that hold exactly while the record keeps what `prior` read: the columns a LIKE tested,
 * and a non-NULL column when the record must exist and no other condition proves it.
 */
function pinConditions(schema: TableSchema, change: RecordChange, prior: Row | null, existenceImplied: boolean, needsCarrier: boolean): Pins {
  const clauses: string[] = [];
  const params: (Buffer | null)[] = [];
  const pinned = new Map<string, Value>();
  const pin = (name: string) => {
    if (pinned.has(name)) return;
    const value = prior?.[name] ?? null;
    pinned.set(name, value);
    clauses.push(value === null ? `${quoteCql(name)} = null` : `${quoteCql(name)} = ?`);
    if (value !== null) params.push(encodeParam(schema.column(name).type, value));
  };
  for (const p of change.predicates) {
    if (p.op === 'LIKE' || p.op === 'NOT_LIKE') pin(p.column);
  }
  const nonKey = schema.metadata.columns.filter((c) => !schema.keyColumnNames.has(c.name)).map((c) => c.name);
  const present = nonKey.find((name) => (prior?.[name] ?? null) !== null);
  let impliesExistence = [...pinned.values()].some((v) => v !== null);
  if (change.existence === 'present' && !existenceImplied && !impliesExistence && present !== undefined) {
    pin(present);
    impliesExistence = true;
  }
  let carrier: Map<string, Value> | null = null;
  if (needsCarrier) {
    const name = present ?? nonKey[0];
    if (name !== undefined) {
      pin(name);
      carrier = new Map([[name, prior?.[name] ?? null]]);
    }
  }
  return { clauses, params, impliesExistence, carrier };
}
