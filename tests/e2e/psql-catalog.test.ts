/**
 * psql's catalog commands against the real server: \dt, \d, \d+, \di, \ds, \dn, \dv, \df, \dT,
 * \dx, \l, \du ... print exactly what they print against the real PostgreSQL for the same schema,
 * and \dn+ shows, as a schema's description, which storage holds its tables.
 *
 * Differences kept: \dn+ (the description is the schema's storage; PostgreSQL says "standard
 * public schema"), the definition \d+ prints for a view (the query as written, not PostgreSQL's
 * deparse), sizes in \dt+ / \di+ / \ds+ (polygres reports 0 bytes: it does not measure its
 * storages), and \l / \du list only the database and roles polygres knows (so they are compared
 * for "postgres" only, which both servers have).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { DATABASE, query, referencePostgres, referenceUser, runPsql, startPolygres, targetOf, USER, type Target } from './support.js';

const { reference, skip } = await referencePostgres('polygres_e2e_psql_catalog');

const SCHEMA = [
  'CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text, age int CHECK (age > 0), balance numeric(10,2) DEFAULT 0, created timestamptz DEFAULT now(), tags text[], flag bool DEFAULT true)',
  "CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE, note text DEFAULT 'x')",
  'CREATE INDEX orders_note_idx ON orders (note)',
  'CREATE SCHEMA other',
  'CREATE TABLE other.t2 (a int, b text, PRIMARY KEY (a, b))',
  'CREATE SEQUENCE myseq',
  "COMMENT ON TABLE users IS 'the people'",
  "COMMENT ON COLUMN users.email IS 'unique address'",
  'CREATE VIEW active_users AS SELECT id, email, name AS full_name, balance * 2 AS doubled FROM users WHERE flag',
  'CREATE VIEW other.v2 (x) AS SELECT a, b FROM other.t2',
  "COMMENT ON VIEW active_users IS 'who is in'",
];

/** Commands whose whole output must equal PostgreSQL's. */
const SAME_OUTPUT = [
  '\\dt', '\\d users', '\\d orders', '\\d other.t2', '\\di', '\\ds', '\\dn', '\\dv', '\\dm', '\\df', '\\dT', '\\dx', '\\d+ users', '\\d+ orders',
  '\\d users_id_seq', '\\d myseq', '\\d users_pkey', '\\dp', '\\dd', '\\l postgres', '\\du postgres', '\\dt other.*', '\\dt+ nosuchtable', '\\d nosuchtable',
  '\\dconfig search_path', '\\dA', '\\db', '\\dL', '\\d active_users', '\\d other.v2', '\\dv other.*', '\\dv+', '\\dt active_users',
];

describe('psql catalog commands, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
    for (const sql of SCHEMA) {
      await query(target, sql);
      await runPsql(reference!.target, ['-v', 'ON_ERROR_STOP=1', '-c', sql], { user: referenceUser(), database: reference!.database });
    }
  });
  after(async () => {
    await server?.stop();
    await reference?.drop();
  });

  const psql = (t: Target, command: string, user: string, database: string) => runPsql(t, ['-c', command], { user, database });

  for (const command of SAME_OUTPUT) {
    test(`${command} prints what PostgreSQL prints`, async () => {
      const theirs = await psql(reference!.target, command, referenceUser(), reference!.database);
      const mine = await psql(target, command, USER, DATABASE);
      assert.equal(mine.stderr, theirs.stderr);
      assert.equal(mine.stdout, theirs.stdout);
      assert.equal(mine.code, theirs.code);
    });
  }

  test('\\dn+ shows the storage that holds each schema as its description', async () => {
    const mine = await runPsql(target, ['-A', '-t', '-c', '\\dn+'], { user: USER, database: DATABASE });
    assert.equal(mine.code, 0, mine.stderr);
    // Name|Owner|Access privileges|Description (public's privileges span two lines).
    assert.match(mine.stdout, new RegExp(`^other\\|${USER}\\|\\|storage: sqlite \\(default_storage\\)$`, 'm'));
    assert.match(mine.stdout, /^public\|pg_database_owner\|pg_database_owner=UC\/pg_database_owner\n=U\/pg_database_owner\|storage: sqlite \(default_storage\)$/m);
  });

  test('\\dt+ \\di+ \\ds+ run, with the same rows as PostgreSQL apart from sizes (polygres reports 0 bytes)', async () => {
    for (const command of ['\\dt+', '\\di+', '\\ds+']) {
      const theirs = await runPsql(reference!.target, ['-A', '-t', '-c', command], { user: referenceUser(), database: reference!.database });
      const mine = await runPsql(target, ['-A', '-t', '-c', command], { user: USER, database: DATABASE });
      const withoutSize = (out: string) => out.replace(/\|(\d+ (bytes|kB))\|/g, '|<size>|');
      assert.equal(withoutSize(mine.stdout), withoutSize(theirs.stdout), command);
    }
  });

  test('\\d+ of a view prints what PostgreSQL prints, apart from the definition (the query as written)', async () => {
    const theirs = await psql(reference!.target, '\\d+ active_users', referenceUser(), reference!.database);
    const mine = await psql(target, '\\d+ active_users', USER, DATABASE);
    const [theirColumns, theirDefinition] = theirs.stdout.split('View definition:\n');
    const [myColumns, myDefinition] = mine.stdout.split('View definition:\n');
    assert.equal(myColumns, theirColumns);
    assert.match(theirDefinition ?? '', /FROM users\s+WHERE users\.flag;/);
    assert.equal(myDefinition, ' SELECT id, email, name AS full_name, balance * 2 AS doubled FROM users WHERE flag;\n\n');
  });
});

describe('\\dn+ on several storages', () => {
  let server: RunningServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-psql-storages-'));
    server = await startPolygres({
      properties: [
        'scalar.db.storage=multi-storage',
        'scalar.db.multi_storage.storages=main,archive',
        'scalar.db.multi_storage.storages.main.storage=jdbc',
        `scalar.db.multi_storage.storages.main.contact_points=jdbc:sqlite:${join(dir, 'main.sqlite')}`,
        'scalar.db.multi_storage.storages.archive.storage=jdbc',
        `scalar.db.multi_storage.storages.archive.contact_points=jdbc:sqlite:${join(dir, 'archive.sqlite')}`,
        'scalar.db.multi_storage.namespace_mapping=archive:archive',
        'scalar.db.multi_storage.default_storage=main',
      ].join('\n'),
    });
    await query(targetOf(server), 'CREATE SCHEMA archive');
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("each schema's description names its storage, its kind when the name differs, and why it is there", async () => {
    const mine = await runPsql(targetOf(server), ['-A', '-t', '-c', '\\dn+'], { user: USER, database: DATABASE });
    assert.equal(mine.code, 0, mine.stderr);
    assert.match(mine.stdout, /^archive\|postgres\|\|storage: archive \[sqlite\] \(namespace_mapping\)$/m);
    assert.match(mine.stdout, /\|storage: main \[sqlite\] \(default_storage\)$/m);
    const described = await query(targetOf(server), "SELECT obj_description('archive'::regnamespace, 'pg_namespace') AS d");
    assert.equal(described.rows[0].d, 'storage: archive [sqlite] (namespace_mapping)');
  });
});
