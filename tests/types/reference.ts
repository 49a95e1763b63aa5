/**
 * The real PostgreSQL as the reference for differential tests of src/types: runs a type's own
 * input function (with typmod) on many strings in one round trip and returns what PostgreSQL
 * printed and sent, or the error it raised.
 */
import pg from 'pg';
import assert from 'node:assert/strict';
import { postgresAdminUrl } from '../support/storages.js';
import { SqlError } from '../../src/errors.js';
import { DEFAULT_CODEC_CONTEXT, encodeBinary, formatText, parseText, type CodecContext } from '../../src/types/codec.js';

export interface Outcome {
  /** Output function text, or null on error. */
  out: string | null;
  /** typsend bytes as hex, when asked for. */
  send?: string | null;
  code?: string;
  message?: string;
  detail?: string | null;
  hint?: string | null;
  /** The "JSON data, line N: ..." context of json errors. */
  where?: string | null;
}

/** PostgreSQL's context lines end with the PL/pgSQL frames of the probe; only the JSON line matters. */
function jsonContext(context: string | null): string | null {
  const first = context?.split('\n')[0] ?? '';
  return first.startsWith('JSON data') ? first : null;
}

let clientPromise: Promise<pg.Client> | undefined;

/** One shared connection (small: tests run two files at a time). Every value comes back as text. */
export function referenceClient(): Promise<pg.Client> {
  clientPromise ??= (async () => {
    const client = new pg.Client({
      connectionString: postgresAdminUrl,
      types: { getTypeParser: () => (v: string) => v },
    });
    await client.connect();
    await client.query(`
      CREATE FUNCTION pg_temp.polygres_probe(typ regtype, typmod int, input text, want_send bool,
        OUT res text, OUT send text, OUT code text, OUT message text, OUT detail text, OUT hint text, OUT context text) AS $$
      DECLARE t pg_type%ROWTYPE;
      BEGIN
        SELECT * INTO t FROM pg_type WHERE oid = typ;
        EXECUTE format('SELECT %s(v)::text, %s FROM (SELECT %s(%L::cstring%s) AS v) s',
          t.typoutput, CASE WHEN want_send THEN format('encode(%s(v), ''hex'')', t.typsend) ELSE 'NULL' END,
          t.typinput, input,
          CASE WHEN (SELECT pronargs FROM pg_proc WHERE oid = t.typinput) = 3
            THEN format(', %s, %s', CASE WHEN t.typelem <> 0 THEN t.typelem ELSE t.oid END, typmod) ELSE '' END)
          INTO res, send;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT, context = PG_EXCEPTION_CONTEXT;
      END $$ LANGUAGE plpgsql`);
    return client;
  })();
  return clientPromise;
}

export async function closeReference(): Promise<void> {
  if (!clientPromise) return;
  const c = await clientPromise;
  clientPromise = undefined;
  await c.end();
}

/** SET statements for a context, so PostgreSQL writes values as polygres is asked to. */
export function settingsSql(ctx: CodecContext): string {
  return [
    `SET DateStyle = '${ctx.dateStyle}'`,
    `SET TimeZone = '${ctx.timeZone}'`,
    `SET IntervalStyle = '${ctx.intervalStyle}'`,
    `SET extra_float_digits = ${ctx.extraFloatDigits}`,
    `SET bytea_output = '${ctx.byteaOutput}'`,
  ].join('; ');
}

/** PostgreSQL's input → output (and send) for each input, under `ctx`; `now` is pinned inside one transaction. */
export async function referenceOutcomes(
  typeName: string,
  typmod: number,
  inputs: readonly string[],
  ctx: CodecContext = DEFAULT_CODEC_CONTEXT,
  wantSend = false,
): Promise<{ outcomes: Outcome[]; now: bigint }> {
  const client = await referenceClient();
  await client.query('BEGIN');
  try {
    await client.query(settingsSql(ctx));
    const nowRow = await client.query<{ now: string }>(`SELECT ((extract(epoch from now()) * 1000000)::numeric)::bigint::text AS now`);
    const res = await client.query<{ res: string | null; send: string | null; code: string | null; message: string | null; detail: string | null; hint: string | null; context: string | null }>(
      `SELECT p.* FROM unnest($1::text[]) WITH ORDINALITY AS i(input, n), pg_temp.polygres_probe($2::regtype, $3, i.input, $4) p ORDER BY i.n`,
      [inputs, typeName, typmod, wantSend],
    );
    return {
      now: BigInt(nowRow.rows[0]!.now),
      outcomes: res.rows.map((r) =>
        r.code === null
          ? { out: r.res, send: r.send }
          : { out: null, code: r.code, message: r.message ?? '', detail: r.detail || null, hint: r.hint || null, where: jsonContext(r.context) },
      ),
    };
  } finally {
    await client.query('ROLLBACK');
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** polygres's outcome for the same input. */
export function polygresOutcome(oid: number, typmod: number, input: string, ctx: CodecContext, wantSend: boolean): Outcome {
  try {
    const v = parseText(oid, input, typmod, ctx);
    const out = formatText(oid, v, ctx);
    return wantSend ? { out, send: hex(encodeBinary(oid, v)) } : { out };
  } catch (e) {
    if (e instanceof SqlError) return { out: null, code: e.code, message: e.message, detail: e.detail ?? null, hint: e.hint ?? null, where: e.where ?? null };
    return { out: null, code: 'JS', message: String((e as Error).stack ?? e) };
  }
}

export interface Mismatch {
  input: string;
  postgres: Outcome;
  polygres: Outcome;
}

/**
 * Runs every input through PostgreSQL and polygres and returns the differences. Output, send bytes,
 * SQLSTATE, message, detail and hint must all match.
 */
export async function compareInputs(
  typeName: string,
  oid: number,
  typmod: number,
  inputs: readonly string[],
  ctx: CodecContext = DEFAULT_CODEC_CONTEXT,
  options: { send?: boolean; checkDetail?: boolean } = {},
): Promise<{ mismatches: Mismatch[]; total: number }> {
  const wantSend = options.send ?? false;
  const { outcomes, now } = await referenceOutcomes(typeName, typmod, inputs, ctx, wantSend);
  const localCtx: CodecContext = { ...ctx, now };
  const mismatches: Mismatch[] = [];
  inputs.forEach((input, k) => {
    const pgOut = outcomes[k]!;
    const ours = polygresOutcome(oid, typmod, input, localCtx, wantSend);
    const same =
      pgOut.out === ours.out &&
      (!wantSend || pgOut.send === ours.send) &&
      pgOut.code === ours.code &&
      pgOut.message === ours.message &&
      (options.checkDetail === false || ((pgOut.detail ?? null) === (ours.detail ?? null) && (pgOut.hint ?? null) === (ours.hint ?? null))) &&
      (pgOut.where ?? null) === (ours.where ?? null);
    if (!same) mismatches.push({ input, postgres: pgOut, polygres: ours });
  });
  return { mismatches, total: inputs.length };
}

export function assertNoMismatches(label: string, result: { mismatches: Mismatch[]; total: number }): void {
  if (result.mismatches.length === 0) return;
  const lines = result.mismatches.slice(0, 40).map((m) => `  ${JSON.stringify(m.input)}\n    postgres: ${JSON.stringify(m.postgres)}\n    polygres: ${JSON.stringify(m.polygres)}`);
  assert.fail(`${label}: ${result.mismatches.length} of ${result.total} inputs differ from PostgreSQL\n${lines.join('\n')}`);
}
