/**
 * Text input and output of the scalar types, compared with the real PostgreSQL: the same string goes
 * through PostgreSQL's input and output (and send) functions and through polygres's parseText,
 * formatText and encodeBinary; results, SQLSTATEs and messages must be identical.
 */
import { after, describe, test } from 'node:test';
import { skipUnlessPostgres } from '../support/storages.js';
import { Oid } from '../../src/types/oids.js';
import { DEFAULT_CODEC_CONTEXT, type CodecContext } from '../../src/types/codec.js';
import { assertNoMismatches, closeReference, compareInputs } from './reference.js';

const skip = await skipUnlessPostgres();

const INTEGER_INPUTS = [
  '0', '1', '-1', '+1', '  42  ', '\t7\n', '32767', '32768', '-32768', '-32769', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '',
  ' ', 'abc', '1.5', '1e3', '0x10', '1_000', '- 1', '--1', '+-1', '12a', '007', '99999999999999999999999', '١٢',
];

const FLOAT_INPUTS = [
  '0', '-0', '1', '-1', '0.1', '1.5', '2.5', '1e15', '1e16', '1e-4', '1e-5', '123456789012345678', '3.4028235e38', '3.5e38',
  '1e39', '1e-45', '1e-46', '1e-40', '1e308', '1.7976931348623157e308', '1.8e308', '1e-310', '5e-324', '2e-324', '1e-400',
  'NaN', 'nan', 'Infinity', '-Infinity', '+Infinity', 'inf', '-inf', 'INF', 'infinity ', ' 12 ', '0x1A', '0x1p-3',
  '1e', 'e1', '.5', '5.', '.', '', 'abc', '1,5', '1.5x', '0.30000000000000004', '16777217', '0.333333333333333314829616256247',
  '100000', '999999', '1000000', '123456.7', '1e22', '4.35', '9007199254740993', '1.00000017881393432617187499', '7.038531e-26',
  '1e23', '1e24', '8.5e23', '1180591620717411303424', '9.9e-8', '-1.2345678901234567e-300', '1.17549435e-38', '1.1754942e-38', '8.589973e9', '123456789012345.6', '2e-7', '6.103515625e-05',
];

const NUMERIC_INPUTS = [
  '0', '-0', '0.00', '-0.000', '1', '1.0', '1.50', '-12345.678', '  3.14  ', '+5', '.5', '5.', '1e3', '1E-3', '1.5e+2', '-1.5e-2',
  '123456789012345678901234567890.123456789', 'NaN', 'nan', 'Infinity', '-Infinity', '+inf', 'inf', '-inf', 'infinityx', '+nan',
  '', ' ', 'abc', '1.2.3', '1e', '1e+', 'e5', '--1', '1_000', '0x10', '1e131072', '1e131071', '1e-16383', '1e-16384', '1e-20000',
  '1e1000000000', '0.000000000000000000001', '100000000000000000000', '1e20', '12e-1',
];

const BOOL_INPUTS = [
  't', 'f', 'true', 'false', 'TRUE', 'False', 'y', 'n', 'ye', 'yes', 'no', 'on', 'off', 'of', 'o', '1', '0', ' true ', 'tr', 'tru',
  'truee', '', ' ', '2', 'yesno', 'of f', '\ttrue\n', 'fa', 'fal', 'nO',
];

const TEXT_INPUTS = ['', 'a', 'abc', 'abc  ', '  abc', 'héllo', '日本語テキスト', '😀x', 'ab😀', 'a\tb', "it's", '"q"', '\\'];

const BYTEA_INPUTS = [
  '', '\\x', '\\x00ff', '\\xDEADbeef', '\\x0 1', '\\x 01 02 ', '\\x0', '\\x0g', '\\xzz', '\\x\v01', 'abc', 'a\\\\b', '\\001\\002',
  '\\377', '\\400', '\\', 'a\\b', '\\12', 'é', '\\\\x41', 'A\\101', "'",
];

const UUID_INPUTS = [
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
  'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11', '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111', ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11', '', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-',
];

const JSON_INPUTS = [
  '{}', '[]', '1', '-1.5e3', '"x"', 'null', 'true', 'false', ' {"a" : 1 , "b":[1,2,{"c":null}]} ', '{"a":1,"a":2}',
  '"\\u00e9\\n\\t\\"\\\\\\/"', '"\\ud83d\\ude00"', '"\\u0000"', '"\\ud800"', '"\\udc00"', '"\\ud800\\ud800"', '', ' ', '{', '[1,',
  '[1,]', '{"a"}', '{"a":}', '{"a" 1}', '{1:2}', '{"a":1,}', '[1 2]', 'tru', 'nul', 'True', '01', '1.', '.5', '-', '1e', '1e+',
  '+1', '0x10', '"abc', '"a\\qb"', '"\\u12"', '"\\u12zz"', '"a\tb"', '[1] x', '{"a":1} {}', 'abc', '@', 'é', '[1,2', '{"a":[1,{"b":2',
  '\n\n  [1,\n  2,\n  x]', '"' + 'x'.repeat(80) + '" junk', '[' + '1,'.repeat(40) + 'bad]', '1 2', '"\\', '{"a":1 "b":2}',
];

const OID_INPUTS = ['0', '1', '4294967295', '4294967296', '-1', '-2147483648', '-2147483649', ' 12 ', '', 'x', '1.0', '+3'];

const CHAR_INPUTS = ['a', 'abc', '', 'é', '\\101', '\\301', '\\400', '\\', '\\1', ' ', '\\0000'];

function ctxWith(overrides: Partial<CodecContext>): CodecContext {
  return { ...DEFAULT_CODEC_CONTEXT, ...overrides };
}

describe('scalar text I/O matches PostgreSQL', { skip }, () => {
  after(closeReference);

  test('boolean input forms', async () => {
    assertNoMismatches('bool', await compareInputs('bool', Oid.bool, -1, BOOL_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  for (const [name, oid] of [['int2', Oid.int2], ['int4', Oid.int4], ['int8', Oid.int8]] as const) {
    test(`${name}: syntax, whitespace and range errors`, async () => {
      assertNoMismatches(name, await compareInputs(name, oid, -1, INTEGER_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    });
  }

  test('oid: strtoul semantics', async () => {
    assertNoMismatches('oid', await compareInputs('oid', Oid.oid, -1, OID_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  for (const efd of [1, 3, 0, -3, -15]) {
    for (const [name, oid] of [['float4', Oid.float4], ['float8', Oid.float8]] as const) {
      test(`${name} with extra_float_digits = ${efd}`, async () => {
        assertNoMismatches(`${name} efd ${efd}`, await compareInputs(name, oid, -1, FLOAT_INPUTS, ctxWith({ extraFloatDigits: efd }), { send: true }));
      });
    }
  }

  test('float8 output of generated values round-trips like PostgreSQL', async () => {
    const inputs: string[] = [];
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 300; i++) {
      const mant = (rnd() * 2 - 1) * 10;
      const exp = Math.floor(rnd() * 80) - 40;
      inputs.push(String(mant * 10 ** exp));
      inputs.push((rnd() * 1e6).toPrecision(Math.floor(rnd() * 17) + 1));
    }
    for (const efd of [1, 0, -4]) {
      assertNoMismatches(`float8 generated efd ${efd}`, await compareInputs('float8', Oid.float8, -1, inputs, ctxWith({ extraFloatDigits: efd }), { send: true }));
      assertNoMismatches(`float4 generated efd ${efd}`, await compareInputs('float4', Oid.float4, -1, inputs, ctxWith({ extraFloatDigits: efd }), { send: true }));
    }
  });

  test('numeric without typmod', async () => {
    assertNoMismatches('numeric', await compareInputs('numeric', Oid.numeric, -1, NUMERIC_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  for (const [p, s] of [[5, 2], [3, 0], [1, 0], [4, -2], [3, 5], [10, 4], [1000, 500]] as const) {
    test(`numeric(${p},${s}) rounding and overflow`, async () => {
      const typmod = ((p << 16) | (s & 0x7ff)) + 4;
      const inputs = [...NUMERIC_INPUTS, '999.995', '999.994', '-999.995', '12.345', '0.0012345', '99999', '1234.5', '0.005', '-0.005', '9.5', '0.9', '0.99999', '12345678'];
      assertNoMismatches(`numeric(${p},${s})`, await compareInputs(`numeric(${p},${s})`, Oid.numeric, typmod, inputs, DEFAULT_CODEC_CONTEXT, { send: true }));
    });
  }

  test('text, varchar(n), bpchar(n), name', async () => {
    assertNoMismatches('text', await compareInputs('text', Oid.text, -1, TEXT_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('varchar', await compareInputs('varchar', Oid.varchar, -1, TEXT_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    for (const n of [1, 3, 5]) {
      assertNoMismatches(`varchar(${n})`, await compareInputs(`varchar(${n})`, Oid.varchar, n + 4, TEXT_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
      assertNoMismatches(`bpchar(${n})`, await compareInputs(`bpchar(${n})`, Oid.bpchar, n + 4, TEXT_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    }
    assertNoMismatches('bpchar', await compareInputs('bpchar', Oid.bpchar, -1, TEXT_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    const longNames = [...TEXT_INPUTS, 'x'.repeat(63), 'x'.repeat(64), 'é'.repeat(40), 'a' + 'é'.repeat(31), '😀'.repeat(20)];
    assertNoMismatches('name', await compareInputs('name', Oid.name, -1, longNames, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('"char"', async () => {
    assertNoMismatches('char', await compareInputs('"char"', Oid.char, -1, CHAR_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('bytea in hex and escape output', async () => {
    assertNoMismatches('bytea hex', await compareInputs('bytea', Oid.bytea, -1, BYTEA_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
    assertNoMismatches('bytea escape', await compareInputs('bytea', Oid.bytea, -1, BYTEA_INPUTS, ctxWith({ byteaOutput: 'escape' }), { send: true }));
  });

  test('uuid input forms', async () => {
    assertNoMismatches('uuid', await compareInputs('uuid', Oid.uuid, -1, UUID_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('json validation errors carry PostgreSQL detail', async () => {
    assertNoMismatches('json', await compareInputs('json', Oid.json, -1, JSON_INPUTS, DEFAULT_CODEC_CONTEXT, { send: true }));
  });

  test('jsonb normalization and output', async () => {
    const inputs = [
      ...JSON_INPUTS, '{"b":1,"a":2,"aa":3,"a":4}', '{"a": 1.0, "b": 1e2, "c": -0, "d": 1E-2, "e": 0.000}', '[1, "two", null, true, {"x": [ ]}]',
      '{"é":1,"z":2,"ab":3}', '"\\u00e9"', '{"":1, " ":2}', '[[[[]]]]', '{"a":{"b":{"c":{}}}}', '"\\b\\f\\u0001\\u001f\\u007f"',
      '123456789012345678901234567890', '1e400', '{"k": "v\\"q"}',
    ];
    assertNoMismatches('jsonb', await compareInputs('jsonb', Oid.jsonb, -1, inputs, DEFAULT_CODEC_CONTEXT, { send: true }));
  });
});
