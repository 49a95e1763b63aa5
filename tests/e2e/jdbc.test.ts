/**
 * pgjdbc 42.7.14 (tests/clients/jdbc, built with Maven) against the real server, and the same
 * program against the real PostgreSQL: its output must be the same line for line. pgjdbc switches
 * to a named server statement and binary results after prepareThreshold executions and binds
 * numbers, dates and bytes in binary: the program prints which result columns came in binary, and
 * the server's debug log shows the format codes of every Bind. Also setFetchSize inside a
 * transaction (Execute with a row limit), executeBatch, SQLSTATEs, setQueryTimeout (a
 * CancelRequest, 57014), and the metadata pgjdbc reads from pg_catalog and information_schema:
 * DatabaseMetaData getTables/getColumns/getPrimaryKeys/getImportedKeys/getExportedKeys/
 * getIndexInfo/getSchemas/getCatalogs and ResultSetMetaData (nullability, auto-increment, type
 * and table names), and getObject of types pgjdbc looks up in pg_type.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server.js';
import { referencePostgres, referenceUser, runProcessOutput, skipUnlessTools, startPolygres, USER } from './support.js';

const clientDir = new URL('../clients/jdbc/', import.meta.url).pathname;
const toolsSkip = skipUnlessTools('the pgjdbc suite (tests/clients/jdbc)', [
  ['java', ['-version']],
  ['mvn', ['-v']],
]);
const { reference, skip: postgresSkip } = toolsSkip ? { reference: null, skip: toolsSkip } : await referencePostgres('polygres_e2e_jdbc');
const skip = toolsSkip || postgresSkip;

interface BindLog {
  readonly msg?: string;
  readonly paramFormats?: number[];
  readonly resultFormats?: number[];
}

function runClient(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const classpath = [join(clientDir, 'target', 'classes'), join(clientDir, 'target', 'lib', '*')].join(':');
  return runProcessOutput('java', ['-Duser.timezone=UTC', '-cp', classpath, 'dev.polygres.clients.jdbc.JdbcClient', url], 180_000);
}

let ours: { code: number | null; stdout: string; stderr: string } = { code: null, stdout: '', stderr: '' };
let theirs: { code: number | null; stdout: string; stderr: string } = { code: null, stdout: '', stderr: '' };

describe('pgjdbc against the real server, compared with PostgreSQL', { skip }, () => {
  let server: RunningServer;

  before(async () => {
    const build = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: clientDir, encoding: 'utf8', timeout: 600_000 });
    assert.equal(build.status, 0, `mvn package failed:\n${build.stdout}\n${build.stderr}`);
    server = await startPolygres({ env: { POLYGRES_LOG_LEVEL: 'debug' } });
    const params = 'prepareThreshold=2&ApplicationName=polygres-e2e';
    [ours, theirs] = await Promise.all([
      // polygres serves any database name: the same name as the reference's keeps TABLE_CAT equal.
      runClient(`jdbc:postgresql://${server.host}:${server.port}/${reference!.database}?user=${USER}&${params}`),
      runClient(`jdbc:postgresql://${reference!.target.host}:${reference!.target.port}/${reference!.database}?user=${referenceUser()}&${params}`),
    ]);
  });
  after(async () => {
    await server?.stop();
    await reference?.drop();
  });

  test('the program runs to its end on both servers and prints the same thing', () => {
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout);
  });

  test('values of every column type come back as PostgreSQL sends them (typed getters, arrays, NULLs)', () => {
    const rows = ours.stdout.split('\n').filter((l) => l.startsWith('round 4 row'));
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /i8=Long:-9223372036854775808 .* n=BigDecimal:123456789012345\.12345 .* by=bytes:00ff41 .* u=UUID:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 .* ai=array:\[1, null, 3\] \| at=array:\[a b, c,d, null\]/);
    assert.match(rows[2]!, /^round 4 row \| id=Integer:3( \| \w+=null)+$/);
  });

  test('pgjdbc received binary results once the statement was prepared on the server', () => {
    const formats = new Map(ours.stdout.split('\n').filter((l) => l.startsWith('format ')).map((l) => l.slice('format '.length).split('=') as [string, string]));
    for (const column of ['id', 'i2', 'i4', 'i8', 'f4', 'f8', 'n', 'by', 'd', 'tm', 'ts', 'tz', 'u', 'ai', 'at']) {
      assert.equal(formats.get(column), '1', `column ${column} in binary`);
    }
    assert.equal(formats.get('t'), '0', 'text stays text');
  });

  test("the server's Bind log shows binary parameters and binary result columns", () => {
    const binds = server.logs.map((l) => JSON.parse(l) as BindLog).filter((e) => e.msg === 'bind');
    assert.ok(binds.length > 10, `${binds.length} Bind messages`);
    assert.ok(binds.some((b) => b.resultFormats?.includes(1)), 'some result columns in binary');
    assert.ok(binds.some((b) => b.paramFormats?.includes(1)), 'some parameters in binary');
  });

  test('setFetchSize(100) in a transaction reads 10,000 rows; executeBatch, SQLSTATEs and setQueryTimeout (57014)', () => {
    const lines = ours.stdout.split('\n');
    assert.ok(lines.includes('fetch count=10000 sum=50005000 last=row 10000'));
    assert.ok(lines.includes('batch statements=500 rows=500'));
    assert.ok(lines.includes('error 23505 ERROR: duplicate key value violates unique constraint "jdbc_batch_pkey"'));
    assert.ok(lines.includes('error 22012 ERROR: division by zero'));
    assert.ok(lines.includes('timeout 57014 ERROR: canceling statement due to user request'));
    assert.ok(lines.includes('after timeout still here'));
  });
});

describe('pgjdbc metadata', { skip }, () => {
  test('DatabaseMetaData and ResultSetMetaData give what they give against PostgreSQL (compared line by line above)', () => {
    // The comparison is the first suite's; these lines pin down that the metadata really came back.
    const lines = ours.stdout.split('\n').filter((l) => l.startsWith('meta '));
    assert.ok(lines.includes('meta pk | TABLE_NAME=meta_child | COLUMN_NAME=parent_id | KEY_SEQ=1 | PK_NAME=meta_child_pkey'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('meta imported | PKTABLE_NAME=meta_parent | PKCOLUMN_NAME=id | FKTABLE_NAME=meta_child | FKCOLUMN_NAME=parent_id | KEY_SEQ=1 | UPDATE_RULE=3 | DELETE_RULE=0')));
    assert.ok(lines.some((l) => /^meta column \| TABLE_NAME=meta_parent \| COLUMN_NAME=id .*IS_AUTOINCREMENT=YES/.test(l)));
    assert.ok(lines.some((l) => /^meta result id \| nullable=0 \| autoIncrement=true .*table=meta_parent/.test(l)));
    assert.ok(lines.includes('meta catalogs include the current database: true'));
  });
});
