/**
 * The differential SQL scripts (tests/sql/scripts) with every user schema on Cassandra: polygres runs
 * on the seed's two storages with Cassandra as the default storage (the catalog and the coordinator
 * stay on PostgreSQL), and each statement must answer as PostgreSQL does, as it must with the
 * default schema on PostgreSQL or SQLite (tests/sql/differential.test.ts). The same table
 * definitions give the same results on either storage; the only differences are listed below,
 * each with its reason, and each must still occur (so that the list cannot go stale).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshPostgresDatabase } from '../support/storages.js';
import { PostgresTarget } from '../sql/support/targets.js';
import { runDifferential, type Mismatch } from '../sql/support/differential.js';
import { CrossStorageDeployment, skipUnlessBothStorages } from './support.js';

const scriptsDir = join(import.meta.dirname, '..', 'sql', 'scripts');
const only = process.env.POLYGRES_SQL_SCRIPT;
const scripts = readdirSync(scriptsDir)
  .filter((f) => f.endsWith('.sql') && (!only || f.includes(only)))
  .sort();

interface ExpectedDifference {
  readonly script: string;
  /** The statement, as written in the script (exact text). */
  readonly sql: string;
  readonly reason: string;
}

/** What Cassandra cannot do that PostgreSQL does, statement by statement. */
const CASSANDRA_DIFFERENCES: readonly ExpectedDifference[] = [
  {
    script: '09-types.sql',
    sql: "INSERT INTO k_text VALUES ('b', 2), ('a', 1), ('ab', 3), ('', 0);",
    reason: "Cassandra stores no empty one-column partition key: the '' row is refused with 0A000 (and the whole statement with it)",
  },
  { script: '09-types.sql', sql: 'SELECT * FROM k_text ORDER BY k;', reason: 'the INSERT above was refused: k_text is empty' },
  { script: '09-types.sql', sql: "SELECT v FROM k_text WHERE k = 'ab';", reason: 'the INSERT above was refused: k_text is empty' },
];

const skip = await skipUnlessBothStorages();

describe('differential SQL scripts with the default schema on Cassandra', { skip, concurrency: 1 }, () => {
  for (const file of scripts) {
    test(file, { timeout: 600_000 }, async () => {
      const script = readFileSync(join(scriptsDir, file), 'utf8');
      const deployment = await CrossStorageDeployment.create({
        namespaceMapping: 'coordinator:postgres,polygres_system:postgres',
        defaultStorage: 'cassandra',
      });
      const reference = await freshPostgresDatabase('polygres_diff');
      const postgres = await PostgresTarget.connect(reference.url);
      let polygres: PostgresTarget | null = null;
      try {
        const server = await deployment.start();
        const c = server.connection();
        polygres = await PostgresTarget.connect(`postgres://${c.user}@${c.host}:${c.port}/${c.database}`, 'polygres');
        const report = await runDifferential(script, postgres, polygres);
        const expected = CASSANDRA_DIFFERENCES.filter((d) => d.script === file);
        const isExpected = (m: Mismatch) => expected.some((d) => d.sql === m.sql);
        const unexpected = report.mismatches.filter((m) => !isExpected(m));
        const detail = unexpected
          .map((m) => `\n--- ${m.what} differs for:\n${m.sql}\n  postgres: ${JSON.stringify(m.postgres)}\n  polygres: ${JSON.stringify(m.polygres)}`)
          .join('');
        assert.equal(unexpected.length, 0, `${unexpected.length} of ${report.compared} statements differ on Cassandra:${detail}`);
        for (const d of expected) {
          assert.ok(report.mismatches.some((m) => m.sql === d.sql), `listed difference no longer occurs (remove it): ${d.sql}`);
        }
      } finally {
        await polygres?.close();
        await postgres.close();
        await reference.drop();
        await deployment.destroy();
      }
    });
  }
});
