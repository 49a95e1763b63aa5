/**
 * compareValues sorts like PostgreSQL's ORDER BY, and hashKey/compareValues agree with PostgreSQL's
 * = operator, for every type with a btree operator class.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessPostgres } from '../support/storages.js';
import { Oid } from '../../src/types/oids.js';
import { formatText, parseText } from '../../src/types/codec.js';
import { compareValues, hashKey } from '../../src/types/compare.js';
import { closeReference, referenceClient } from './reference.js';

const skip = await skipUnlessPostgres();

const ORDER_CASES: Array<[string, number, string[]]> = [
  ['bool', Oid.bool, ['t', 'f']],
  ['int4', Oid.int4, ['5', '-3', '0', '2147483647', '-2147483648', '42']],
  ['int8', Oid.int8, ['9223372036854775807', '-9223372036854775808', '1', '-1', '0']],
  ['float8', Oid.float8, ['NaN', 'Infinity', '-Infinity', '0', '1.5', '-2.5', '1e300', '-1e-300', '5e-324']],
  ['float4', Oid.float4, ['NaN', 'Infinity', '-Infinity', '0', '1.5', '-2.5', '1e30']],
  ['numeric', Oid.numeric, ['NaN', 'Infinity', '-Infinity', '0', '1.5', '-2.5', '1e100', '0.000001', '-0.000001', '123456789012345678901234567890', '1.25']],
  ['text', Oid.text, ['b', 'a', 'B', '', 'ab', 'a b', 'é', 'e', 'z', '😀', '\uffff', '\ue000', '日本', 'a\u0001', 'A']],
  ['varchar', Oid.varchar, ['b', 'a', 'é', '😀', '\uffff']],
  ['bpchar', Oid.bpchar, ['b', 'a', 'a\u0001', 'ab', 'é']],
  ['name', Oid.name, ['pg_class', 'pg_attribute', 'Z', 'a']],
  ['bytea', Oid.bytea, ['\\x', '\\x00', '\\xff', '\\x0001', '\\x01', '\\x7f80']],
  ['uuid', Oid.uuid, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a10']],
  ['date', Oid.date, ['2024-01-02', 'infinity', '-infinity', '1970-01-01', '0001-01-01 BC', '2000-02-29']],
  ['timestamp', Oid.timestamp, ['2024-01-02 03:04:05', 'infinity', '-infinity', '1970-01-01', '2024-01-02 03:04:05.000001']],
  ['timestamptz', Oid.timestamptz, ['2024-01-02 03:04:05+00', '2024-01-02 03:04:05+05', 'infinity', '-infinity']],
  ['time', Oid.time, ['00:00', '24:00', '12:00', '12:00:00.5']],
  ['interval', Oid.interval, ['1 day', '25 hours', '1 mon 1 day', '-1 year', '0', '1 year', '00:00:00.000001', '-1 day 25 hours']],
  ['jsonb', Oid.jsonb, [
    'null', 'true', 'false', '1', '2.5', '-1', '"a"', '"b"', '""', '[]', '[1]', '[1,2]', '[null]', '["a"]', '[true]', '[[1]]', '{}',
    '{"a":1}', '{"b":1}', '{"a":2}', '{"aa":1,"c":1}', '{"b":1,"d":1}', '{"a":1,"b":2}', '[{}]', '[[]]', '{"a":[]}', '{"a":{}}', '{"a":null}',
  ]],
  ['int4[]', Oid._int4, ['{}', '{1}', '{1,2}', '{2}', '{1,NULL}', '{NULL}', '{NULL,1}', '{{1,2},{3,4}}', '{1,2,3,4}', '[0:1]={1,2}', '{0}', '{1,1}']],
  ['text[]', Oid._text, ['{}', '{a}', '{a,b}', '{b}', '{é}', '{😀}', '{NULL}']],
  ['numeric[]', Oid._numeric, ['{1.5}', '{NaN}', '{-1}', '{1.5,0}']],
];

describe('ordering and equality match PostgreSQL', { skip }, () => {
  after(closeReference);

  for (const [typeName, oid, inputs] of ORDER_CASES) {
    test(`${typeName}: compareValues sorts like ORDER BY`, async () => {
      const client = await referenceClient();
      const res = await client.query<{ v: string }>(
        `SELECT q.v::text AS v FROM unnest($1::text[]) AS s(t), LATERAL (SELECT s.t::${typeName} AS v) q ORDER BY q.v`,
        [inputs],
      );
      // Normalize PostgreSQL's ::text (bool prints true/false there) through our own output.
      const expected = res.rows.map((r) => formatText(oid, parseText(oid, r.v)));
      const values = inputs.map((s) => parseText(oid, s));
      const sorted = [...values].sort((a, b) => compareValues(oid, a, b)).map((v) => formatText(oid, v));
      assert.deepEqual(sorted, expected);
    });
  }

  test('equality and hash keys agree with PostgreSQL =', async () => {
    const pairs: Array<[string, number, string, string]> = [
      ['numeric', Oid.numeric, '1.0', '1.00'], ['numeric', Oid.numeric, '1', '1.000001'], ['numeric', Oid.numeric, 'NaN', 'NaN'],
      ['numeric', Oid.numeric, '-0', '0.0'], ['float8', Oid.float8, '0', '-0'], ['float8', Oid.float8, 'NaN', 'NaN'],
      ['float8', Oid.float8, '0.1', '0.10000000000000001'], ['float4', Oid.float4, '-0', '0'], ['bpchar', Oid.bpchar, 'a', 'a   '],
      ['bpchar', Oid.bpchar, 'a', ' a'], ['text', Oid.text, 'a', 'a '], ['interval', Oid.interval, '1 mon', '30 days'],
      ['interval', Oid.interval, '1 day', '24 hours'], ['interval', Oid.interval, '1 year', '360 days'], ['interval', Oid.interval, '1 year', '365 days'],
      ['jsonb', Oid.jsonb, '{"a":1.0}', '{"a":1}'], ['jsonb', Oid.jsonb, '[1,2]', '[2,1]'], ['jsonb', Oid.jsonb, '{"a":1,"b":2}', '{"b":2,"a":1}'],
      ['timestamptz', Oid.timestamptz, '2024-01-02 03:00+02', '2024-01-02 01:00+00'], ['int4[]', Oid._int4, '{1,2}', '[0:1]={1,2}'],
      ['numeric[]', Oid._numeric, '{1.0}', '{1}'], ['uuid', Oid.uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
      ['bytea', Oid.bytea, '\\x41', 'A'], ['date', Oid.date, 'infinity', 'infinity'], ['bool', Oid.bool, 'yes', 'true'],
    ];
    const client = await referenceClient();
    for (const [typeName, oid, a, b] of pairs) {
      const res = await client.query<{ eq: string }>(`SELECT ($1::${typeName} = $2::${typeName})::text AS eq`, [a, b]);
      const pgEqual = res.rows[0]!.eq === 'true';
      const va = parseText(oid, a);
      const vb = parseText(oid, b);
      assert.equal(compareValues(oid, va, vb) === 0, pgEqual, `compareValues ${typeName} ${a} = ${b}`);
      assert.equal(hashKey(oid, va) === hashKey(oid, vb), pgEqual, `hashKey ${typeName} ${a} = ${b}`);
    }
  });
});
