/**
 * Aggregate functions with PostgreSQL's result types: count → int8, sum(int2/int4) → int8,
 * sum(int8) → numeric, avg(integers) → numeric, avg(floats) → float8, min/max keep the input type.
 */
import { SqlError, SqlState } from '../../errors.js';
import { formatText } from '../../types/codec.js';
import { Numeric } from '../../types/numeric.js';
import { Jsonb, SqlArray, type Interval, type JsonbNode, type SqlValue } from '../../types/values.js';
import type { TypeRef } from '../../types/registry.js';
import { compareValues, numericAdd, numericDiv } from '../value-ops.js';
import { BUILTINS as R } from './registry.js';
import { checkFloat } from './operators.js';
import { makeJsonbObject, toJsonbNode, toJsonText } from './json.js';
import { integerOutOfRange } from '../../types/integer.js';

interface Box<T> {
  value: T;
}

R.agg({ name: 'count', args: [], ret: 'int8', strict: false, init: () => ({ value: 0n }), step: (s) => ((s as Box<bigint>).value++, s), final: (s) => (s as Box<bigint>).value });
R.agg({ name: 'count', args: ['any'], ret: 'int8', strict: true, init: () => ({ value: 0n }), step: (s) => ((s as Box<bigint>).value++, s), final: (s) => (s as Box<bigint>).value });

// sum over integers accumulates exactly in a bigint.
for (const [t, ret] of [['int2', 'int8'], ['int4', 'int8'], ['int8', 'numeric']] as const) {
  R.agg({
    name: 'sum',
    args: [t],
    ret,
    strict: true,
    init: () => ({ value: null as bigint | null }),
    step: (s, [v]) => {
      const b = s as Box<bigint | null>;
      b.value = (b.value ?? 0n) + BigInt(v as number | bigint);
      return b;
    },
    final: (s) => {
      const v = (s as Box<bigint | null>).value;
      if (v === null) return null;
      if (ret === 'int8') {
        if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) throw integerOutOfRange('int8');
        return v;
      }
      return Numeric.of(v, 0);
    },
  });
}
for (const t of ['float4', 'float8'] as const) {
  R.agg({
    name: 'sum',
    args: [t],
    ret: t,
    strict: true,
    init: () => ({ value: null as number | null }),
    step: (s, [v]) => {
      const b = s as Box<number | null>;
      b.value = checkFloat((b.value ?? 0) + (v as number), !Number.isFinite(v as number), true, t === 'float4');
      return b;
    },
    final: (s) => (s as Box<number | null>).value,
  });
}
R.agg({
  name: 'sum',
  args: ['numeric'],
  ret: 'numeric',
  strict: true,
  init: () => ({ value: null as Numeric | null }),
  step: (s, [v]) => {
    const b = s as Box<Numeric | null>;
    b.value = b.value === null ? (v as Numeric) : numericAdd(b.value, v as Numeric);
    return b;
  },
  final: (s) => (s as Box<Numeric | null>).value,
});
R.agg({
  name: 'sum',
  args: ['interval'],
  ret: 'interval',
  strict: true,
  init: () => ({ value: null as Interval | null }),
  step: (s, [v]) => {
    const b = s as Box<Interval | null>;
    const i = v as Interval;
    b.value = b.value === null ? i : { months: b.value.months + i.months, days: b.value.days + i.days, micros: b.value.micros + i.micros };
    return b;
  },
  final: (s) => (s as Box<Interval | null>).value,
});

interface AvgState {
  sum: bigint | number | Numeric | Interval | null;
  count: bigint;
}
for (const t of ['int2', 'int4', 'int8'] as const) {
  R.agg({
    name: 'avg',
    args: [t],
    ret: 'numeric',
    strict: true,
    init: (): AvgState => ({ sum: 0n, count: 0n }),
    step: (s, [v]) => {
      const a = s as AvgState;
      a.sum = (a.sum as bigint) + BigInt(v as number | bigint);
      a.count++;
      return a;
    },
    final: (s) => {
      const a = s as AvgState;
      if (a.count === 0n) return null;
      return numericDiv(Numeric.of(a.sum as bigint, 0), Numeric.of(a.count, 0));
    },
  });
}
for (const t of ['float4', 'float8'] as const) {
  R.agg({
    name: 'avg',
    args: [t],
    ret: 'float8',
    strict: true,
    init: (): AvgState => ({ sum: 0, count: 0n }),
    step: (s, [v]) => {
      const a = s as AvgState;
      a.sum = (a.sum as number) + (v as number);
      a.count++;
      return a;
    },
    final: (s) => {
      const a = s as AvgState;
      return a.count === 0n ? null : (a.sum as number) / Number(a.count);
    },
  });
}
R.agg({
  name: 'avg',
  args: ['numeric'],
  ret: 'numeric',
  strict: true,
  init: (): AvgState => ({ sum: null, count: 0n }),
  step: (s, [v]) => {
    const a = s as AvgState;
    a.sum = a.sum === null ? (v as Numeric) : numericAdd(a.sum as Numeric, v as Numeric);
    a.count++;
    return a;
  },
  final: (s) => {
    const a = s as AvgState;
    return a.count === 0n ? null : numericDiv(a.sum as Numeric, Numeric.of(a.count, 0));
  },
});

for (const t of ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'oid', 'anyarray', 'bool', 'uuid', 'bytea']) {
  // bool has bool_and/bool_or rather than min/max in PostgreSQL; skip it for min/max.
  if (t === 'bool' || t === 'uuid' || t === 'bytea') continue;
  for (const [name, keep] of [['min', (c: number) => c < 0], ['max', (c: number) => c > 0]] as const) {
    R.agg({
      name,
      args: [t],
      ret: t,
      resultType: (types) => types[0]!,
      strict: true,
      init: () => ({ value: null as SqlValue }),
      step: (s, [v], _ctx, types) => {
        const b = s as Box<SqlValue>;
        if (b.value === null || keep(compareValues(types[0]!.oid, v!, b.value))) b.value = v!;
        return b;
      },
      final: (s) => (s as Box<SqlValue>).value,
    });
  }
}

for (const [name, isAnd] of [['bool_and', true], ['every', true], ['bool_or', false]] as const) {
  R.agg({
    name,
    args: ['bool'],
    ret: 'bool',
    strict: true,
    init: () => ({ value: null as boolean | null }),
    step: (s, [v]) => {
      const b = s as Box<boolean | null>;
      b.value = b.value === null ? (v as boolean) : isAnd ? b.value && (v as boolean) : b.value || (v as boolean);
      return b;
    },
    final: (s) => (s as Box<boolean | null>).value,
  });
}

R.agg({
  name: 'string_agg',
  args: ['text', 'text'],
  ret: 'text',
  strict: false,
  init: () => ({ value: null as string | null }),
  step: (s, [v, d]) => {
    const b = s as Box<string | null>;
    if (v === null) return b;
    b.value = b.value === null ? (v as string) : b.value + ((d as string | null) ?? '') + (v as string);
    return b;
  },
  final: (s) => (s as Box<string | null>).value,
});
R.agg({
  name: 'string_agg',
  args: ['bytea', 'bytea'],
  ret: 'bytea',
  strict: false,
  init: () => ({ value: null as Buffer | null }),
  step: (s, [v, d]) => {
    const b = s as Box<Buffer | null>;
    if (v === null) return b;
    b.value = b.value === null ? Buffer.from(v as Uint8Array) : Buffer.concat([b.value, (d as Uint8Array | null) ?? new Uint8Array(), v as Uint8Array]);
    return b;
  },
  final: (s) => (s as Box<Buffer | null>).value,
});

R.agg({
  name: 'array_agg',
  args: ['anynonarray'],
  ret: 'anyarray',
  strict: false,
  init: () => ({ value: [] as SqlValue[] }),
  step: (s, [v]) => {
    (s as Box<SqlValue[]>).value.push(v ?? null);
    return s;
  },
  final: (s, _ctx, types: readonly TypeRef[]) => {
    const values = (s as Box<SqlValue[]>).value;
    // A copy: a window aggregate keeps stepping the same state after reading a result.
    return values.length === 0 ? null : new SqlArray(types[0]!.oid, [...values]);
  },
});

R.agg({
  name: 'jsonb_agg',
  args: ['anyelement'],
  ret: 'jsonb',
  strict: false,
  init: () => ({ value: [] as JsonbNode[] }),
  step: (s, [v], ctx, types) => {
    (s as Box<JsonbNode[]>).value.push(toJsonbNode(v ?? null, types[0]!.oid, ctx.codec));
    return s;
  },
  final: (s) => ((s as Box<JsonbNode[]>).value.length === 0 ? null : new Jsonb([...(s as Box<JsonbNode[]>).value])),
});
R.agg({
  name: 'json_agg',
  args: ['anyelement'],
  ret: 'json',
  strict: false,
  init: () => ({ value: [] as string[] }),
  step: (s, [v], ctx, types) => {
    (s as Box<string[]>).value.push(toJsonText(v ?? null, types[0]!.oid, ctx.codec));
    return s;
  },
  final: (s) => ((s as Box<string[]>).value.length === 0 ? null : `[${(s as Box<string[]>).value.join(', ')}]`),
});
R.agg({
  name: 'jsonb_object_agg',
  args: ['any', 'any'],
  ret: 'jsonb',
  strict: false,
  init: () => ({ value: [] as Array<[string, JsonbNode]> }),
  step: (s, [k, v], ctx, types) => {
    if (k === null) throw new SqlError(SqlState.invalidParameterValue, 'field name must not be null');
    (s as Box<Array<[string, JsonbNode]>>).value.push([formatText(types[0]!.oid, k, ctx.codec), toJsonbNode(v ?? null, types[1]!.oid, ctx.codec)]);
    return s;
  },
  final: (s) => ((s as Box<unknown[]>).value.length === 0 ? null : new Jsonb(makeJsonbObject((s as Box<Array<[string, JsonbNode]>>).value))),
});
R.agg({
  name: 'json_object_agg',
  args: ['any', 'any'],
  ret: 'json',
  strict: false,
  init: () => ({ value: [] as string[] }),
  step: (s, [k, v], ctx, types) => {
    if (k === null) throw new SqlError(SqlState.invalidParameterValue, 'field name must not be null');
    (s as Box<string[]>).value.push(`${JSON.stringify(formatText(types[0]!.oid, k, ctx.codec))} : ${toJsonText(v ?? null, types[1]!.oid, ctx.codec)}`);
    return s;
  },
  final: (s) => ((s as Box<string[]>).value.length === 0 ? null : `{ ${(s as Box<string[]>).value.join(', ')} }`),
});

