/**
 * Every script in tests/sql/scripts runs against a fresh real PostgreSQL database and against a fresh
 * polygres; each statement must give the same command tag, columns, rows and SQLSTATE, except where
 * the script states an expected difference and its reason.
 *
 * polygres is the real server started through bin/polygres.js and reached over TCP with the same
 * client as PostgreSQL; POLYGRES_SQL_TARGET=inprocess drives the SQL engine in this process instead
 * (faster to debug, same Backend calls the wire makes).
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshPostgresDatabase, skipUnlessPostgres } from '../support/storages.js';
import { PolygresInProcessTarget, PostgresTarget, type SqlTarget } from './support/targets.js';
import { startServer } from '../support/server.js';
import { runDifferential } from './support/differential.js';

const scriptsDir = join(import.meta.dirname, 'scripts');
const only = process.env.POLYGRES_SQL_SCRIPT;
const scripts = readdirSync(scriptsDir)
  .filter((f) => f.endsWith('.sql') && (!only || f.includes(only)))
  .sort();

const skip = await skipUnlessPostgres();
const inProcess = process.env.POLYGRES_SQL_TARGET === 'inprocess';

/** A fresh polygres (its own data directory) and a client session on it. */
async function openPolygres(): Promise<{ target: SqlTarget; close(): Promise<void> }> {
  if (inProcess) {
    const target = await PolygresInProcessTarget.open();
    return { target, close: () => target.close() };
  }
  const server = await startServer();
  try {
    const c = server.connection();
    const target = await PostgresTarget.connect(`postgres://${c.user}@${c.host}:${c.port}/${c.database}`, 'polygres');
    return {
      target,
      close: async () => {
        await target.close();
        await server.stop();
      },
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

describe('differential SQL scripts: polygres answers as PostgreSQL does', { skip }, () => {
  before(() => {
    assert.ok(scripts.length > 0, 'no scripts found');
  });
  for (const file of scripts) {
    test(file, async () => {
      const script = readFileSync(join(scriptsDir, file), 'utf8');
      const db = await freshPostgresDatabase('polygres_diff');
      const postgres = await PostgresTarget.connect(db.url);
      const polygres = await openPolygres();
      try {
        const report = await runDifferential(script, postgres, polygres.target);
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
