/** Result column names as PostgreSQL's FigureColname chooses them when there is no alias. */
import type { Node } from '@pgsql/types';
import { nodeAs, nodeTag, stringList } from './ast.js';
import { SQL_VALUE_FUNCTIONS } from './expressions.js';


interface Figured {
  readonly name: string | null;
  /** PostgreSQL's strength: 2 a real name (column, function), 1 a fallback (type name, "case"), 0 none. */
  readonly strength: 0 | 1 | 2;
}

const NONE: Figured = { name: null, strength: 0 };
const strong = (name: string | null): Figured => (name === null ? NONE : { name, strength: 2 });

/** PostgreSQL's FigureColnameInternal. */
function figure(node: Node | undefined): Figured {
  if (!node) return NONE;
  switch (nodeTag(node)) {
    case 'ColumnRef': {
      const names = stringList(nodeAs(node, 'ColumnRef')!.fields);
      const last = names[names.length - 1]!;
      return last === '*' ? NONE : strong(last);
    }
    case 'A_Indirection': {
      const ind = nodeAs(node, 'A_Indirection')!;
      const steps = ind.indirection ?? [];
      for (let i = steps.length - 1; i >= 0; i--) {
        const s = nodeAs(steps[i], 'String');
        if (s) return strong(s.sval ?? null);
      }
      return figure(ind.arg);
    }
    case 'FuncCall': {
      const names = stringList(nodeAs(node, 'FuncCall')!.funcname);
      return strong(names[names.length - 1] ?? null);
    }
    case 'A_Expr':
      return nodeAs(node, 'A_Expr')!.kind === 'AEXPR_NULLIF' ? strong('nullif') : NONE;
    case 'TypeCast': {
      const c = nodeAs(node, 'TypeCast')!;
      const inner = figure(c.arg);
      if (inner.strength === 2) return inner;
      const names = stringList(c.typeName?.names);
      return { name: names[names.length - 1] ?? null, strength: 1 };
    }
    case 'CollateClause':
      return figure(nodeAs(node, 'CollateClause')!.arg);
    case 'CaseExpr': {
      const inner = figure(nodeAs(node, 'CaseExpr')!.defresult);
      return inner.strength === 2 ? inner : { name: 'case', strength: 1 };
    }
    case 'A_ArrayExpr':
      return strong('array');
    case 'RowExpr':
      return strong('row');
    case 'CoalesceExpr':
      return strong('coalesce');
    case 'GroupingFunc':
      return strong('grouping');
    case 'MinMaxExpr':
      return strong(nodeAs(node, 'MinMaxExpr')!.op === 'IS_GREATEST' ? 'greatest' : 'least');
    case 'SQLValueFunction':
      return strong(SQL_VALUE_FUNCTIONS[nodeAs(node, 'SQLValueFunction')!.op ?? '']?.column ?? null);
    case 'SubLink': {
      const s = nodeAs(node, 'SubLink')!;
      if (s.subLinkType === 'EXISTS_SUBLINK') return strong('exists');
      if (s.subLinkType === 'ARRAY_SUBLINK') return strong('array');
      if (s.subLinkType === 'EXPR_SUBLINK') {
        const select = nodeAs(s.subselect, 'SelectStmt');
        const rt = nodeAs(select?.targetList?.[0], 'ResTarget');
        if (rt) return rt.name ? strong(rt.name) : figure(rt.val);
      }
      return NONE;
    }
    default:
      return NONE;
  }
}

export function columnNameFor(node: Node | undefined): string {
  return figure(node).name ?? '?column?';
}
