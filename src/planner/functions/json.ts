/**
 * json and jsonb operators and functions. jsonb values are Jsonb documents (src/types/values.ts);
 * json values are their text. Navigation on json goes through jsonb, so a json sub-value comes back
 * in jsonb's canonical spacing (a known difference from PostgreSQL, which returns the source slice).
 */
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { formatText, parseText, type CodecContext } from '../../types/codec.js';
import { Numeric } from '../../types/numeric.js';
import { Jsonb, SqlArray, type JsonbNode, type JsonbObject, type SqlValue } from '../../types/values.js';
import { isArrayType } from '../../types/registry.js';
import { BUILTINS as R } from './registry.js';
import { compareValues } from '../value-ops.js';
import { makeJsonbObject } from '../../types/json.js';

function isObject(n: JsonbNode): n is JsonbObject {
  return typeof n === 'object' && n !== null && !Array.isArray(n) && !(n instanceof Numeric) && (n as JsonbObject).kind === 'object';
}

export { makeJsonbObject };

function jsonbOf(v: SqlValue, oid: number): Jsonb {
  if (v instanceof Jsonb) return v;
  return parseText(Oid.jsonb, oid === Oid.json ? (v as string) : String(v)) as Jsonb;
}

function field(root: JsonbNode, key: string): JsonbNode | undefined {
  if (!isObject(root)) return undefined;
  return root.entries.find(([k]) => k === key)?.[1];
}

function element(root: JsonbNode, index: number): JsonbNode | undefined {
  if (!Array.isArray(root)) return undefined;
  const i = index < 0 ? root.length + index : index;
  return root[i];
}

function nodeText(n: JsonbNode): string | null {
  if (n === null) return null;
  if (typeof n === 'string') return n;
  if (typeof n === 'boolean') return n ? 'true' : 'false';
  if (n instanceof Numeric) return n.toString();
  return formatText(Oid.jsonb, new Jsonb(n));
}

function asJson(n: JsonbNode | undefined, resultOid: number): SqlValue {
  if (n === undefined) return null;
  const j = new Jsonb(n);
  return resultOid === Oid.json ? formatText(Oid.jsonb, j) : j;
}

for (const [t, oid] of [['json', Oid.json], ['jsonb', Oid.jsonb]] as const) {
  R.op('->', [t, 'text'], t, ([d, k]) => asJson(field(jsonbOf(d!, oid).root, k as string), oid));
  R.op('->', [t, 'int4'], t, ([d, i]) => asJson(element(jsonbOf(d!, oid).root, i as number), oid));
  R.op('->>', [t, 'text'], 'text', ([d, k]) => {
    const n = field(jsonbOf(d!, oid).root, k as string);
    return n === undefined ? null : nodeText(n);
  });
  R.op('->>', [t, 'int4'], 'text', ([d, i]) => {
    const n = element(jsonbOf(d!, oid).root, i as number);
    return n === undefined ? null : nodeText(n);
  });
  R.op('#>', [t, '_text'], t, ([d, p]) => asJson(path(jsonbOf(d!, oid).root, p as SqlArray), oid));
  R.op('#>>', [t, '_text'], 'text', ([d, p]) => {
    const n = path(jsonbOf(d!, oid).root, p as SqlArray);
    return n === undefined ? null : nodeText(n);
  });
  R.fn(`${t}_typeof`, [t], 'text', ([d]) => typeName(jsonbOf(d!, oid).root));
  R.fn(`${t}_array_length`, [t], 'int4', ([d]) => {
    const root = jsonbOf(d!, oid).root;
    if (!Array.isArray(root)) throw new SqlError(SqlState.invalidParameterValue, `cannot get array length of a ${root === null || typeof root !== 'object' || root instanceof Numeric ? 'scalar' : 'non-array'}`);
    return root.length;
  });
  R.fn(`${t}_extract_path`, [t, '_text'], t, ([d, p]) => asJson(path(jsonbOf(d!, oid).root, p as SqlArray), oid), { variadic: false });
  R.fn(`${t}_extract_path_text`, [t, '_text'], 'text', ([d, p]) => {
    const n = path(jsonbOf(d!, oid).root, p as SqlArray);
    return n === undefined ? null : nodeText(n);
  });
}

function path(root: JsonbNode, p: SqlArray): JsonbNode | undefined {
  let cur: JsonbNode | undefined = root;
  for (const step of p.elements) {
    if (cur === undefined || step === null) return undefined;
    if (Array.isArray(cur)) {
      if (!/^-?\d+$/.test(step as string)) return undefined;
      cur = element(cur, Number(step));
    } else cur = field(cur, step as string);
  }
  return cur;
}

function typeName(n: JsonbNode): string {
  if (n === null) return 'null';
  if (typeof n === 'string') return 'string';
  if (typeof n === 'boolean') return 'boolean';
  if (n instanceof Numeric) return 'number';
  if (Array.isArray(n)) return 'array';
  return 'object';
}

function jsonbContains(a: JsonbNode, b: JsonbNode): boolean {
  if (isObject(a) && isObject(b)) return b.entries.every(([k, v]) => {
    const x = field(a, k);
    return x !== undefined && jsonbContains(x, v);
  });
  if (Array.isArray(a) && Array.isArray(b)) return b.every((y) => a.some((x) => jsonbContains(x, y)));
  if (Array.isArray(a) && !Array.isArray(b) && !isObject(b)) return a.some((x) => jsonbContains(x, b));
  if (a instanceof Numeric && b instanceof Numeric) return compareValues(Oid.numeric, a, b) === 0;
  return a === b;
}

R.op('@>', ['jsonb', 'jsonb'], 'bool', ([a, b]) => jsonbContains((a as Jsonb).root, (b as Jsonb).root));
R.op('<@', ['jsonb', 'jsonb'], 'bool', ([a, b]) => jsonbContains((b as Jsonb).root, (a as Jsonb).root));
function hasKey(root: JsonbNode, key: string): boolean {
  if (isObject(root)) return root.entries.some(([k]) => k === key);
  if (Array.isArray(root)) return root.some((e) => e === key);
  return root === key;
}
R.op('?', ['jsonb', 'text'], 'bool', ([a, k]) => hasKey((a as Jsonb).root, k as string));
R.op('?|', ['jsonb', '_text'], 'bool', ([a, ks]) => (ks as SqlArray).elements.some((k) => k !== null && hasKey((a as Jsonb).root, k as string)));
R.op('?&', ['jsonb', '_text'], 'bool', ([a, ks]) => (ks as SqlArray).elements.every((k) => k === null || hasKey((a as Jsonb).root, k as string)));
R.op('||', ['jsonb', 'jsonb'], 'jsonb', ([a, b]) => {
  const x = (a as Jsonb).root;
  const y = (b as Jsonb).root;
  if (isObject(x) && isObject(y)) return new Jsonb(makeJsonbObject([...x.entries, ...y.entries]));
  const left = Array.isArray(x) ? x : [x];
  const right = Array.isArray(y) ? y : [y];
  return new Jsonb([...left, ...right]);
});
R.op('-', ['jsonb', 'text'], 'jsonb', ([a, k]) => {
  const x = (a as Jsonb).root;
  if (isObject(x)) return new Jsonb({ kind: 'object', entries: x.entries.filter(([key]) => key !== k) });
  if (Array.isArray(x)) return new Jsonb(x.filter((e) => e !== k));
  throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
});
R.op('-', ['jsonb', 'int4'], 'jsonb', ([a, i]) => {
  const x = (a as Jsonb).root;
  if (!Array.isArray(x)) throw new SqlError(SqlState.invalidParameterValue, isObject(x) ? 'cannot delete from object using integer index' : 'cannot delete from scalar');
  const idx = (i as number) < 0 ? x.length + (i as number) : (i as number);
  return new Jsonb(x.filter((_e, j) => j !== idx));
});

/** A SQL value as a JSON node, as to_jsonb converts it. */
export function toJsonbNode(v: SqlValue, oid: number, codec: CodecContext): JsonbNode {
  if (v === null) return null;
  if (v instanceof Jsonb) return v.root;
  if (oid === Oid.json) return (parseText(Oid.jsonb, v as string) as Jsonb).root;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (typeof v === 'number' && !Number.isFinite(v)) return formatText(oid, v, codec);
    return Numeric.parse(formatText(oid, v, codec)) ?? String(v);
  }
  if (v instanceof Numeric) return v.special ? v.special : v;
  if (v instanceof SqlArray) return v.elements.map((e) => toJsonbNode(e, v.elementOid, codec));
  if (oid === Oid.timestamp || oid === Oid.timestamptz || oid === Oid.date || oid === Oid.time) {
    // to_json writes date/time values in ISO 8601 with a T separator, whatever DateStyle says.
    return formatText(oid, v, { ...codec, dateStyle: 'ISO, MDY' }).replace(' ', 'T');
  }
  return formatText(oid, v, codec);
}

/** json (not jsonb) text of a value, as to_json writes it. */
export function toJsonText(v: SqlValue, oid: number, codec: CodecContext): string {
  if (v === null) return 'null';
  if (oid === Oid.json) return v as string;
  if (isArrayType(oid) && v instanceof SqlArray) return `[${v.elements.map((e) => toJsonText(e, v.elementOid, codec)).join(',')}]`;
  const node = toJsonbNode(v, oid, codec);
  return formatText(Oid.jsonb, new Jsonb(node));
}

R.fn('to_jsonb', ['anyelement'], 'jsonb', ([v], ctx, types) => new Jsonb(toJsonbNode(v!, types[0]!.oid, ctx.codec)), { volatility: 's' });
R.fn('to_json', ['anyelement'], 'json', ([v], ctx, types) => toJsonText(v!, types[0]!.oid, ctx.codec), { volatility: 's' });
R.fn('jsonb_build_object', ['any'], 'jsonb', (args, ctx, types) => {
  if (args.length % 2 !== 0) throw new SqlError(SqlState.invalidParameterValue, 'argument list must have even number of elements', { hint: 'The arguments of jsonb_build_object() must consist of alternating keys and values.' });
  const entries: Array<[string, JsonbNode]> = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) throw new SqlError(SqlState.invalidParameterValue, `argument ${i + 1}: key must not be null`);
    entries.push([formatText(types[i]!.oid, args[i]!, ctx.codec), toJsonbNode(args[i + 1]!, types[i + 1]!.oid, ctx.codec)]);
  }
  return new Jsonb(makeJsonbObject(entries));
}, { variadic: true, strict: false, volatility: 's' });
R.fn('jsonb_build_object', [], 'jsonb', () => new Jsonb(makeJsonbObject([])));
R.fn('json_build_object', ['any'], 'json', (args, ctx, types) => {
  if (args.length % 2 !== 0) throw new SqlError(SqlState.invalidParameterValue, 'argument list must have even number of elements', { hint: 'The arguments of json_build_object() must consist of alternating keys and values.' });
  const parts: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) throw new SqlError(SqlState.invalidParameterValue, `argument ${i + 1}: key must not be null`);
    parts.push(`${JSON.stringify(formatText(types[i]!.oid, args[i]!, ctx.codec))} : ${toJsonText(args[i + 1]!, types[i + 1]!.oid, ctx.codec)}`);
  }
  return `{${parts.join(', ')}}`;
}, { variadic: true, strict: false, volatility: 's' });
R.fn('json_build_object', [], 'json', () => '{}');
R.fn('jsonb_build_array', ['any'], 'jsonb', (args, ctx, types) => new Jsonb(args.map((v, i) => toJsonbNode(v, types[i]!.oid, ctx.codec))), { variadic: true, strict: false, volatility: 's' });
R.fn('jsonb_build_array', [], 'jsonb', () => new Jsonb([]));
R.fn('json_build_array', ['any'], 'json', (args, ctx, types) => `[${args.map((v, i) => toJsonText(v, types[i]!.oid, ctx.codec)).join(', ')}]`, { variadic: true, strict: false, volatility: 's' });
R.fn('json_build_array', [], 'json', () => '[]');
R.fn('jsonb_strip_nulls', ['jsonb'], 'jsonb', ([d]) => new Jsonb(stripNulls((d as Jsonb).root)));
function stripNulls(n: JsonbNode): JsonbNode {
  if (isObject(n)) return { kind: 'object', entries: n.entries.filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)] as const) };
  if (Array.isArray(n)) return n.map(stripNulls);
  return n;
}
R.fn('jsonb_pretty', ['jsonb'], 'text', ([d]) => JSON.stringify(JSON.parse(formatText(Oid.jsonb, d!)), null, 4));
R.fn('jsonb_set', ['jsonb', '_text', 'jsonb'], 'jsonb', ([d, p, v]) => new Jsonb(setPath((d as Jsonb).root, (p as SqlArray).elements as string[], 0, (v as Jsonb).root, true)));
R.fn('jsonb_set', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', ([d, p, v, c]) => new Jsonb(setPath((d as Jsonb).root, (p as SqlArray).elements as string[], 0, (v as Jsonb).root, c as boolean)));

function setPath(n: JsonbNode, p: readonly string[], i: number, v: JsonbNode, create: boolean): JsonbNode {
  if (i >= p.length) return v;
  const key = p[i]!;
  if (isObject(n)) {
    const existing = field(n, key);
    if (existing === undefined && (!create || i < p.length - 1)) return n;
    return makeJsonbObject([...n.entries.filter(([k]) => k !== key), [key, existing === undefined ? v : setPath(existing, p, i + 1, v, create)]]);
  }
  if (Array.isArray(n)) {
    const idx = Number(key);
    if (!Number.isInteger(idx)) throw new SqlError(SqlState.invalidTextRepresentation, `path element at position ${i + 1} is not an integer: "${key}"`);
    const j = idx < 0 ? n.length + idx : idx;
    if (j >= 0 && j < n.length) return n.map((e, k) => (k === j ? setPath(e, p, i + 1, v, create) : e));
    if (!create || i < p.length - 1) return n;
    return j < 0 ? [v, ...n] : [...n, v];
  }
  return n;
}
