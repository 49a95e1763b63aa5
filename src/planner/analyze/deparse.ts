/**
 * Expression text as pg_get_expr shows it, for the expressions that appear in DEFAULT and CHECK
 * (literals, casts, function calls, operators, column references). Anything else shows as
 * "(expression)": the stored parse tree, not this text, is what polygres evaluates.
 */
import type { Node } from '@pgsql/types';
import { formatType } from '../../types/registry.js';
import { nodeAs, nodeTag, stringList } from './ast.js';
import { resolveTypeName } from './expressions.js';
import { quoteIdentifierIfNeeded } from '../settings.js';

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function deparseExpr(node: Node | undefined): string {
  if (!node) return '';
  switch (nodeTag(node)) {
    case 'A_Const': {
      const c = nodeAs(node, 'A_Const')!;
      if (c.isnull) return 'NULL';
      // A negative constant is quoted and labelled, as get_const_expr prints it.
      if (c.ival !== undefined) return (c.ival.ival ?? 0) < 0 ? `'${c.ival.ival}'::integer` : String(c.ival.ival ?? 0);
      if (c.fval !== undefined) {
        const text = c.fval.fval ?? '0';
        return text.startsWith('-') ? `'${text}'::${/^-\d+$/.test(text) ? 'bigint' : 'numeric'}` : text;
      }
      if (c.boolval !== undefined) return c.boolval.boolval ? 'true' : 'false';
      if (c.sval !== undefined) return `${literal(c.sval.sval ?? '')}::text`;
      return '?';
    }
    case 'ColumnRef':
      return stringList(nodeAs(node, 'ColumnRef')!.fields).map(quoteIdentifierIfNeeded).join('.');
    case 'TypeCast': {
      const t = nodeAs(node, 'TypeCast')!;
      let type: string;
      try {
        const r = resolveTypeName(t.typeName!);
        type = formatType(r.oid, r.typmod);
      } catch {
        type = stringList(t.typeName?.names).join('.');
      }
      const inner = nodeAs(t.arg, 'A_Const');
      if (inner?.sval !== undefined) return `${literal(inner.sval.sval ?? '')}::${type}`;
      return `(${deparseExpr(t.arg)})::${type}`;
    }
    case 'FuncCall': {
      const f = nodeAs(node, 'FuncCall')!;
      const name = stringList(f.funcname).filter((n) => n !== 'pg_catalog').join('.');
      if (name === 'nextval' && f.args?.length === 1) {
        const a = nodeAs(f.args[0], 'A_Const');
        if (a?.sval) return `nextval(${literal(a.sval.sval ?? '')}::regclass)`;
      }
      return `${name}(${f.agg_star ? '*' : (f.args ?? []).map(deparseExpr).join(', ')})`;
    }
    case 'SQLValueFunction': {
      const op = nodeAs(node, 'SQLValueFunction')!.op ?? '';
      return op.replace('SVFOP_', '').replace(/_N$/, '');
    }
    case 'A_Expr': {
      const a = nodeAs(node, 'A_Expr')!;
      const op = stringList(a.name).pop() ?? '?';
      if (a.kind === 'AEXPR_OP') return a.lexpr ? `(${deparseExpr(a.lexpr)} ${op} ${deparseExpr(a.rexpr)})` : `(${op} ${deparseExpr(a.rexpr)})`;
      if (a.kind === 'AEXPR_IN') {
        const items = nodeAs(a.rexpr, 'List')?.items ?? [];
        return `(${deparseExpr(a.lexpr)} ${op === '=' ? '=' : '<>'} ${op === '=' ? 'ANY' : 'ALL'} (ARRAY[${items.map(deparseExpr).join(', ')}]))`;
      }
      return '(expression)';
    }
    case 'BoolExpr': {
      const b = nodeAs(node, 'BoolExpr')!;
      const args = (b.args ?? []).map(deparseExpr);
      if (b.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
      return `(${args.join(b.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    }
    case 'NullTest': {
      const t = nodeAs(node, 'NullTest')!;
      return `(${deparseExpr(t.arg)} IS ${t.nulltesttype === 'IS_NOT_NULL' ? 'NOT ' : ''}NULL)`;
    }
    default:
      return '(expression)';
  }
}
