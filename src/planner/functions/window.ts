/**
 * Window functions proper: ranking (row_number, rank, dense_rank, percent_rank, cume_dist, ntile)
 * and value functions (lag, lead, first_value, last_value, nth_value). Each computes a whole
 * partition at once from the partition view the Window operator gives it. Aggregates used with OVER
 * are not declared here: every aggregate is also a window function (exec/window.ts runs them over
 * each row's frame).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { SqlValue } from '../../types/values.js';
import { BUILTINS as R, type WindowFrameRows, type WindowPartition } from './registry.js';

function perRow(p: WindowPartition, f: (row: number) => SqlValue): SqlValue[] {
  const out: SqlValue[] = [];
  for (let i = 0; i < p.size; i++) out.push(f(i));
  return out;
}

R.win({ name: 'row_number', args: [], ret: 'int8', evaluate: (p) => perRow(p, (i) => BigInt(i + 1)) });
R.win({ name: 'rank', args: [], ret: 'int8', evaluate: (p) => perRow(p, (i) => BigInt(p.peerGroup(i).first + 1)) });
R.win({ name: 'dense_rank', args: [], ret: 'int8', evaluate: (p) => perRow(p, (i) => BigInt(p.peerGroup(i).index + 1)) });
R.win({ name: 'percent_rank', args: [], ret: 'float8', evaluate: (p) => perRow(p, (i) => (p.size > 1 ? p.peerGroup(i).first / (p.size - 1) : 0)) });
R.win({ name: 'cume_dist', args: [], ret: 'float8', evaluate: (p) => perRow(p, (i) => (p.peerGroup(i).last + 1) / p.size) });

R.win({
  name: 'ntile',
  args: ['int4'],
  ret: 'int4',
  // As PostgreSQL: the bucket count is read once, on the partition's first row.
  evaluate: (p) => {
    const buckets = p.size > 0 ? p.argument(0, 0) : null;
    if (buckets === null) return perRow(p, () => null);
    const n = buckets as number;
    if (n <= 0) throw new SqlError(SqlState.invalidArgumentForNtile, 'argument of ntile must be greater than zero');
    const perBucket = Math.floor(p.size / n);
    const larger = p.size % n;
    return perRow(p, (i) => {
      // The first `larger` buckets hold one row more.
      const boundary = larger * (perBucket + 1);
      return i < boundary ? Math.floor(i / (perBucket + 1)) + 1 : larger + Math.floor((i - boundary) / Math.max(perBucket, 1)) + 1;
    });
  },
});

/** lag/lead: the value `offset` rows before (lag) or after (lead), else the default. */
function shifted(p: WindowPartition, direction: -1 | 1, argCount: number): SqlValue[] {
  return perRow(p, (i) => {
    const offset = argCount >= 2 ? p.argument(1, i) : 1;
    if (offset === null) return null;
    const target = i + direction * (offset as number);
    if (target < 0 || target >= p.size) return argCount >= 3 ? p.argument(2, i) : null;
    return p.argument(0, target);
  });
}

for (const [name, direction] of [['lag', -1], ['lead', 1]] as const) {
  R.win({ name, args: ['anyelement'], ret: 'anyelement', evaluate: (p) => shifted(p, direction, 1) });
  R.win({ name, args: ['anyelement', 'int4'], ret: 'anyelement', evaluate: (p) => shifted(p, direction, 2) });
  R.win({ name, args: ['anyelement', 'int4', 'anyelement'], ret: 'anyelement', evaluate: (p) => shifted(p, direction, 3) });
}

/** The `n`th row (1-based) of a frame from its start (or from its end when `fromEnd`), or null. */
function nthFrameRow(frame: WindowFrameRows, n: number, fromEnd: boolean): number | null {
  let seen = 0;
  if (fromEnd) {
    for (let j = frame.last; j >= frame.first; j--) if (!frame.excludes(j) && ++seen === n) return j;
  } else {
    for (let j = frame.first; j <= frame.last; j++) if (!frame.excludes(j) && ++seen === n) return j;
  }
  return null;
}

R.win({
  name: 'first_value',
  args: ['anyelement'],
  ret: 'anyelement',
  evaluate: (p) =>
    perRow(p, (i) => {
      const row = nthFrameRow(p.frame(i), 1, false);
      return row === null ? null : p.argument(0, row);
    }),
});
R.win({
  name: 'last_value',
  args: ['anyelement'],
  ret: 'anyelement',
  evaluate: (p) =>
    perRow(p, (i) => {
      const row = nthFrameRow(p.frame(i), 1, true);
      return row === null ? null : p.argument(0, row);
    }),
});
R.win({
  name: 'nth_value',
  args: ['anyelement', 'int4'],
  ret: 'anyelement',
  evaluate: (p) =>
    perRow(p, (i) => {
      const n = p.argument(1, i);
      if (n === null) return null;
      if ((n as number) <= 0) throw new SqlError(SqlState.invalidArgumentForNthValue, 'argument of nth_value must be greater than zero');
      const row = nthFrameRow(p.frame(i), n as number, false);
      return row === null ? null : p.argument(0, row);
    }),
});
