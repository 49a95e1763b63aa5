/**
 * psql (libpq) against the wire server: scripted with -c / -f, and interactively through a pty
 * (`script`) for backslash commands, the transaction-state prompt and Ctrl-C cancel.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runPsql, startFixtureServer, type FixtureServer, type Target } from './support.js';

/** psql in a pseudo-terminal made by script(1); input is typed, output is awaited by pattern. */
class InteractivePsql {
  private output = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private exited = false;

  constructor(target: Target) {
    const command = `psql -X -h ${target.host} -p ${target.port} -U alice -d db --pset=pager=off`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, TERM: 'dumb', PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' },
    });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.output += d.replace(/\r/g, '')));
    this.child.on('exit', () => (this.exited = true));
  }

  type(text: string): void {
    this.child.stdin.write(text);
  }

  /** Waits until the output after `from` matches; returns that part of the output. */
  async expect(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.output.slice(from);
      if (pattern.test(seen)) return seen;
      if (this.exited || Date.now() > deadline) assert.fail(`psql output did not match ${pattern}:\n${seen}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get length(): number {
    return this.output.length;
  }

  close(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

describe('psql', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startFixtureServer();
  });
  after(() => server.close());

  test('psql -c prints an aligned result table', async () => {
    const r = await runPsql(server, ['-v', 'ON_ERROR_STOP=1', '-c', 'SELECT * FROM series(2)']);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        ' n | label |     big     | even ',
        '---+-------+-------------+------',
        ' 1 | row 1 | 10000000000 | f',
        ' 2 | row 2 | 20000000000 | t',
        '(2 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  test('psql -f runs a script with variables and transactions and stops at the first error (exit 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polygres-wire-psql-'));
    const script = join(dir, 'script.sql');
    writeFileSync(
      script,
      [
        '\\set rows 3',
        'SELECT n FROM series(:rows);',
        'BEGIN;',
        "SET application_name = 'from-script';",
        'SHOW application_name;',
        'COMMIT;',
        "SELECT notice('half way');",
        "SELECT fail('22023', 'bad thing');",
        'SELECT 1;',
        '',
      ].join('\n'),
    );
    const r = await runPsql(server, ['-v', 'ON_ERROR_STOP=1', '-tA', '-f', script]);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, ['1', '2', '3', 'BEGIN', 'SET', 'from-script', 'COMMIT', 'half way', ''].join('\n'));
    assert.equal(
      r.stderr,
      [
        `psql:${script}:7: NOTICE:  half way`,
        `psql:${script}:8: ERROR:  bad thing`,
        "LINE 1: SELECT fail('22023', 'bad thing');",
        '               ^',
        'DETAIL:  fixture detail',
        'HINT:  fixture hint',
        '',
      ].join('\n'),
    );
  });

  test('a connection failure is reported by psql with the server\'s FATAL message', async () => {
    const r = await runPsql(server, ['-c', 'SELECT 1'], { database: 'nosuchdb' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /FATAL:  database "nosuchdb" does not exist/);
  });

  test('interactive psql: banner, \\set and \\echo, a query, the transaction prompt and Ctrl-C cancel', async () => {
    const psql = new InteractivePsql(server);
    try {
      await psql.expect(/server 16\.4\)[\s\S]*db=# $/);
      let mark = psql.length;
      psql.type('\\set answer 42\n\\echo the answer is :answer\n');
      await psql.expect(/the answer is 42\ndb=# $/, mark);

      mark = psql.length;
      psql.type('SELECT n FROM series(:answer) ;\n');
      await psql.expect(/\(42 rows\)\n\ndb=# $/, mark);

      // psql draws the transaction state from ReadyForQuery: * in a block, ! in a failed one.
      mark = psql.length;
      psql.type('BEGIN;\n');
      await psql.expect(/BEGIN\ndb=\*# $/, mark);
      mark = psql.length;
      psql.type('SELECT 1/0;\n');
      await psql.expect(/ERROR: {2}division by zero\ndb=!# $/, mark);
      mark = psql.length;
      psql.type('ROLLBACK;\n');
      await psql.expect(/ROLLBACK\ndb=# $/, mark);

      mark = psql.length;
      psql.type('SELECT sleep_until_cancelled();\n');
      await psql.expect(/sleep_until_cancelled\(\);\n$/, mark);
      const started = Date.now();
      while (!server.backend.executed.includes('SELECT sleep_until_cancelled()')) {
        assert.ok(Date.now() - started < 10_000, 'the statement never started');
        await new Promise((r) => setTimeout(r, 25));
      }
      psql.type('\x03');
      await psql.expect(/Cancel request sent\nERROR: {2}canceling statement due to user request\ndb=# $/, mark);

      mark = psql.length;
      psql.type('SELECT 7;\n');
      await psql.expect(/ 7\n\(1 row\)\n\ndb=# $/, mark);
      psql.type('\\q\n');
    } finally {
      psql.close();
    }
  });
});
