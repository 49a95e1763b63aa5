/** Result column names as PostgreSQL's FigureColname chooses them when there is no alias. */
import type { Node } from '@pgsql/types';
import { nodeAs, nodeTag, stringList } from './ast.js';

const SQL_VALUE_FUNCTION_NAMES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** The name PostgreSQL gives an unaliased result column, or null for "?column?". */
function figure(node: Node | undefined): string | null {
  if (!node) return null;
  switch (nodeTag(node)) {
    case 'ColumnRef': {
      const names = stringList(nodeAs(node, 'ColumnRef')!.fields);
      const last = names[names.length - 1]!;
      return last === '*' ? null : last;
    }
    case 'A_Indirection': {
      const ind = nodeAs(node, 'A_Indirection')!;
      const steps = ind.indirection ?? [];
      for (let i = steps.length - 1; i >= 0; i--) {
        const s = nodeAs(steps[i], 'String');
        if (s) return s.sval ?? null;
      }
      return figure(ind.arg);
    }
    case 'FuncCall': {
      const names = stringList(nodeAs(node, 'FuncCall')!.funcname);
      return names[names.length - 1] ?? null;
    }
    case 'A_Expr': {
      const a = nodeAs(node, 'A_Expr')!;
      if (a.kind === 'AEXPR_NULLIF') return 'nullif';
      return null;
    }
    case 'TypeCast': {
      const c = nodeAs(node, 'TypeCast')!;
      const inner = figure(c.arg);
      if (inner !== null) return inner;
      const names = stringList(c.typeName?.names);
      return names[names.length - 1] ?? null;
    }
    case 'CollateClause':
      return figure(nodeAs(node, 'CollateClause')!.arg);
    case 'CaseExpr': {
      const inner = figure(nodeAs(node, 'CaseExpr')!.defresult);
      return inner ?? 'case';
    }
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return nodeAs(node, 'MinMaxExpr')!.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SQLValueFunction':
      return SQL_VALUE_FUNCTION_NAMES[nodeAs(node, 'SQLValueFunction')!.op ?? ''] ?? null;
    case 'SubLink': {
      const s = nodeAs(node, 'SubLink')!;
      if (s.subLinkType === 'EXISTS_SUBLINK') return 'exists';
      if (s.subLinkType === 'ARRAY_SUBLINK') return 'array';
      if (s.subLinkType === 'EXPR_SUBLINK') {
        const select = nodeAs(s.subselect, 'SelectStmt');
        const first = select?.targetList?.[0];
        const rt = nodeAs(first, 'ResTarget');
        if (rt) return rt.name ?? figure(rt.val);
      }
      return null;
    }
    case 'BooleanTest':
    case 'NullTest':
    case 'BoolExpr':
    default:
      return null;
  }
}

export function columnNameFor(node: Node | undefined): string {
  return figure(node) ?? '?column?';
}
