/** EXPLAIN: the plan as PostgreSQL-like indented text, one line per row of "QUERY PLAN". */
import type { Expr } from './expr.js';
import type { PlanNode, TableAccess } from './plan.js';
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

function accessText(table: TableInfo, access: TableAccess): string[] {
  const name = table.name;
  const keyNames = [...table.partitionKey, ...table.clusteringKey].map((p) => table.columns.find((c) => c.physicalName === p)?.name ?? p);
  const cols = table.columns.map((c) => c.name);
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

export function explainPlan(plan: PlanNode): string[] {
  const out: string[] = [];
  const walk = (node: PlanNode, depth: number): void => {
    const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
    const detailPad = ' '.repeat(depth === 0 ? 2 : depth * 6);
    const inputNames = (n: PlanNode): string[] => ('input' in n ? n.input.columns.map((c) => c.name) : []);
    const line = (head: string, details: string[] = []): void => {
      out.push(pad + head);
      for (const d of details) out.push(detailPad + d);
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
      case 'functionScan':
        line(`Function Scan on ${node.name}`);
        break;
      case 'filter':
        line('Filter', [`Condition: ${exprText(node.predicate, inputNames(node))}`]);
        break;
      case 'project':
        line('Project', [`Output: ${node.exprs.map((e) => exprText(e, inputNames(node))).join(', ')}`]);
        break;
      case 'sort':
        line('Sort', [`Sort Key: ${node.keys.map((k) => `${exprText(k.expr, inputNames(node))}${k.descending ? ' DESC' : ''}`).join(', ')}`]);
        break;
      case 'limit':
        line('Limit');
        break;
      case 'distinct':
        line(node.keys ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)');
        break;
      case 'aggregate':
        line(node.groupKeys.length ? 'HashAggregate' : 'Aggregate', node.groupKeys.length ? [`Group Key: ${node.groupKeys.map((g) => exprText(g, inputNames(node))).join(', ')}`] : []);
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
