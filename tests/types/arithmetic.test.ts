/**
 * Numeric arithmetic and date/time arithmetic compared with the real PostgreSQL on generated cases:
 * + − × ÷ mod round trunc on numerics of many scales, float ↔ numeric casts; timestamp ± interval in
 * several zones, timestamp differences, age, date_trunc, extract, justify_*, interval × ÷ number.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessPostgres } from '../support/storages.js';
import { Oid } from '../../src/types/oids.js';
import { DEFAULT_CODEC_CONTEXT, formatText, parseText, type CodecContext } from '../../src/types/codec.js';
import { Numeric } from '../../src/types/numeric.js';
import { SqlError } from '../../src/errors.js';
import {
  extractFromDate, extractFromInterval, extractFromTimestamp, extractFromTimestamptz, timestampAge, timestampDifference,
  timestampPlusInterval, timestampMinusInterval, timestampTrunc, timestamptzAge, timestamptzPlusInterval, timestamptzTrunc, intervalTrunc,
} from '../../src/types/datetime.js';
import { intervalDiv, intervalMul, justifyDays, justifyHours, justifyInterval } from '../../src/types/interval.js';
import type { Interval } from '../../src/types/values.js';
import { closeReference, referenceClient, settingsSql } from './reference.js';

const skip = await skipUnlessPostgres();

let seed = 20240601;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randInt(n: number): number {
  return Math.floor(rnd() * n);
}

function randomNumeric(): string {
  const r = rnd();
  if (r < 0.03) return 'NaN';
  if (r < 0.05) return 'Infinity';
  if (r < 0.07) return '-Infinity';
  if (r < 0.1) return '0';
  const intDigits = randInt(25);
  const fracDigits = randInt(12);
  let s = '';
  for (let i = 0; i < intDigits; i++) s += String(randInt(10));
  s = s.replace(/^0+/, '') || '0';
  if (fracDigits) {
    s += '.';
    for (let i = 0; i < fracDigits; i++) s += String(randInt(10));
  }
  return rnd() < 0.4 ? `-${s}` : s;
}

/** Runs fn and turns a SqlError into "ERROR <code> <message>", as the reference query reports errors. */
function outcome(fn: () => string | null): string | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SqlError) return `ERROR ${e.code} ${e.message}`;
    throw e;
  }
}

describe('arithmetic matches PostgreSQL', { skip }, () => {
  after(closeReference);

  test('numeric + - * / % round trunc on 400 generated pairs', async () => {
    const as: string[] = [];
    const bs: string[] = [];
    for (let i = 0; i < 400; i++) {
      as.push(randomNumeric());
      bs.push(randomNumeric());
    }
    const ks = as.map(() => randInt(12) - 4);
    const client = await referenceClient();
    const res = await client.query<Record<string, string | null>>(
      `SELECT (a + b)::text AS add, (a - b)::text AS sub, (a * b)::text AS mul,
              CASE WHEN b <> 0 THEN (a / b)::text END AS div, CASE WHEN b <> 0 AND a <> 'Infinity' AND a <> '-Infinity' THEN (a % b)::text END AS mod,
              round(a, k)::text AS round, trunc(a, k)::text AS trunc, (a < b)::text AS lt, abs(a)::text AS abs, (-a)::text AS neg,
              CASE WHEN b <> 0 THEN div(a, b)::text END AS divint, ceil(a)::text AS ceil, floor(a)::text AS floor
         FROM unnest($1::numeric[], $2::numeric[], $3::int[]) AS t(a, b, k)`,
      [as, bs, ks],
    );
    const failures: string[] = [];
    res.rows.forEach((row, i) => {
      const a = Numeric.parse(as[i]!)!;
      const b = Numeric.parse(bs[i]!)!;
      const check = (name: string, ours: string | null): void => {
        if (row[name] !== ours) failures.push(`${name}(${as[i]}, ${bs[i]}): postgres ${row[name]} polygres ${ours}`);
      };
      check('add', a.add(b).toString());
      check('sub', a.sub(b).toString());
      check('mul', a.mul(b).toString());
      check('div', b.sign() !== 0 ? a.div(b).toString() : null);
      check('mod', b.sign() !== 0 && !a.isInfinite ? a.mod(b).toString() : null);
      check('round', a.round(ks[i]!).toString());
      check('trunc', a.trunc(ks[i]!).toString());
      check('lt', String(a.compare(b) < 0));
      check('abs', a.abs().toString());
      check('neg', a.neg().toString());
      check('divint', b.sign() !== 0 ? a.divTrunc(b).toString() : null);
      check('ceil', a.ceil().toString());
      check('floor', a.floor().toString());
    });
    assert.deepEqual(failures.slice(0, 30), []);
  });

  test('sqrt on generated values', async () => {
    const values = ['0', '0.00', '1', '2', '4', '0.0001', '1e-20', '1e20', '123456789.123456789', '2.5', 'NaN', 'Infinity', '-1', '-Infinity', '0.5', '99999999999999999999999999', '1e-1000'];
    for (let i = 0; i < 150; i++) values.push(randomNumeric().replace('-', ''));
    const client = await referenceClient();
    const res = await client.query<{ v: string; r: string | null; e: string | null }>(
      `SELECT v, CASE WHEN v::numeric < 0 THEN NULL ELSE sqrt(v::numeric)::text END AS r FROM unnest($1::text[]) v`,
      [values],
    );
    const failures: string[] = [];
    for (const row of res.rows) {
      const ours = outcome(() => Numeric.parse(row.v)!.sqrt().toString());
      if (row.r === null) {
        if (!ours?.startsWith('ERROR 2201F cannot take square root of a negative number')) failures.push(`sqrt(${row.v}): expected error, got ${ours}`);
      } else if (row.r !== ours) failures.push(`sqrt(${row.v}): postgres ${row.r} polygres ${ours}`);
    }
    assert.deepEqual(failures.slice(0, 20), []);
  });

  test('round and trunc to a scale', async () => {
    const values = ['1234.5678', '-1234.5678', '0.5', '-0.5', '2.5', '999.9995', '0.0049', 'NaN', 'Infinity', '12345678901234567890.123456789'];
    const scales = [-3, -2, -1, 0, 1, 2, 3, 6];
    const client = await referenceClient();
    const res = await client.query<{ r: string; t: string }>(
      `SELECT round(v, s)::text AS r, trunc(v, s)::text AS t FROM unnest($1::numeric[]) v, unnest($2::int[]) s ORDER BY 1, 2`,
      [values, scales],
    );
    const ours: Array<{ r: string; t: string }> = [];
    for (const v of values) for (const s of scales) ours.push({ r: Numeric.parse(v)!.round(s).toString(), t: Numeric.parse(v)!.trunc(s).toString() });
    ours.sort((x, y) => (x.r < y.r ? -1 : x.r > y.r ? 1 : x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
    const theirs = [...res.rows].sort((x, y) => (x.r < y.r ? -1 : x.r > y.r ? 1 : x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
    assert.deepEqual(ours, theirs.map((r) => ({ r: r.r, t: r.t })));
  });

  test('float8/float4 → numeric and numeric → float8 casts', async () => {
    const floats = ['0.1', '0.30000000000000004', '1e20', '1.5e-7', '123456789.123456789', '-2.5', '1e-300', '3.141592653589793', '100000000000000000000000', '0.000123456789012345678'];
    const client = await referenceClient();
    const res = await client.query<{ n8: string; n4: string | null; back: string }>(
      `SELECT f::float8::numeric::text AS n8, CASE WHEN abs(f::float8) > 1e-30 OR f::float8 = 0 THEN f::float4::numeric::text END AS n4, f::numeric::float8::text AS back FROM unnest($1::text[]) f`,
      [floats],
    );
    res.rows.forEach((row, i) => {
      const x = Number(floats[i]);
      assert.equal(Numeric.fromNumber(x).toString(), row.n8, `float8 ${floats[i]}`);
      if (row.n4 !== null) assert.equal(Numeric.fromNumber(Math.fround(x), 6).toString(), row.n4, `float4 ${floats[i]}`);
      assert.equal(formatText(Oid.float8, Numeric.parse(floats[i]!)!.toNumber()), row.back, `back ${floats[i]}`);
    });
  });

  const ZONES = ['Etc/UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Berlin'];
  const TIMESTAMPS = [
    '2024-01-31 10:00:00', '2024-02-29 23:30:00', '2024-03-10 01:30:00', '2024-03-10 03:30:00', '2024-11-03 00:30:00', '2024-11-03 01:30:00',
    '2023-12-31 23:59:59.999999', '2000-01-01 00:00:00', '1969-07-20 20:17:40', '2024-04-06 02:30:00', '2024-10-06 01:45:00', '0001-03-01 00:00:00 BC',
    '1900-02-28 12:00', '2038-01-19 03:14:07', 'infinity',
  ];
  const INTERVALS = ['1 month', '-1 month', '1 day', '1 year 1 month 1 day 1 hour', '-1 day -1 hour', '30 days', '24 hours', '1 mon -1 day', '36 hours', '00:00:00.000001', '13 months 45 days 100:00:00'];

  for (const timeZone of ZONES) {
    test(`timestamp/timestamptz ± interval, differences, age, trunc and extract in ${timeZone}`, async () => {
      const c: CodecContext = { ...DEFAULT_CODEC_CONTEXT, timeZone };
      const client = await referenceClient();
      await client.query('BEGIN');
      const failures: string[] = [];
      try {
        await client.query(settingsSql(c));
        for (const t of TIMESTAMPS) {
          for (const i of INTERVALS) {
            const r = await client.query<Record<string, string | null>>(
              `SELECT ($1::timestamp + $2::interval)::text AS ts_plus, ($1::timestamp - $2::interval)::text AS ts_minus,
                      ($1::timestamptz + $2::interval)::text AS tz_plus`,
              [t, i],
            ).then((x) => x.rows[0]!, (e: { code: string; message: string }) => ({ ts_plus: `ERROR ${e.code} ${e.message}`, ts_minus: null, tz_plus: null }));
            const ts = parseText(Oid.timestamp, t, -1, c) as bigint;
            const tz = parseText(Oid.timestamptz, t, -1, c) as bigint;
            const iv = parseText(Oid.interval, i, -1, c) as Interval;
            const ours = {
              ts_plus: outcome(() => formatText(Oid.timestamp, timestampPlusInterval(ts, iv), c)),
              ts_minus: outcome(() => formatText(Oid.timestamp, timestampMinusInterval(ts, iv), c)),
              tz_plus: outcome(() => formatText(Oid.timestamptz, timestamptzPlusInterval(tz, iv, timeZone), c)),
            };
            if (r.ts_plus?.startsWith('ERROR')) {
              if (!ours.ts_plus?.startsWith('ERROR')) failures.push(`${t} + ${i}: postgres ${r.ts_plus}, polygres ${JSON.stringify(ours)}`);
              continue;
            }
            for (const k of ['ts_plus', 'ts_minus', 'tz_plus'] as const) {
              if (r[k] !== ours[k]) failures.push(`${k} ${t} ${i}: postgres ${r[k]} polygres ${ours[k]}`);
            }
          }
        }
        const finite = TIMESTAMPS.filter((s) => s !== 'infinity');
        const pairs = await client.query<Record<string, string>>(
          `SELECT a, b, (a::timestamp - b::timestamp)::text AS diff, age(a::timestamp, b::timestamp)::text AS age,
                  (a::timestamptz - b::timestamptz)::text AS tzdiff, age(a::timestamptz, b::timestamptz)::text AS tzage
             FROM unnest($1::text[]) a, unnest($1::text[]) b`,
          [finite],
        );
        for (const row of pairs.rows) {
          const a = parseText(Oid.timestamp, row.a!, -1, c) as bigint;
          const b = parseText(Oid.timestamp, row.b!, -1, c) as bigint;
          const za = parseText(Oid.timestamptz, row.a!, -1, c) as bigint;
          const zb = parseText(Oid.timestamptz, row.b!, -1, c) as bigint;
          const ours = {
            diff: formatText(Oid.interval, timestampDifference(a, b), c),
            age: formatText(Oid.interval, timestampAge(a, b), c),
            tzdiff: formatText(Oid.interval, timestampDifference(za, zb), c),
            tzage: formatText(Oid.interval, timestamptzAge(za, zb, timeZone), c),
          };
          for (const k of ['diff', 'age', 'tzdiff', 'tzage'] as const) {
            if (row[k] !== ours[k]) failures.push(`${k}(${row.a}, ${row.b}): postgres ${row[k]} polygres ${ours[k]}`);
          }
        }
        const units = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium'];
        const fields = [...units, 'dow', 'isodow', 'doy', 'epoch', 'julian', 'isoyear', 'timezone', 'timezone_hour', 'timezone_minute'];
        const trunc = await client.query<Record<string, string>>(
          `SELECT t, u, date_trunc(u, t::timestamp)::text AS ts, date_trunc(u, t::timestamptz)::text AS tz FROM unnest($1::text[]) t, unnest($2::text[]) u`,
          [TIMESTAMPS, units],
        );
        for (const row of trunc.rows) {
          const ts = parseText(Oid.timestamp, row.t!, -1, c) as bigint;
          const tz = parseText(Oid.timestamptz, row.t!, -1, c) as bigint;
          const ours = { ts: formatText(Oid.timestamp, timestampTrunc(row.u!, ts), c), tz: formatText(Oid.timestamptz, timestamptzTrunc(row.u!, tz, timeZone), c) };
          if (row.ts !== ours.ts || row.tz !== ours.tz) failures.push(`date_trunc(${row.u}, ${row.t}): postgres ${row.ts} / ${row.tz} polygres ${ours.ts} / ${ours.tz}`);
        }
        const extract = await client.query<Record<string, string | null>>(
          `SELECT t, f, "extract"(f, t::timestamptz)::text AS tz,
                  CASE WHEN f NOT LIKE 'timezone%' THEN "extract"(f, t::timestamp)::text END AS ts,
                  CASE WHEN f NOT IN ('microseconds','milliseconds','second','minute','hour','timezone','timezone_hour','timezone_minute') THEN "extract"(f, t::date)::text END AS d
             FROM unnest($1::text[]) t, unnest($2::text[]) f`,
          [TIMESTAMPS, fields],
        );
        for (const row of extract.rows) {
          const t = row.t!;
          const f = row.f!;
          const tz = extractFromTimestamptz(f, parseText(Oid.timestamptz, t, -1, c) as bigint, timeZone);
          const ts = f.startsWith('timezone') ? null : extractFromTimestamp(f, parseText(Oid.timestamp, t, -1, c) as bigint);
          const d = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'timezone', 'timezone_hour', 'timezone_minute'].includes(f) ? null : extractFromDate(f, parseText(Oid.date, t, -1, c) as number);
          const show = (n: Numeric | null): string | null => (n === null ? null : n.toString());
          if (row.tz !== show(tz) || row.ts !== show(ts) || row.d !== show(d)) {
            failures.push(`extract(${f} from ${t}): postgres ${row.tz}/${row.ts}/${row.d} polygres ${show(tz)}/${show(ts)}/${show(d)}`);
          }
        }
      } finally {
        await client.query('ROLLBACK');
      }
      assert.deepEqual(failures.slice(0, 25), []);
    });
  }

  test('interval justify, multiply, divide, extract and trunc', async () => {
    const intervals = [...INTERVALS, '-1 year 2 months -3 days 04:05:06.789', '1 mon 35 days -50 hours', '-29 days 47:59:59', '123 days 456:07:08.9', '0', '1.5 months', '7 days -1 second'];
    const factors = [1.5, -2, 0.1, 3, 1 / 3, 0.5];
    const fields = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'epoch'];
    const client = await referenceClient();
    const failures: string[] = [];
    const j = await client.query<Record<string, string>>(
      `SELECT i, justify_hours(i::interval)::text AS h, justify_days(i::interval)::text AS d, justify_interval(i::interval)::text AS ji FROM unnest($1::text[]) i`,
      [intervals],
    );
    for (const row of j.rows) {
      const iv = parseText(Oid.interval, row.i!) as Interval;
      const ours = { h: formatText(Oid.interval, justifyHours(iv)), d: formatText(Oid.interval, justifyDays(iv)), ji: formatText(Oid.interval, justifyInterval(iv)) };
      for (const k of ['h', 'd', 'ji'] as const) if (row[k] !== ours[k]) failures.push(`${k}(${row.i}): postgres ${row[k]} polygres ${ours[k]}`);
    }
    const m = await client.query<Record<string, string>>(
      `SELECT i, f, (i::interval * f)::text AS mul, (i::interval / f)::text AS div FROM unnest($1::text[]) i, unnest($2::float8[]) f`,
      [intervals, factors],
    );
    for (const row of m.rows) {
      const iv = parseText(Oid.interval, row.i!) as Interval;
      const f = Number(row.f);
      const ours = { mul: formatText(Oid.interval, intervalMul(iv, f)), div: formatText(Oid.interval, intervalDiv(iv, f)) };
      for (const k of ['mul', 'div'] as const) if (row[k] !== ours[k]) failures.push(`${k}(${row.i}, ${row.f}): postgres ${row[k]} polygres ${ours[k]}`);
    }
    const e = await client.query<Record<string, string>>(
      `SELECT i, f, "extract"(f, i::interval)::text AS v, date_trunc(CASE WHEN f = 'epoch' THEN 'day' ELSE f END, i::interval)::text AS t
         FROM unnest($1::text[]) i, unnest($2::text[]) f`,
      [intervals, fields],
    );
    for (const row of e.rows) {
      const iv = parseText(Oid.interval, row.i!) as Interval;
      const v = extractFromInterval(row.f!, iv).toString();
      const t = formatText(Oid.interval, intervalTrunc(row.f === 'epoch' ? 'day' : row.f!, iv));
      if (row.v !== v || row.t !== t) failures.push(`extract/trunc(${row.f}, ${row.i}): postgres ${row.v} ${row.t} polygres ${v} ${t}`);
    }
    assert.deepEqual(failures.slice(0, 25), []);
  });
});
