/**
 * Arrays (text and binary) compared with PostgreSQL's array_in/array_out/array_send, and binary
 * round trips decodeBinary(encodeBinary(v)) for every supported type.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessPostgres } from '../support/storages.js';
import { Oid } from '../../src/types/oids.js';
import { DEFAULT_CODEC_CONTEXT, decodeBinary, encodeBinary, formatText, parseText } from '../../src/types/codec.js';
import { SqlError } from '../../src/errors.js';
import { assertNoMismatches, closeReference, compareInputs } from './reference.js';

const skip = await skipUnlessPostgres();

const INT_ARRAYS = [
  '{}', '{1,2,3}', '{ 1 , 2 ,3 }', '{{1,2},{3,4}}', '{{1,2},{3}}', '{{1},{2},{3}}', '[0:1]={1,2}', '[-2:-1]={1,2}', '[1:2][3:4]={{1,2},{3,4}}',
  '[1:3]={1,2}', '[2:1]={}', '{NULL,1,null}', '{"1","2"}', '{1,2', '{1,,2}', '{,1}', '{1,}', '1,2', '', ' {1} ', '{1} x', '{{1},2}', '{1,{2}}',
  '{a}', '{99999999999}', '{{{{{{{1}}}}}}}', '{{{{{{1}}}}}}', '[1:1]{1}', '[1:a]={1}', '[1]={1}', '[1:1]={1} ', '{"NULL"}', '{{}}',
  '{ }', '[0:0]={7}', '{1 2}', '{"1" 2}', '{\\1}',
];

const TEXT_ARRAYS = [
  '{}', '{a,b,c}', '{"a b","c,d","e\\"f","g\\\\h"}', '{NULL,"NULL",null,"null",NuLL}', '{"",a}', '{ a b , c }', '{a\\,b}', '{a\\ }',
  '{"a"b}', '{"{}"}', '{{a,b},{c,d}}', '{é,日本,😀}', '{"\\\\x"}', '{\\"}', '{a"b}', '{  "x"  }', '{\t a \n}', '{"a\tb"}',
  '[0:2]={x,y,z}', '{{"a,b"}}',
];

function ctx(o: Partial<typeof DEFAULT_CODEC_CONTEXT>): typeof DEFAULT_CODEC_CONTEXT {
  return { ...DEFAULT_CODEC_CONTEXT, ...o };
}

describe('arrays match PostgreSQL', { skip }, () => {
  after(closeReference);

  test('int4[] text and binary', async () => {
    assertNoMismatches('int4[]', await compareInputs('int4[]', Oid._int4, -1, INT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('int8[]', await compareInputs('int8[]', Oid._int8, -1, INT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('int2[]', await compareInputs('int2[]', Oid._int2, -1, INT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('text[] quoting and escaping', async () => {
    assertNoMismatches('text[]', await compareInputs('text[]', Oid._text, -1, TEXT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('varchar(2)[]', await compareInputs('varchar(2)[]', Oid._varchar, 6, TEXT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('bpchar(3)[]', await compareInputs('bpchar(3)[]', Oid._bpchar, 7, ['{a,bb,"c  "}', '{abcd}', '{"ab  "}'], DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('name[]', await compareInputs('name[]', Oid._name, -1, TEXT_ARRAYS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('arrays of other element types', async () => {
    const cases: Array<[string, number, string[]]> = [
      ['bool[]', Oid._bool, ['{t,f,NULL}', '{true,yes,0}', '{maybe}']],
      ['float8[]', Oid._float8, ['{1.5,NaN,-Infinity,1e300,-0}', '{0.1,0.2}']],
      ['float4[]', Oid._float4, ['{1.5,NaN,-Infinity,1e30,-0}', '{0.1}']],
      ['numeric[]', Oid._numeric, ['{1.50,-2,NaN,Infinity}', '{{1.0},{2.00}}', '{abc}']],
      ['numeric(4,1)[]', Oid._numeric, ['{1.55,-2}', '{1234}']],
      ['bytea[]', Oid._bytea, ['{"\\\\x0102",NULL,abc}', '{"\\\\xzz"}']],
      ['uuid[]', Oid._uuid, ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,A0EEBC999C0B4EF8BB6D6BB9BD380A12}']],
      ['date[]', Oid._date, ['{2024-01-02,infinity,"Jan 3 2024",NULL}', '{2024-02-30}']],
      ['timestamp[]', Oid._timestamp, ['{"2024-01-02 03:04:05","2024-01-02 03:04:05.5",infinity}']],
      ['timestamptz[]', Oid._timestamptz, ['{"2024-01-02 03:04:05+02","2024-07-02 03:04:05 America/New_York"}']],
      ['time[]', Oid._time, ['{03:04:05,"12:00 pm"}']],
      ['interval[]', Oid._interval, ['{"1 day","2 mons -3 hours",P1Y}']],
      ['jsonb[]', Oid._jsonb, ['{"{\\"b\\":1,\\"a\\":[1,2]}",null,"\\"x\\""}', '{"{bad"}']],
      ['json[]', Oid._json, ['{"{\\"b\\":1,  \\"a\\":2}","[1, 2]"}']],
      ['oid[]', Oid._oid, ['{1,4294967295,-1}']],
      ['"char"[]', Oid._char, ['{a,b,"\\\\301"}']],
      ['int2vector', Oid.int2vector, ['1 2 3', '', ' 4  5 ', 'x', '99999']],
      ['oidvector', Oid.oidvector, ['23 25', '', '1']],
    ];
    for (const [name, oid, inputs] of cases) {
      const typmod = name === 'numeric(4,1)[]' ? ((4 << 16) | 1) + 4 : -1;
      assertNoMismatches(name, await compareInputs(name, oid, typmod, inputs, ctx({ timeZone: 'Asia/Kolkata' }), { send: true }));
    }
  });
});

describe('binary forms decode to the values they encode', () => {
  const samples: Array<[number, string[]]> = [
    [Oid.bool, ['t', 'f']],
    [Oid.int2, ['0', '-32768', '32767']],
    [Oid.int4, ['0', '-2147483648', '2147483647']],
    [Oid.int8, ['0', '-9223372036854775808', '9223372036854775807']],
    [Oid.float4, ['0', '-0', '1.5', 'NaN', 'Infinity', '-Infinity', '1e-45', '3.4028235e38']],
    [Oid.float8, ['0', '-0', '0.1', 'NaN', 'Infinity', '5e-324', '1.7976931348623157e308']],
    [Oid.numeric, ['0', '0.000', '1.5', '-12345.678', '123456789012345678901234567890.1234567890123', 'NaN', 'Infinity', '-Infinity', '1e-100', '1e100']],
    [Oid.text, ['', 'héllo 😀']],
    [Oid.varchar, ['abc']],
    [Oid.bpchar, ['ab  ']],
    [Oid.name, ['pg_class']],
    [Oid.char, ['a', '\\301', '']],
    [Oid.bytea, ['\\x', '\\x00ff10']],
    [Oid.uuid, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
    [Oid.json, ['{"b": 1,  "a": 2}']],
    [Oid.jsonb, ['{"b": 1, "a": [1, 2.50, null]}']],
    [Oid.oid, ['0', '4294967295']],
    [Oid.date, ['2024-01-02', '1970-01-01', '0001-01-01 BC', 'infinity', '-infinity', '5874897-12-31']],
    [Oid.time, ['00:00', '24:00:00', '12:34:56.789']],
    [Oid.timestamp, ['2024-01-02 03:04:05.678', 'infinity', '-infinity', '4714-11-24 00:00 BC', '294276-12-31 23:59:59.999999']],
    [Oid.timestamptz, ['2024-01-02 03:04:05.678+05:30', 'infinity']],
    [Oid.interval, ['1 year 2 mons 3 days 04:05:06.789', '-1 day', '0']],
    [Oid._int4, ['{}', '{1,NULL,3}', '[0:1][2:3]={{1,2},{3,4}}']],
    [Oid._text, ['{"a b",NULL,""}']],
    [Oid._numeric, ['{1.50,NaN}']],
    [Oid.int2vector, ['1 2 3']],
  ];
  for (const [oid, inputs] of samples) {
    test(`type ${oid}`, () => {
      for (const input of inputs) {
        const v = parseText(oid, input);
        const back = decodeBinary(oid, encodeBinary(oid, v));
        assert.equal(formatText(oid, back), formatText(oid, v), `${oid} ${input}`);
        assert.deepEqual(encodeBinary(oid, back), encodeBinary(oid, v));
      }
    });
  }

  test('malformed binary input is 22P03', () => {
    const bad: Array<[number, number[]]> = [
      [Oid.int4, [0, 0, 1]],
      [Oid.int4, [0, 0, 0, 1, 2]],
      [Oid.int8, [1]],
      [Oid.float8, [0, 0, 0, 0]],
      [Oid.uuid, [1, 2, 3]],
      [Oid.numeric, [0, 1, 0, 0, 0x12, 0x34, 0, 0, 0x27, 0x10]],
      [Oid.numeric, [0, 0, 0, 0, 0x00, 0x01, 0, 0]],
      [Oid.jsonb, [2, 0x31]],
      [Oid._int4, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]],
      [Oid._int4, [0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 23]],
      [Oid.interval, [0, 0, 0, 0]],
    ];
    for (const [oid, bytes] of bad) {
      assert.throws(() => decodeBinary(oid, Uint8Array.from(bytes)), (e: unknown) => e instanceof SqlError && e.code === '22P03', `${oid} ${bytes}`);
    }
    assert.throws(() => decodeBinary(Oid._int4, Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, 1])), (e: unknown) => e instanceof SqlError && e.code === '42804');
    assert.throws(() => decodeBinary(Oid.text, Uint8Array.from([0x61, 0xff])), (e: unknown) => e instanceof SqlError && e.code === '22021');
  });
});
