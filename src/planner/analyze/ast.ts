/**
 * Narrowing the libpg-query JSON parse tree at the boundary: each Node is an object with exactly one
 * key naming its type. These helpers give typed access without `any`.
 */
import type { Node, TypeName } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';

/** The node type name of a parse-tree node, e.g. "SelectStmt". */
export function nodeTag(node: Node): string {
  return Object.keys(node)[0]!;
}

type KeysOfUnion<T> = T extends T ? keyof T : never;
export type NodeTag = KeysOfUnion<Node>;
export type NodePayload<K extends NodeTag> = Extract<Node, Record<K, unknown>>[K];

/** The payload of `node` when it is of type `tag`, else undefined. */
export function nodeAs<K extends NodeTag>(node: Node | undefined, tag: K): NodePayload<K> | undefined {
  if (node === undefined || node === null) return undefined;
  return (node as Record<string, unknown>)[tag] as never;
}

/** The string values of a list of String nodes (names, column lists). */
export function stringList(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => {
    const s = nodeAs(n, 'String');
    if (s) return s.sval ?? '';
    const a = nodeAs(n, 'A_Star');
    if (a) return '*';
    throw new SqlError(SqlState.syntaxError, `unexpected ${nodeTag(n)} in a name list`);
  });
}

/** An integer from an A_Const / Integer node, or undefined. */
export function intValue(node: Node | undefined): number | undefined {
  const c = nodeAs(node, 'A_Const');
  if (c) {
    if (c.ival !== undefined) return c.ival.ival ?? 0;
    if (c.fval !== undefined) return Number(c.fval.fval);
    return undefined;
  }
  const i = nodeAs(node, 'Integer');
  if (i) return i.ival ?? 0;
  return undefined;
}

/** The text of a DefElem argument (String, Integer, Float, Boolean or TypeName). */
export function defElemText(arg: Node | undefined): string | null {
  if (arg === undefined) return null;
  const s = nodeAs(arg, 'String');
  if (s) return s.sval ?? '';
  const i = nodeAs(arg, 'Integer');
  if (i) return String(i.ival ?? 0);
  const f = nodeAs(arg, 'Float');
  if (f) return f.fval ?? '0';
  const b = nodeAs(arg, 'Boolean');
  if (b) return b.boolval ? 'true' : 'false';
  const t = nodeAs(arg, 'TypeName');
  if (t) return stringList(t.names).join('.');
  const c = nodeAs(arg, 'A_Const');
  if (c) {
    if (c.sval) return c.sval.sval ?? '';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? '0';
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  }
  const l = nodeAs(arg, 'List');
  if (l) return (l.items ?? []).map((x) => defElemText(x) ?? '').join(', ');
  return null;
}

export function typeNameText(t: TypeName): string {
  return stringList(t.names).join('.');
}

/** The byte location of a node, when it has one (for error positions). */
export function locationOf(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const payload = (node as Record<string, unknown>)[nodeTag(node)];
  if (payload && typeof payload === 'object' && 'location' in payload) {
    const loc = (payload as { location?: number }).location;
    return typeof loc === 'number' && loc >= 0 ? loc : undefined;
  }
  return undefined;
}

export function unsupported(what: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, `${what} is not supported yet`);
}
