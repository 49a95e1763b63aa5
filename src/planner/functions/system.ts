/** Session and system information functions, sequences, settings, advisory-lock stubs, uuid generation. */
import { randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { SqlArray } from '../../types/values.js';
import { BUILTINS as R } from './registry.js';

export const POLYGRES_VERSION = '0.1.0';
const SLEEP_STEP_MS = 10;
/** A void result is not NULL: it prints as an empty string. */
const VOID = '';

R.fn('version', [], 'text', (_a, ctx) => `PostgreSQL ${ctx.session.setting('server_version', true) ?? '15.0'} (polygres ${POLYGRES_VERSION}) on x86_64-pc-linux-gnu, compiled by node, 64-bit`, { volatility: 's' });
R.fn('current_database', [], 'name', (_a, ctx) => ctx.session.database, { volatility: 's' });
R.fn('current_catalog', [], 'name', (_a, ctx) => ctx.session.database, { volatility: 's' });
R.fn('current_user', [], 'name', (_a, ctx) => ctx.session.user, { volatility: 's' });
R.fn('session_user', [], 'name', (_a, ctx) => ctx.session.user, { volatility: 's' });
R.fn('current_role', [], 'name', (_a, ctx) => ctx.session.user, { volatility: 's' });
R.fn('user', [], 'name', (_a, ctx) => ctx.session.user, { volatility: 's' });
R.fn('current_schema', [], 'name', (_a, ctx) => {
  const catalog = ctx.session.catalog();
  for (const name of ctx.session.searchPath()) {
    const s = catalog.schemaByName(name === '$user' ? ctx.session.user : name);
    if (s) return s.name;
  }
  return null;
}, { volatility: 's' });
R.fn('current_schemas', ['bool'], '_name', ([implicit], ctx) => {
  const catalog = ctx.session.catalog();
  const names = catalog.searchSchemas(ctx.session.searchPath(), ctx.session.user).map((s) => s.name);
  return new SqlArray(Oid.name, implicit ? names : names.filter((n) => n !== 'pg_catalog'));
}, { volatility: 's' });
R.fn('pg_backend_pid', [], 'int4', (_a, ctx) => ctx.session.backendPid, { volatility: 's' });
R.fn('pg_is_in_recovery', [], 'bool', () => false, { volatility: 'v' });
R.fn('inet_server_port', [], 'int4', () => null, { volatility: 's', strict: false });

R.fn('current_setting', ['text'], 'text', ([name], ctx) => ctx.session.setting(name as string, false) ?? null, { volatility: 's' });
R.fn('current_setting', ['text', 'bool'], 'text', ([name, missingOk], ctx) => ctx.session.setting(name as string, missingOk as boolean) ?? null, { volatility: 's' });
R.fn('set_config', ['text', 'text', 'bool'], 'text', ([name, value, local], ctx) => {
  if (name === null) throw new SqlError(SqlState.nullValueNotAllowed, 'SET requires parameter name');
  return ctx.session.setSetting(name as string, (value as string | null) ?? '', (local as boolean | null) ?? false);
}, { volatility: 'v', strict: false });

R.asyncFn('nextval', ['regclass'], 'int8', ([oid], ctx) => ctx.session.nextval(oid as number));
R.fn('currval', ['regclass'], 'int8', ([oid], ctx) => ctx.session.currval(oid as number), { volatility: 'v' });
R.fn('lastval', [], 'int8', (_a, ctx) => ctx.session.lastval(), { volatility: 'v' });
R.asyncFn('setval', ['regclass', 'int8'], 'int8', ([oid, v], ctx) => ctx.session.setval(oid as number, v as bigint, true));
R.asyncFn('setval', ['regclass', 'int8', 'bool'], 'int8', ([oid, v, called], ctx) => ctx.session.setval(oid as number, v as bigint, called as boolean));

R.fn('gen_random_uuid', [], 'uuid', () => randomUUID(), { volatility: 'v' });
R.fn('uuid_generate_v4', [], 'uuid', () => randomUUID(), { volatility: 'v' });

R.fn('pg_typeof', ['any'], 'regtype', (_a, _ctx, types) => types[0]!.oid, { strict: false, volatility: 's' });

// Advisory locks are accepted and always granted: polygres nodes share no lock manager yet.
// Migration tools (Prisma, Flyway, golang-migrate) take one around their work; granting it keeps
// them working on a single node.
for (const name of ['pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock_shared']) {
  R.fn(name, ['int8'], 'void', () => VOID, { volatility: 'v' });
  R.fn(name, ['int4', 'int4'], 'void', () => VOID, { volatility: 'v' });
}
for (const name of ['pg_try_advisory_lock', 'pg_try_advisory_xact_lock', 'pg_advisory_unlock', 'pg_try_advisory_lock_shared', 'pg_advisory_unlock_shared']) {
  R.fn(name, ['int8'], 'bool', () => true, { volatility: 'v' });
  R.fn(name, ['int4', 'int4'], 'bool', () => true, { volatility: 'v' });
}
R.fn('pg_advisory_unlock_all', [], 'void', () => VOID, { volatility: 'v' });
/** Sleeps in short steps so that a cancel or statement_timeout interrupts it. */
R.asyncFn('pg_sleep', ['float8'], 'void', async ([seconds], ctx) => {
  const until = Date.now() + Math.max(0, (seconds as number) * 1000);
  while (Date.now() < until) {
    ctx.checkCancel();
    await new Promise((resolve) => setTimeout(resolve, Math.min(SLEEP_STEP_MS, until - Date.now())));
  }
  ctx.checkCancel();
  return VOID;
});

/** The storage a schema's tables live in (or would, for a schema not created yet), by its configured name. */
R.fn('polygres_schema_storage', ['text'], 'text', ([name], ctx) => ctx.session.schemaStorage(name as string)?.name ?? null, { volatility: 's' });
