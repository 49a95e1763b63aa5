/**
 * The type registry describes each built-in type exactly as PostgreSQL's pg_type does, and type
 * names, modifiers and format_type() behave as in PostgreSQL.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessPostgres } from '../support/storages.js';
import { SqlError } from '../../src/errors.js';
import { allTypes, arrayOf, elementOf, formatType, parseTypeName, typeByName, typeByOid, typmodFromModifiers } from '../../src/types/registry.js';
import { Oid } from '../../src/types/oids.js';
import { closeReference, referenceClient } from './reference.js';

const skip = await skipUnlessPostgres();

describe('type registry matches pg_type', { skip }, () => {
  after(closeReference);

  test('every descriptor equals its pg_type row', async () => {
    const client = await referenceClient();
    const res = await client.query<Record<string, string>>(
      `SELECT oid::int::text AS oid, typname::text, typnamespace::int::text AS typnamespace, typlen::text, typbyval::text, typtype::text, typcategory::text,
              typispreferred::text, typdelim::text, typelem::int::text AS typelem, typarray::int::text AS typarray, typinput::text, typoutput::text,
              typreceive::text, typsend::text, typmodin::text, typmodout::text, typanalyze::text, typsubscript::text, typalign::text, typstorage::text,
              typcollation::int::text AS typcollation
         FROM pg_type WHERE oid = ANY($1::oid[])`,
      [allTypes().map((t) => t.oid)],
    );
    assert.equal(res.rows.length, allTypes().length);
    for (const row of res.rows) {
      const d = typeByOid(Number(row.oid))!;
      const ours: Record<string, string> = {};
      for (const key of Object.keys(row)) ours[key] = String((d as unknown as Record<string, unknown>)[key] === true ? 'true' : (d as unknown as Record<string, unknown>)[key] === false ? 'false' : (d as unknown as Record<string, unknown>)[key]);
      assert.deepEqual(ours, row, d.typname);
    }
  });

  test('format_type for every type with and without modifiers', async () => {
    const client = await referenceClient();
    const cases: Array<[number, number | null]> = [];
    for (const t of allTypes()) cases.push([t.oid, null], [t.oid, -1]);
    cases.push(
      [Oid.varchar, 24], [Oid.bpchar, 5], [Oid.numeric, ((10 << 16) | 2) + 4], [Oid.numeric, ((5 << 16) | (-2 & 0x7ff)) + 4], [Oid.timestamp, 3],
      [Oid.timestamptz, 0], [Oid.time, 6], [Oid.interval, (6 << 16) | 0xffff], [Oid.interval, (0x7fff << 16) | 3], [Oid.interval, (7176 << 16) | 2],
      [Oid._varchar, 24], [Oid._numeric, ((10 << 16) | 2) + 4], [Oid._timestamptz, 3], [99999, -1],
    );
    const res = await client.query<{ f: string }>(
      `SELECT format_type(o, m) AS f FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS x(o, m, n) ORDER BY n`,
      [cases.map((c) => c[0]), cases.map((c) => c[1])],
    );
    res.rows.forEach((row, i) => {
      const [oid, typmod] = cases[i]!;
      assert.equal(formatType(oid, typmod ?? undefined), row.f, `format_type(${oid}, ${typmod})`);
    });
  });

  test('type names as regtype reads them, with modifiers from the grammar', async () => {
    const names = [
      'int', 'integer', 'int4', 'smallint', 'bigint', 'real', 'float', 'float(10)', 'float(24)', 'float(25)', 'float(53)', 'double precision',
      'decimal', 'decimal(10,2)', 'numeric(5)', 'dec', 'boolean', 'bool', 'character varying', 'character varying(20)', 'varchar(3)', 'char',
      'character', 'char(5)', '"char"', 'text', 'bytea', 'uuid', 'json', 'jsonb', 'date', 'time', 'time(3)', 'time without time zone',
      'timestamp', 'timestamp(3)', 'timestamp without time zone', 'timestamp(2) with time zone', 'timestamptz', 'interval', 'interval(3)',
      'interval year', 'interval year to month', 'interval day to second', 'interval hour to second(2)', 'int[]', 'integer[]', '_int4',
      'text[][]', 'varchar(10)[]', 'int array', 'pg_catalog.int8', 'oid', 'name', 'regclass', 'regtype', 'regproc', 'regnamespace', 'regrole',
      'regprocedure', 'void', 'record', 'unknown', 'Integer', '  int  ', 'numeric(1001)', 'float(0)', 'float(54)', 'varchar(0)', 'nosuchtype',
    ];
    const client = await referenceClient();
    for (const name of names) {
      let expected: string;
      try {
        const r = await client.query<{ t: string; oid: string }>(`SELECT $1::regtype::oid::int::text AS oid, format_type($1::regtype, NULL) AS t`, [name]);
        expected = r.rows[0]!.oid;
      } catch (e) {
        expected = `ERROR ${(e as { code: string }).code} ${(e as Error).message}`;
      }
      let ours: string;
      try {
        ours = String(parseTypeName(name).oid);
      } catch (e) {
        ours = e instanceof SqlError ? `ERROR ${e.code} ${e.message}` : String(e);
      }
      assert.equal(ours, expected, name);
    }
    assert.deepEqual(parseTypeName('varchar(20)'), { oid: Oid.varchar, typmod: 24 });
    assert.deepEqual(parseTypeName('char'), { oid: Oid.bpchar, typmod: 5 });
    assert.deepEqual(parseTypeName('numeric(10, 2)'), { oid: Oid.numeric, typmod: ((10 << 16) | 2) + 4 });
    assert.deepEqual(parseTypeName('timestamp(3) with time zone'), { oid: Oid.timestamptz, typmod: 3 });
    assert.deepEqual(parseTypeName('interval day to second(3)'), { oid: Oid.interval, typmod: (7176 << 16) | 3 });
    assert.deepEqual(parseTypeName('int[]'), { oid: Oid._int4, typmod: -1 });
  });

  test('typmod input errors and warnings', () => {
    const warnings: string[] = [];
    assert.equal(typmodFromModifiers(Oid.timestamp, [7], (w) => warnings.push(w)), 6);
    assert.deepEqual(warnings, ['TIMESTAMP(7) precision reduced to maximum allowed, 6']);
    assert.throws(() => typmodFromModifiers(Oid.varchar, [0]), /length for type varchar must be at least 1/);
    assert.throws(() => typmodFromModifiers(Oid.numeric, [0, 0]), /NUMERIC precision 0 must be between 1 and 1000/);
    assert.throws(() => typmodFromModifiers(Oid.numeric, [10, 1001]), /NUMERIC scale 1001 must be between -1000 and 1000/);
    assert.throws(() => typmodFromModifiers(Oid.int4, [3]), /type modifier is not allowed for type "int4"/);
  });

  test('array and element lookups', () => {
    assert.equal(arrayOf(Oid.int4), Oid._int4);
    assert.equal(elementOf(Oid._int4), Oid.int4);
    assert.equal(elementOf(Oid.int4), 0);
    assert.equal(elementOf(Oid.name), 0);
    assert.equal(elementOf(Oid.int2vector), 0);
    assert.equal(typeByName('double precision')?.oid, Oid.float8);
    assert.equal(typeByName('character varying')?.oid, Oid.varchar);
    assert.equal(typeByName('"char"')?.oid, Oid.char);
    assert.equal(typeByName('timestamp with time zone')?.oid, Oid.timestamptz);
    assert.equal(typeByName('nosuch'), undefined);
  });
});
