/**
 * Every script in tests/sql/scripts runs against a fresh real PostgreSQL database and against a fresh
 * polygres; each statement must give the same command tag, columns, rows and SQLSTATE, except where
 * the script states an expected difference and its reason.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshPostgresDatabase, skipUnlessPostgres } from '../support/storages.js';
import { PolygresInProcessTarget, PostgresTarget } from './support/targets.js';
import { runDifferential } from './support/differential.js';

const scriptsDir = join(import.meta.dirname, 'scripts');
const only = process.env.POLYGRES_SQL_SCRIPT;
const scripts = readdirSync(scriptsDir)
  .filter((f) => f.endsWith('.sql') && (!only || f.includes(only)))
  .sort();

const skip = await skipUnlessPostgres();

describe('differential SQL scripts: polygres answers as PostgreSQL does', { skip }, () => {
  before(() => {
    assert.ok(scripts.length > 0, 'no scripts found');
  });
  for (const file of scripts) {
    test(file, async () => {
      const script = readFileSync(join(scriptsDir, file), 'utf8');
      const db = await freshPostgresDatabase('polygres_diff');
      const postgres = await PostgresTarget.connect(db.url);
      const polygres = await PolygresInProcessTarget.open();
      try {
        const report = await runDifferential(script, postgres, polygres);
        const detail = report.mismatches
          .map((m) => `\n--- ${m.what} differs for:\n${m.sql}\n  postgres: ${JSON.stringify(m.postgres)}\n  polygres: ${JSON.stringify(m.polygres)}`)
          .join('');
        assert.equal(report.mismatches.length, 0, `${report.mismatches.length} of ${report.compared} statements differ:${detail}`);
      } finally {
        await polygres.close();
        await postgres.close();
        await db.drop();
      }
    });
  }
});
