/**
 * pg_catalog and information_schema as relations of the engine: every relation polygres serves
 * has PostgreSQL 15's OID, kind, row type and columns (names, types, modifiers, NOT NULL, order),
 * answers `SELECT *` with PostgreSQL's result columns, resolves qualified, quoted and unqualified
 * (pg_catalog only), shows the same OID for an object everywhere, sees DDL of the statement's own
 * transaction, and refuses what PostgreSQL refuses with PostgreSQL's errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SYSTEM_RELATIONS } from '../../src/catalog/system/relations.js';
import { PolygresInProcessTarget, PolygresInstance, type StatementOutcome } from './support/targets.js';
import { freshPostgresDatabase, skipUnlessPostgres, type FreshDatabase } from '../support/storages.js';

const skip = await skipUnlessPostgres();

function schemaName(schemaOid: number): string {
  return schemaOid === 11 ? 'pg_catalog' : 'information_schema';
}

describe('system relations have PostgreSQL 15 shapes', { skip }, () => {
  let reference: pg.Client;
  let db: FreshDatabase;
  let instance: PolygresInstance;
  let target: PolygresInProcessTarget;

  before(async () => {
    db = await freshPostgresDatabase('polygres_sysrel');
    reference = new pg.Client({ connectionString: db.url });
    await reference.connect();
    instance = await PolygresInstance.start();
    target = await PolygresInProcessTarget.open(instance, db.name);
  });
  after(async () => {
    await reference?.end();
    await db?.drop();
    await target?.close();
    await instance?.close();
  });

  test('OID, kind, row type and columns of every relation equal pg_class and pg_attribute', async () => {
    const names = SYSTEM_RELATIONS.map((r) => `${schemaName(r.schemaOid)}.${r.name}`);
    const res = await reference.query<{ rel: string; oid: number; relkind: string; reltype: number; cols: string }>(
      `SELECT n.nspname || '.' || c.relname AS rel, c.oid::int AS oid, c.relkind::text AS relkind, c.reltype::int AS reltype,
              string_agg(a.attname || ':' || a.atttypid || ':' || a.atttypmod || ':' || a.attnotnull, ' ' ORDER BY a.attnum) AS cols
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
        WHERE n.nspname || '.' || c.relname = ANY ($1) GROUP BY 1, 2, 3, 4`,
      [names],
    );
    assert.equal(res.rows.length, SYSTEM_RELATIONS.length);
    for (const row of res.rows) {
      const r = SYSTEM_RELATIONS.find((x) => `${schemaName(x.schemaOid)}.${x.name}` === row.rel)!;
      const ours = r.columns.map((c) => `${c.name}:${c.declaredType}:${c.type.oid === c.declaredType ? c.type.typmod : -1}:${c.notNull}`).join(' ');
      assert.deepEqual({ oid: r.oid, relkind: r.relkind, reltype: r.rowTypeOid, cols: ours }, { oid: row.oid, relkind: row.relkind, reltype: row.reltype, cols: row.cols }, row.rel);
    }
  });

  test('SELECT * from every relation runs and describes its columns as PostgreSQL does', async () => {
    for (const r of SYSTEM_RELATIONS) {
      const sql = `SELECT * FROM ${schemaName(r.schemaOid)}.${r.name} LIMIT 0`;
      const theirs = await reference.query({ text: sql, rowMode: 'array' });
      const [ours] = await target.run(sql);
      assert.equal(ours!.error, null, `${sql}: ${ours!.error?.message}`);
      assert.deepEqual(ours!.fields, theirs.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })), sql);
    }
  });

  test('every relation answers SELECT * with rows of its own shape', async () => {
    await target.run('CREATE TABLE shaped (id int PRIMARY KEY, v text)');
    for (const r of SYSTEM_RELATIONS) {
      const [ours] = await target.run(`SELECT * FROM ${schemaName(r.schemaOid)}.${r.name}`);
      assert.equal(ours!.error, null, `${r.name}: ${ours!.error?.message}`);
      for (const row of ours!.rows) assert.equal(row.length, r.columns.length);
    }
  });
});

describe('system relations as relations of the engine', () => {
  let instance: PolygresInstance;
  let target: PolygresInProcessTarget;

  async function one(sql: string): Promise<StatementOutcome> {
    const out = await target.run(sql);
    return out[out.length - 1]!;
  }
  async function rows(sql: string): Promise<Array<Array<string | null>>> {
    const o = await one(sql);
    assert.equal(o.error, null, `${sql}: ${o.error?.message}`);
    return o.rows as Array<Array<string | null>>;
  }

  before(async () => {
    instance = await PolygresInstance.start();
    target = await PolygresInProcessTarget.open(instance);
    for (const sql of [
      'CREATE TABLE parent (id serial PRIMARY KEY, code text UNIQUE NOT NULL)',
      'CREATE TABLE child (parent_id int REFERENCES parent (id), n int CHECK (n > 0), PRIMARY KEY (parent_id, n))',
    ]) {
      const o = await one(sql);
      assert.equal(o.error, null, o.error?.message);
    }
  });
  after(async () => {
    await target.close();
    await instance.close();
  });

  test('qualified, quoted and unqualified names resolve; information_schema only qualified', async () => {
    assert.deepEqual(await rows("SELECT relname FROM pg_class WHERE relname = 'parent'"), [['parent']]);
    assert.deepEqual(await rows(`SELECT relname FROM "pg_catalog"."pg_class" WHERE relname = 'parent'`), [['parent']]);
    assert.deepEqual(await rows("SELECT table_name FROM information_schema.tables WHERE table_name = 'child'"), [['child']]);
    const unqualified = await one('SELECT * FROM tables');
    assert.equal(unqualified.error?.code, '42P01');
    assert.equal(unqualified.error?.message, 'relation "tables" does not exist');
    const missing = await one('SELECT * FROM pg_catalog.pg_nosuch');
    assert.equal(missing.error?.message, 'relation "pg_catalog.pg_nosuch" does not exist');
  });

  test('a table named like a catalog in public does not hide pg_catalog (pg_catalog comes first)', async () => {
    assert.equal((await one('CREATE TABLE pg_am (x int)')).error, null);
    assert.deepEqual(await rows("SELECT amname FROM pg_am WHERE amname = 'btree'"), [['btree']]);
    assert.deepEqual(await rows('SELECT count(*) FROM public.pg_am'), [['0']]);
    await one('DROP TABLE public.pg_am');
  });

  test('one OID per table everywhere: pg_class, pg_attribute, pg_type, pg_constraint, pg_index, regclass, RowDescription', async () => {
    const [[oid]] = await rows("SELECT 'child'::regclass::oid");
    assert.deepEqual(await rows(`SELECT DISTINCT attrelid FROM pg_attribute WHERE attrelid = ${oid}`), [[oid!]]);
    assert.deepEqual(await rows(`SELECT typrelid, typname FROM pg_type WHERE typrelid = ${oid}`), [[oid!, 'child']]);
    assert.deepEqual(await rows(`SELECT reltype FROM pg_class WHERE oid = ${oid}`), [[oid!]]);
    assert.deepEqual(await rows(`SELECT contype FROM pg_constraint WHERE conrelid = ${oid} ORDER BY contype`), [['c'], ['f'], ['p']]);
    assert.deepEqual(await rows(`SELECT indkey FROM pg_index WHERE indrelid = ${oid}`), [['1 2']]);
    const described = await target.backendSession.prepare(target.backendSession.parse('SELECT * FROM child')[0]!, []);
    assert.ok(described.fields!.every((f) => f.tableOid === Number(oid)));
  });

  test('system columns: tableoid and xmin by name, not in *', async () => {
    const [[tableoid]] = await rows("SELECT tableoid FROM pg_namespace WHERE nspname = 'public'");
    assert.equal(tableoid, '2615');
    assert.equal((await rows("SELECT n.xmin FROM pg_namespace n WHERE nspname = 'public'")).length, 1);
    const star = await one('SELECT * FROM pg_namespace LIMIT 1');
    assert.deepEqual(star.fields.map((f) => f.name), ['oid', 'nspname', 'nspowner', 'nspacl']);
  });

  test('DDL in an open transaction is seen by the catalog of that transaction', async () => {
    const out = await target.run("BEGIN; CREATE TABLE in_tx (a int); SELECT count(*) FROM pg_class WHERE relname = 'in_tx'; ROLLBACK");
    assert.deepEqual(out[2]!.rows, [['1']]);
    assert.deepEqual(await rows("SELECT count(*) FROM pg_class WHERE relname = 'in_tx'"), [['0']]);
  });

  test('object identifier types: regclass, regtype, regproc, regnamespace, regrole, to_reg*', async () => {
    assert.deepEqual(await rows(`SELECT 'pg_class'::regclass::oid, '"public"."parent"'::regclass, 'parent_pkey'::regclass, 'pg_catalog.pg_type'::regclass`), [['1259', 'parent', 'parent_pkey', 'pg_type']]);
    assert.deepEqual(await rows(`SELECT 'integer'::regtype::oid, 'parent'::regtype, 'information_schema.sql_identifier'::regtype, 23::regtype`), [['23', 'parent', 'information_schema.sql_identifier', 'integer']]);
    assert.deepEqual(await rows(`SELECT 'array_in'::regproc::oid, 750::regproc, 'pg_catalog'::regnamespace::oid, 'postgres'::regrole::oid`), [['750', 'array_in', '11', '10']]);
    assert.deepEqual(await rows(`SELECT to_regtype('nosuch'), to_regclass('nosuch'), to_regtype('int4')`), [[null, null, 'integer']]);
    assert.equal((await one(`SELECT 'nosuch'::regtype`)).error?.code, '42704');
    assert.equal((await one(`SELECT 'nosuch'::regproc`)).error?.message, 'function "nosuch" does not exist');
    assert.equal((await one(`SELECT 'generate_series'::regproc`)).error?.code, '42725');
  });

  test('COMMENT ON tables, columns, schemas, indexes, sequences and constraints feeds pg_description', async () => {
    for (const sql of [
      "COMMENT ON TABLE parent IS 'parents'",
      "COMMENT ON COLUMN parent.code IS 'the code'",
      "COMMENT ON INDEX parent_pkey IS 'pk'",
      "COMMENT ON SEQUENCE parent_id_seq IS 'ids'",
      "COMMENT ON CONSTRAINT child_n_check ON child IS 'positive'",
    ]) assert.equal((await one(sql)).error, null, sql);
    assert.deepEqual(
      await rows("SELECT obj_description('parent'::regclass, 'pg_class'), col_description('parent'::regclass, 2), obj_description('parent_pkey'::regclass), obj_description('parent_id_seq'::regclass, 'pg_class')"),
      [['parents', 'the code', 'pk', 'ids']],
    );
    assert.deepEqual(await rows("SELECT d.description FROM pg_description d JOIN pg_constraint c ON c.oid = d.objoid WHERE c.conname = 'child_n_check'"), [['positive']]);
    assert.equal((await one("COMMENT ON TABLE parent IS NULL")).error, null);
    assert.deepEqual(await rows("SELECT obj_description('parent'::regclass, 'pg_class')"), [[null]]);
    assert.equal((await one("COMMENT ON COLUMN parent.nosuch IS 'x'")).error?.message, 'column "nosuch" of relation "parent" does not exist');
    assert.equal((await one("COMMENT ON TABLE nosuch IS 'x'")).error?.code, '42P01');
    assert.equal((await one("COMMENT ON CONSTRAINT nosuch ON child IS 'x'")).error?.message, 'constraint "nosuch" for table "child" does not exist');
  });

  test('catalogs cannot be written: 42501', async () => {
    const o = await one("INSERT INTO pg_class (relname) VALUES ('x')");
    assert.equal(o.error?.code, '42501');
    assert.equal((await one('CREATE TABLE pg_catalog.mine (a int)')).error?.code, '42501');
  });

  test('session state: pg_settings, pg_stat_activity and current_setting agree', async () => {
    await one('SET search_path = public, pg_catalog');
    assert.deepEqual(await rows("SELECT setting, source FROM pg_settings WHERE name = 'search_path'"), [['public, pg_catalog', 'session']]);
    assert.deepEqual(await rows('SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid()'), [['1']]);
    assert.deepEqual(await rows("SELECT state, query FROM pg_stat_activity WHERE pid = pg_backend_pid()"), [['active', 'SELECT state, query FROM pg_stat_activity WHERE pid = pg_backend_pid()']]);
    await one('RESET search_path');
  });

  test('functions clients call next to the catalogs', async () => {
    assert.deepEqual(
      await rows("SELECT format_type(1043, 24), format_type('parent'::regclass, -1), pg_get_serial_sequence('parent', 'id'), pg_get_userbyid(10), pg_encoding_to_char(6), has_table_privilege('parent', 'select'), has_schema_privilege('public', 'usage')"),
      [['character varying(20)', 'parent', 'public.parent_id_seq', 'postgres', 'UTF8', 't', 't']],
    );
    assert.deepEqual(await rows("SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conname = 'child_parent_id_fkey'"), [['FOREIGN KEY (parent_id) REFERENCES parent(id)']]);
    assert.deepEqual(await rows("SELECT pg_get_indexdef('parent_code_key'::regclass)"), [['CREATE UNIQUE INDEX parent_code_key ON public.parent USING btree (code)']]);
    assert.deepEqual(await rows("SELECT (information_schema._pg_expandarray(ARRAY['a', 'b'])).n, (information_schema._pg_expandarray(ARRAY['a', 'b'])).x"), [['1', 'a'], ['2', 'b']]);
    assert.deepEqual(await rows("SELECT word, catcode FROM pg_get_keywords() WHERE word IN ('select', 'abort') ORDER BY word"), [['abort', 'U'], ['select', 'R']]);
    assert.equal((await one("SELECT has_table_privilege('nosuch', 'select')")).error?.code, '42P01');
    assert.equal((await one("SELECT has_table_privilege('parent', 'fly')")).error?.message, 'unrecognized privilege type: "fly"');
    assert.match((await rows('SELECT version()'))[0]![0]!, /^PostgreSQL \d+\.\d+ \(polygres /);
  });
});


