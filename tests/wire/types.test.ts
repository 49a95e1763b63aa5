/**
 * Values on the wire, in text and binary, for every supported type. Expected binary forms are
 * written out here by hand from PostgreSQL's send/receive formats (not computed with the codec).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { ALL_TYPES } from './fixture-backend.js';
import { commandTag, dataRowValues, RawClient, startFixtureServer, types, type FixtureServer, type Frame } from './support.js';

const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

const int64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const int32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** PostgreSQL's typsend output for each value of ALL_TYPES. */
const BINARY: Record<string, Buffer> = {
  bool: hex('01'),
  int2: hex('8000'),
  int4: hex('7fffffff'),
  int8: hex('0020000000000001'),
  float4: hex('3fc00000'),
  float8: hex('3fb999999999999a'),
  // ndigits 7, weight 4, sign negative, dscale 5; base-10000 digits 1234 5678 9012 3456 7890 . 1234 5000
  numeric: hex('0007 0004 4000 0005 04d2 162e 2334 0d80 1ed2 04d2 1388'),
  text: utf8('héllo, "wörld"'),
  varchar: utf8('v'),
  bpchar: utf8('ab  '),
  bytea: hex('deadbeef'),
  date: int32(8766), // days from 2000-01-01 to 2024-01-01
  time: int64(45_296_789_000n),
  timestamp: int64(1_704_112_496_789_000n - POSTGRES_EPOCH_MICROS),
  timestamptz: int64(1_704_112_496_789_000n - POSTGRES_EPOCH_MICROS),
  interval: Buffer.concat([int64(4_005_000_000n), int32(3), int32(14)]),
  uuid: hex('a0eebc999c0b4ef8bb6d6bb9bd380a11'),
  json: utf8('{"b": 1, "a": [true]}'),
  jsonb: Buffer.concat([hex('01'), utf8('{"a": [true], "b": 1}')]),
  oid: hex('ffffffff'),
  name: utf8('pg_class'),
  // ndim 1, has nulls, element int4, 3 elements from 1: 1, NULL, 3
  int4_array: Buffer.concat([int32(1), int32(1), int32(23), int32(3), int32(1), int32(4), int32(1), int32(-1), int32(4), int32(3)]),
  text_array: Buffer.concat([
    int32(1), int32(0), int32(25), int32(3), int32(1),
    int32(3), utf8('a b'), int32(3), utf8('c"d'), int32(0),
  ]),
};

const CAST: Record<string, string> = { int4_array: 'int4[]', text_array: 'text[]' };

/** Raw DataRow values as bytes. */
function binaryValues(frame: Frame): Array<Buffer | null> {
  const count = frame.body.readInt16BE(0);
  const out: Array<Buffer | null> = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = frame.body.readInt32BE(offset);
    offset += 4;
    out.push(length < 0 ? null : frame.body.subarray(offset, offset + length));
    offset += Math.max(0, length);
  }
  return out;
}

describe('type codecs on the wire', () => {
  let server: FixtureServer;
  let client: RawClient;
  before(async () => {
    server = await startFixtureServer();
    client = await RawClient.connect(server);
    await client.startup();
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('text output of every type is PostgreSQL\'s (simple query)', async () => {
    client.send(serialize.query('SELECT all_types()'));
    const frames = await client.readUntil('Z');
    assert.equal(types(frames), 'TDCZ');
    const values = dataRowValues(frames[1]!);
    ALL_TYPES.forEach((t, i) => assert.equal(values[i], t.text, t.name));
    // RowDescription carries each type's OID.
    const row = frames[0]!.body;
    let offset = 2;
    for (const t of ALL_TYPES) {
      offset = row.indexOf(0, offset) + 1;
      assert.equal(row.readUInt32BE(offset + 6), t.oid, t.name);
      offset += 18;
    }
  });

  test('binary output of every type is PostgreSQL\'s send format', async () => {
    client.send(serialize.parse({ text: 'SELECT all_types()' }), serialize.bind({ binary: true }), serialize.execute({}), serialize.sync());
    const frames = await client.readUntil('Z');
    assert.equal(types(frames), '12DCZ');
    const values = binaryValues(frames[2]!);
    ALL_TYPES.forEach((t, i) => assert.deepEqual(values[i], BINARY[t.name], t.name));
  });

  for (const t of ALL_TYPES) {
    test(`${t.name}: a binary parameter is read as PostgreSQL's receive reads it`, async () => {
      client.send(
        serialize.parse({ text: `SELECT $1::${CAST[t.name] ?? t.name} AS v` }),
        serialize.bind({ values: [BINARY[t.name]] }),
        serialize.execute({}),
        serialize.sync(),
      );
      const frames = await client.readUntil('Z');
      assert.equal(types(frames), '12DCZ', JSON.stringify(frames.filter((f) => f.type === 'E').map((f) => f.body.toString())));
      assert.equal(dataRowValues(frames[2]!)[0], t.text);
    });

    test(`${t.name}: a text parameter comes back in binary`, async () => {
      client.send(
        serialize.parse({ text: `SELECT $1::${CAST[t.name] ?? t.name} AS v` }),
        serialize.bind({ values: [t.text], binary: true }),
        serialize.execute({}),
        serialize.sync(),
      );
      const frames = await client.readUntil('Z');
      assert.equal(types(frames), '12DCZ', JSON.stringify(frames.filter((f) => f.type === 'E').map((f) => f.body.toString())));
      assert.deepEqual(binaryValues(frames[2]!)[0], BINARY[t.name]);
    });
  }

  test('a malformed binary parameter is 22P03 naming the parameter', async () => {
    client.send(serialize.parse({ text: 'SELECT $1::int4 AS v' }), serialize.bind({ values: [hex('0102')] }), serialize.execute({}), serialize.sync());
    const frames = await client.readUntil('Z');
    assert.equal(types(frames), '1EZ');
    assert.match(frames[1]!.body.toString(), /C22P03\0Mincorrect binary data format in bind parameter 1\0/);
  });

  test('a malformed text parameter gets the type\'s input error', async () => {
    client.send(serialize.parse({ text: 'SELECT $1::int4 AS v' }), serialize.bind({ values: ['12x'] }), serialize.execute({}), serialize.sync());
    const frames = await client.readUntil('Z');
    assert.match(frames[1]!.body.toString(), /C22P02\0Minvalid input syntax for type integer: "12x"\0/);
    client.send(serialize.query('SELECT 1'));
    assert.equal(commandTag((await client.readUntil('Z'))[2]!), 'SELECT 1');
  });

  test('timestamptz text follows the session TimeZone and DateStyle', async () => {
    client.send(serialize.query("SET TIME ZONE 'Asia/Tokyo'"), serialize.query('SELECT all_types()'), serialize.query("SET TIME ZONE 'Etc/UTC'"));
    await client.readUntil('Z');
    const frames = await client.readUntil('Z');
    await client.readUntil('Z');
    const values = dataRowValues(frames[1]!);
    const i = ALL_TYPES.findIndex((t) => t.name === 'timestamptz');
    assert.equal(values[i], '2024-01-01 21:34:56.789+09');
  });
});
