/** EXPLAIN: the plan as PostgreSQL-like indented text, one line per row of "QUERY PLAN". */
import type { Expr } from './expr.js';
import type { CteDefinition, PlanNode, TableAccess } from './plan.js';
import type { TableInfo } from '../catalog/model.js';
import { formatText } from '../types/codec.js';
import { Oid } from '../types/oids.js';
import { formatType } from '../types/registry.js';
import type { SqlValue } from '../types/values.js';

const UNQUOTED_NUMBER_TYPES: ReadonlySet<number> = new Set([Oid.int2, Oid.int4, Oid.int8, Oid.numeric]);

/** Constants as PostgreSQL's EXPLAIN prints them: `3`, `'abc'::text`, `NULL`. */
function constText(oid: number, value: SqlValue): string {
  if (value === null) return 'NULL';
  const shown = oid === Oid.unknown ? Oid.text : oid;
  const text = formatText(shown, value);
  if (UNQUOTED_NUMBER_TYPES.has(shown) && !text.startsWith('-')) return text;
  return `'${text.replace(/'/g, "''")}'::${formatType(shown, -1)}`;
}

function exprText(e: Expr, columns: readonly string[]): string {
  switch (e.kind) {
    case 'const':
      return constText(e.type.oid, e.value);
    case 'param':
      return `$${e.index + 1}`;
    case 'column':
      return columns[e.slot] ?? e.name;
    case 'outerColumn':
      return `outer.${e.name}`;
    case 'call':
      if (e.fn.isOperator) {
        return e.args.length === 2 ? `(${exprText(e.args[0]!, columns)} ${e.fn.name} ${exprText(e.args[1]!, columns)})` : `(${e.fn.name} ${exprText(e.args[0]!, columns)})`;
      }
      return `${e.fn.name}(${e.args.map((a) => exprText(a, columns)).join(', ')})`;
    case 'cast':
      return exprText(e.arg, columns);
    case 'and':
    case 'or':
      return `(${e.args.map((a) => exprText(a, columns)).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${exprText(e.arg, columns)})`;
    case 'nullTest':
      return `(${exprText(e.arg, columns)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'scalarArrayOp':
      return `(${exprText(e.left, columns)} ${e.op.name} ${e.useOr ? 'ANY' : 'ALL'} (${exprText(e.right, columns)}))`;
    case 'array':
      return `ARRAY[${e.elements.map((x) => exprText(x, columns)).join(', ')}]`;
    case 'aggregateRef':
      return `agg${e.index + 1}`;
    case 'subquery':
      return `(SubPlan)`;
    default:
      return e.kind;
  }
}

/** The access path lines; key expressions read `valueColumns` (a lookup join's outer row) or nothing. */
function accessText(table: TableInfo, access: TableAccess, valueColumns: readonly string[] = table.columns.map((c) => c.name)): string[] {
  const name = table.name;
  const keyNames = [...table.partitionKey, ...table.clusteringKey].map((p) => table.columns.find((c) => c.physicalName === p)?.name ?? p);
  const cols = valueColumns;
  switch (access.kind) {
    case 'get':
      return [`Get on ${name}`, `  Key: (${keyNames.map((k, i) => `${k} = ${exprText(access.key[i]!, cols)}`).join(', ')})`];
    case 'partition': {
      const lines = [`Partition Scan on ${name}`, `  Partition Key: (${table.partitionKey.map((_p, i) => `${keyNames[i]} = ${exprText(access.partitionKey[i]!, cols)}`).join(', ')})`];
      if (access.start) lines.push(`  Clustering Start: (${access.start.key.map((k) => exprText(k, cols)).join(', ')})${access.start.inclusive ? '' : ' exclusive'}`);
      if (access.end) lines.push(`  Clustering End: (${access.end.key.map((k) => exprText(k, cols)).join(', ')})${access.end.inclusive ? '' : ' exclusive'}`);
      return lines;
    }
    case 'unique':
      return [`Unique Index Get using ${access.index.name} on ${name}`, `  Key: (${access.index.columns.map((a, i) => `${table.columns.find((c) => c.attnum === a)?.name} = ${exprText(access.key[i]!, cols)}`).join(', ')})`];
    case 'index':
      return [`Index Scan using ${access.index.name} on ${name}`, `  Index Cond: (${access.column.name} = ${exprText(access.value, cols)})`];
    case 'all': {
      const lines = [`Seq Scan on ${name}`];
      if (access.filter) {
        const text = access.filter
          .map((conj) => conj.map((p) => `${p.column.name} ${p.op}${p.value ? ` ${exprText(p.value, cols)}` : ''}`).join(' AND '))
          .join(' OR ');
        lines.push(`  Storage Filter: ${text}`);
      }
      return lines;
    }
  }
}

const JOIN_NAMES: Readonly<Record<string, string>> = { inner: '', left: ' Left', right: ' Right', full: ' Full' };

function sortKeyText(keys: readonly { readonly expr: Expr; readonly descending: boolean }[], names: readonly string[]): string {
  return keys.map((k) => `${exprText(k.expr, names)}${k.descending ? ' DESC' : ''}`).join(', ');
}

export function explainPlan(plan: PlanNode): string[] {
  const out: string[] = [];
  const walk = (node: PlanNode, depth: number, ctes: readonly CteDefinition[] = []): void => {
    const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
    const detailPad = ' '.repeat(depth === 0 ? 2 : depth * 6);
    const names = (n: PlanNode): string[] => n.columns.map((c) => c.name);
    const inputNames = (n: PlanNode): string[] => ('input' in n ? names(n.input) : []);
    const line = (head: string, details: string[] = []): void => {
      out.push(pad + head);
      for (const d of details) out.push(detailPad + d);
      // The CTEs of a WITH are shown under the node that runs the query, as PostgreSQL shows them.
      for (const c of ctes) {
        out.push(`${detailPad}CTE ${c.name}`);
        walk(c.plan, depth + 1);
      }
    };
    switch (node.kind) {
      case 'result':
        line('Result');
        break;
      case 'values':
        line(`Values Scan (${node.rows.length} rows)`);
        break;
      case 'tableRead': {
        const [head, ...details] = accessText(node.table, node.access);
        line(head!, details.map((d) => d.trim()));
        break;
      }
      case 'systemScan':
        line(`System Scan on ${node.relation.name}`);
        break;
      case 'functionScan':
        line(`Function Scan on ${node.functions.map((f) => f.fn.name).join(', ')}`);
        break;
      case 'filter':
        line('Filter', [`Condition: ${exprText(node.predicate, inputNames(node))}`]);
        break;
      case 'project':
        line('Project', [`Output: ${node.exprs.map((e) => exprText(e, inputNames(node))).join(', ')}`]);
        break;
      case 'sort':
        line('Sort', [`Sort Key: ${sortKeyText(node.keys, inputNames(node))}`]);
        break;
      case 'limit':
        line(node.ties ? 'Limit (WITH TIES)' : 'Limit');
        break;
      case 'distinct':
        line(node.keys ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)');
        break;
      case 'aggregate': {
        const keyText = (keys: readonly Expr[]): string => (keys.length ? keys.map((g) => exprText(g, inputNames(node))).join(', ') : '()');
        if (node.groupingSets) line('MixedAggregate', node.groupingSets.map((set) => `Group Key: ${keyText(set.map((i) => node.groupKeys[i]!))}`));
        else line(node.groupKeys.length ? 'HashAggregate' : 'Aggregate', node.groupKeys.length ? [`Group Key: ${keyText(node.groupKeys)}`] : []);
        break;
      }
      case 'nestedLoop':
        line(`Nested Loop${JOIN_NAMES[node.joinType]}${node.lateral ? ' (LATERAL)' : ''}`, node.condition ? [`Join Filter: ${exprText(node.condition, names(node))}`] : []);
        walk(node.left, depth + 1);
        walk(node.right, depth + 1);
        return;
      case 'hashJoin': {
        const cond = node.leftKeys.map((k, i) => `${exprText(k, names(node.left))} = ${exprText(node.rightKeys[i]!, names(node.right))}`).join(' AND ');
        line(`Hash${JOIN_NAMES[node.joinType]} Join`, [`Hash Cond: (${cond})`, ...(node.condition ? [`Join Filter: ${exprText(node.condition, names(node))}`] : [])]);
        walk(node.left, depth + 1);
        out.push(`${' '.repeat(depth * 6)}  ->  Hash`);
        walk(node.right, depth + 2);
        return;
      }
      case 'lookupJoin': {
        line(`Lookup${node.joinType === 'left' ? ' Left' : ''} Join`, node.condition ? [`Join Filter: ${exprText(node.condition, names(node))}`] : []);
        walk(node.outer, depth + 1);
        const [head, ...details] = accessText(node.table, node.access, names(node.outer));
        out.push(`${' '.repeat(depth * 6)}  ->  ${head} (one per outer row)`);
        for (const d of details) out.push(`${' '.repeat(depth * 6 + 6)}${d.trim()}`);
        return;
      }
      case 'setOp':
        line(node.op === 'union' && node.all ? 'Append' : `HashSetOp ${node.op[0]!.toUpperCase()}${node.op.slice(1)}${node.all ? ' All' : ''}`);
        walk(node.left, depth + 1);
        walk(node.right, depth + 1);
        return;
      case 'with':
        walk(node.input, depth, [...ctes, ...node.ctes]);
        return;
      case 'cteScan':
        line(`CTE Scan on ${node.cte.name}`);
        break;
      case 'workTableScan':
        line(`WorkTable Scan on ${node.name}`);
        break;
      case 'recursiveUnion':
        line(node.all ? 'Recursive Union All' : 'Recursive Union');
        walk(node.nonRecursive, depth + 1);
        walk(node.recursive, depth + 1);
        return;
      case 'window': {
        const details: string[] = [];
        if (node.partitionBy.length) details.push(`Partition By: ${node.partitionBy.map((e) => exprText(e, inputNames(node))).join(', ')}`);
        if (node.orderBy.length) details.push(`Order By: ${sortKeyText(node.orderBy, inputNames(node))}`);
        line('WindowAgg', details);
        break;
      }
      case 'projectSet':
        line('ProjectSet', [`Functions: ${node.functions.map((f) => `${f.fn.name}(${f.args.map((a) => exprText(a, inputNames(node))).join(', ')})`).join(', ')}`]);
        break;
      case 'insert':
        line(`Insert on ${node.table.name}`);
        break;
      case 'update':
        line(`Update on ${node.table.name}`);
        break;
      case 'delete':
        line(`Delete on ${node.table.name}`);
        break;
    }
    if ('input' in node) walk(node.input, depth + 1);
  };
  walk(plan, 0);
  return out;
}
