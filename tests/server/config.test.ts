import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProperties, substituteEnvironment } from '../../src/server/properties.js';
import { loadConfig, helpText, SETTINGS, envName } from '../../src/server/config.js';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'polygres-config-'));
  const path = join(dir, 'scalardb.properties');
  writeFileSync(path, text);
  return path;
}

/** The seed's scalardb.properties, unchanged. */
const SEED = `# scalardb.properties
scalar.db.storage=multi-storage
scalar.db.transaction_manager=consensus-commit

# Storage definitions
scalar.db.multi_storage.storages=postgres,cassandra

# PostgreSQL storage
scalar.db.multi_storage.storages.postgres.storage=jdbc
scalar.db.multi_storage.storages.postgres.contact_points=jdbc:postgresql://postgres:5432/scalardb
scalar.db.multi_storage.storages.postgres.username=\${POSTGRES_USER}
scalar.db.multi_storage.storages.postgres.password=\${POSTGRES_PASSWORD}

# Cassandra storage
scalar.db.multi_storage.storages.cassandra.storage=cassandra
scalar.db.multi_storage.storages.cassandra.contact_points=cassandra-1,cassandra-2,cassandra-3
scalar.db.multi_storage.storages.cassandra.username=\${CASSANDRA_USER}
scalar.db.multi_storage.storages.cassandra.password=\${CASSANDRA_PASSWORD}

# Namespace mapping
scalar.db.multi_storage.namespace_mapping=identity:postgres,audit:postgres,file:postgres,event:cassandra,coordinator:postgres
scalar.db.multi_storage.default_storage=postgres
scalar.db.consensus_commit.coordinator.group_commit.enabled=true
scalar.db.consensus_commit.coordinator.group_commit.slot_capacity=20
`;
const seedEnv = { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'p@ss:w/rd', CASSANDRA_USER: 'cu', CASSANDRA_PASSWORD: 'cp' };

test('properties files follow Java syntax: separators, comments, continuations, escapes', () => {
  const p = parseProperties('# c\n! c\na=1\nb : 2\nc 3\nd=one \\\n   two\ne=tab\\there\\u0041\n  f=  spaced  \n');
  assert.deepEqual(Object.fromEntries(p), { a: '1', b: '2', c: '3', d: 'one two', e: 'tab\thereA', f: 'spaced  ' });
});

test('${ENV} and ${ENV:-default} are substituted; a missing variable names the key', () => {
  const out = substituteEnvironment(new Map([['k', 'x=${A}/${B:-dflt}']]), { A: 'a' });
  assert.equal(out.get('k'), 'x=a/dflt');
  assert.throws(() => substituteEnvironment(new Map([['my.key', '${NOPE}']]), {}), /my\.key.*NOPE/);
});

test('no configuration means one embedded SQLite file under ./polygres-data/', () => {
  const c = loadConfig({ argv: [], env: {} });
  assert.equal(c.storages.length, 1);
  assert.equal(c.storages[0]!.kind, 'sqlite');
  assert.match(c.storages[0]!.contactPoints, /polygres-data\/polygres\.sqlite$/);
  assert.equal(c.int('polygres.port'), 5433);
  assert.equal(c.int('polygres.http_port'), 8080);
});

test("the seed's multi-storage file loads unchanged, with environment substitution", () => {
  const c = loadConfig({ argv: ['--config', configFile(SEED)], env: seedEnv });
  assert.deepEqual(c.storages.map((s) => [s.name, s.kind]), [['postgres', 'postgres'], ['cassandra', 'cassandra']]);
  const pgUrl = new URL(c.storages[0]!.contactPoints);
  assert.equal(pgUrl.hostname, 'postgres');
  assert.equal(decodeURIComponent(pgUrl.username), 'app');
  assert.equal(decodeURIComponent(pgUrl.password), 'p@ss:w/rd');
  assert.equal(pgUrl.pathname, '/scalardb');
  assert.equal(c.storages[1]!.contactPoints, 'cassandra-1,cassandra-2,cassandra-3');
  assert.equal(c.storages[1]!.username, 'cu');
  assert.equal(c.namespaceMapping.get('event'), 'cassandra');
  assert.equal(c.namespaceMapping.get('coordinator'), 'postgres');
  assert.equal(c.defaultStorage, 'postgres');
  assert.equal(c.consensusCommit.get('coordinator.group_commit.slot_capacity'), '20');
});

test('an invalid mapping fails at startup with a message naming the key', () => {
  const bad = SEED.replace('event:cassandra', 'event:cassandra2');
  assert.throws(() => loadConfig({ argv: ['--config', configFile(bad)], env: seedEnv }), /scalar\.db\.multi_storage\.namespace_mapping.*cassandra2/);
  const badDefault = SEED.replace('default_storage=postgres', 'default_storage=mysql');
  assert.throws(() => loadConfig({ argv: ['--config', configFile(badDefault)], env: seedEnv }), /scalar\.db\.multi_storage\.default_storage/);
  const badForm = SEED.replace('event:cassandra', 'event');
  assert.throws(() => loadConfig({ argv: ['--config', configFile(badForm)], env: seedEnv }), /namespace_mapping.*namespace:storage/);
  const badKind = SEED.replace('postgres.storage=jdbc', 'postgres.storage=mongodb');
  assert.throws(() => loadConfig({ argv: ['--config', configFile(badKind)], env: seedEnv }), /storages\.postgres\.storage/);
});

test('flags override the environment, which overrides the file', () => {
  const file = configFile('polygres.port=7000\npolygres.http_port=7001\npolygres.host=0.0.0.0\n');
  const c = loadConfig({ argv: ['--config', file, '--port', '7100'], env: { POLYGRES_HTTP_PORT: '7200' } });
  assert.equal(c.int('polygres.port'), 7100);
  assert.equal(c.int('polygres.http_port'), 7200);
  assert.equal(c.str('polygres.host'), '0.0.0.0');
  const viaEnvFile = loadConfig({ argv: [], env: { POLYGRES_CONFIG: file } });
  assert.equal(viaEnvFile.int('polygres.port'), 7000);
});

test('bad values and unknown flags are reported by name', () => {
  assert.throws(() => loadConfig({ argv: ['--port', 'abc'], env: {} }), /polygres\.port must be an integer/);
  assert.throws(() => loadConfig({ argv: ['--bogus'], env: {} }), /unknown option "--bogus"/);
  assert.throws(() => loadConfig({ argv: [], env: { POLYGRES_NODE_ID: '5000' } }), /node_id/);
});

test('--help lists every setting with its flag and environment variable', () => {
  const help = helpText();
  for (const s of SETTINGS) {
    assert.ok(help.includes(s.key), s.key);
    assert.ok(help.includes(envName(s.key)), envName(s.key));
  }
});
