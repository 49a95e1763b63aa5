/** Array functions (one-dimensional arrays are the common case; dims and bounds are kept). */
import { SqlError, SqlState } from '../../errors.js';
import { SqlArray, type SqlValue } from '../../types/values.js';
import { BUILTINS as R } from './registry.js';
import { compareValues } from '../value-ops.js';

const arr = (v: SqlValue | undefined): SqlArray => v as SqlArray;

R.fn('array_length', ['anyarray', 'int4'], 'int4', ([a, d]) => arr(a).dims[(d as number) - 1] ?? null);
R.fn('array_upper', ['anyarray', 'int4'], 'int4', ([a, d]) => {
  const i = (d as number) - 1;
  const n = arr(a).dims[i];
  return n === undefined ? null : (arr(a).lowerBounds[i] ?? 1) + n - 1;
});
R.fn('array_lower', ['anyarray', 'int4'], 'int4', ([a, d]) => (arr(a).dims[(d as number) - 1] === undefined ? null : (arr(a).lowerBounds[(d as number) - 1] ?? 1)));
R.fn('array_ndims', ['anyarray'], 'int4', ([a]) => (arr(a).dims.length === 0 ? null : arr(a).dims.length));
R.fn('array_dims', ['anyarray'], 'text', ([a]) => (arr(a).dims.length === 0 ? null : arr(a).dims.map((n, i) => `[${arr(a).lowerBounds[i] ?? 1}:${(arr(a).lowerBounds[i] ?? 1) + n - 1}]`).join('')));
R.fn('cardinality', ['anyarray'], 'int4', ([a]) => arr(a).elements.length);

function oneDim(a: SqlArray, what: string): void {
  if (a.dims.length > 1) throw new SqlError(SqlState.featureNotSupported, `${what} on multidimensional arrays is not supported yet`);
}
R.fn('array_append', ['anyarray', 'anyelement'], 'anyarray', ([a, e], _ctx, types) => {
  const x = (a as SqlArray | null) ?? new SqlArray(types[1]!.oid, []);
  oneDim(x, 'array_append');
  return new SqlArray(x.elementOid, [...x.elements, e ?? null], [x.elements.length + 1], [x.lowerBounds[0] ?? 1]);
}, { strict: false });
R.fn('array_prepend', ['anyelement', 'anyarray'], 'anyarray', ([e, a], _ctx, types) => {
  const x = (a as SqlArray | null) ?? new SqlArray(types[0]!.oid, []);
  oneDim(x, 'array_prepend');
  return new SqlArray(x.elementOid, [e ?? null, ...x.elements]);
}, { strict: false });
R.fn('array_cat', ['anyarray', 'anyarray'], 'anyarray', ([a, b]) => {
  if (a === null) return b ?? null;
  if (b === null) return a;
  oneDim(arr(a), 'array_cat');
  oneDim(arr(b), 'array_cat');
  return new SqlArray(arr(a).elementOid, [...arr(a).elements, ...arr(b).elements]);
}, { strict: false });
R.fn('array_position', ['anyarray', 'anyelement'], 'int4', ([a, e]) => {
  if (a === null) return null;
  const x = arr(a);
  const i = x.elements.findIndex((v) => (e === null ? v === null : v !== null && compareValues(x.elementOid, v, e!) === 0));
  return i < 0 ? null : i + (x.lowerBounds[0] ?? 1);
}, { strict: false });
R.fn('array_remove', ['anyarray', 'anyelement'], 'anyarray', ([a, e]) => {
  if (a === null) return null;
  const x = arr(a);
  oneDim(x, 'array_remove');
  return new SqlArray(x.elementOid, x.elements.filter((v) => (e === null ? v !== null : v === null || compareValues(x.elementOid, v, e!) !== 0)));
}, { strict: false });
R.fn('array_replace', ['anyarray', 'anyelement', 'anyelement'], 'anyarray', ([a, from, to]) => {
  if (a === null) return null;
  const x = arr(a);
  return new SqlArray(x.elementOid, x.elements.map((v) => ((from === null ? v === null : v !== null && compareValues(x.elementOid, v, from!) === 0) ? (to ?? null) : v)), x.dims, x.lowerBounds);
}, { strict: false });
