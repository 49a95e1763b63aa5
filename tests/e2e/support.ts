/**
 * End-to-end helpers: the real server (bin/polygres.js through tests/support/server.ts) reached by
 * real clients over TCP, with the raw protocol client of tests/wire/support.ts, and the real
 * PostgreSQL (POLYGRES_TEST_PG_URL) as the reference for differential checks.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startServer, type RunningServer, type ServerOptions } from '../support/server.js';
import { freshPostgresDatabase, postgresAdminUrl, skipUnlessPostgres, storagesRequired, type FreshDatabase } from '../support/storages.js';
import { commandTag, dataRowValues, errorFields, RawClient, readyStatus, runProcess, types, type Frame, type Target } from '../wire/support.js';

export { commandTag, dataRowValues, delay, errorFields, eventually, RawClient, readyStatus, runPsql, types } from '../wire/support.js';
export type { Frame, Target } from '../wire/support.js';

/** The user and database e2e tests connect as (trust authentication by default). */
export const USER = 'postgres';
export const DATABASE = 'postgres';

export async function startPolygres(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer(options);
}

export function targetOf(server: RunningServer): Target {
  return { host: server.host, port: server.port };
}

/** A connected node-postgres client; the caller ends it. */
export async function pgClient(target: Target, config: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: target.host, port: target.port, user: USER, database: DATABASE, ...config });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return client;
}

/** Runs one query string on a fresh connection. */
export async function query(target: Target, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = await pgClient(target);
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A raw protocol connection through startup (trust), up to the first ReadyForQuery. */
export async function rawSession(target: Target, params: Record<string, string> = { user: USER, database: DATABASE }): Promise<{ client: RawClient; startup: Frame[] }> {
  const client = await RawClient.connect(target);
  const startup = await client.startup(params);
  return { client, startup };
}

/** Sends a simple Query and reads to its ReadyForQuery. */
export async function simpleQuery(client: RawClient, sql: string, timeoutMs = 30_000): Promise<Frame[]> {
  client.send(serialize.query(sql));
  return client.readUntil('Z', timeoutMs);
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** An untyped startup-family packet: length, code, body. */
export function startupPacket(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([int32(8 + body.length), int32(code), body]);
}

export function startupParams(params: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(params)) parts.push(Buffer.from(`${k}\0${v}\0`));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function parameterStatuses(frames: readonly Frame[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of frames.filter((x) => x.type === 'S')) {
    const [name, value] = f.body.toString('utf8').split('\0');
    out.set(name!, value!);
  }
  return out;
}

export function errorOf(frames: readonly Frame[]): Record<string, string> {
  const e = frames.find((f) => f.type === 'E');
  assert.ok(e, `expected an ErrorResponse in ${types(frames)}`);
  return errorFields(e);
}

export function backendKey(frames: readonly Frame[]): { pid: number; secret: number } {
  const k = frames.find((f) => f.type === 'K');
  assert.ok(k, `expected BackendKeyData in ${types(frames)}`);
  return { pid: k.body.readInt32BE(0), secret: k.body.readInt32BE(4) };
}

/** RowDescription fields: name, table OID, column number, type OID, size, modifier, format. */
export function rowDescription(frame: Frame): Array<{ name: string; tableOid: number; column: number; typeOid: number; typeSize: number; typeModifier: number; format: number }> {
  const b = frame.body;
  const count = b.readInt16BE(0);
  const out = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const end = b.indexOf(0, at);
    const name = b.subarray(at, end).toString('utf8');
    at = end + 1;
    out.push({
      name,
      tableOid: b.readUInt32BE(at),
      column: b.readInt16BE(at + 4),
      typeOid: b.readUInt32BE(at + 6),
      typeSize: b.readInt16BE(at + 10),
      typeModifier: b.readInt32BE(at + 12),
      format: b.readInt16BE(at + 16),
    });
    at += 18;
  }
  return out;
}

/** DataRow values as raw bytes (null for SQL NULL), for binary results. */
export function dataRowBytes(frame: Frame): Array<Buffer | null> {
  const count = frame.body.readInt16BE(0);
  const out: Array<Buffer | null> = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = frame.body.readInt32BE(offset);
    offset += 4;
    if (length < 0) out.push(null);
    else {
      out.push(Buffer.from(frame.body.subarray(offset, offset + length)));
      offset += length;
    }
  }
  return out;
}

/** The real PostgreSQL used as the reference: a fresh database on it, or a skip reason. */
export interface Reference {
  readonly target: Target;
  readonly database: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function referencePostgres(prefix = 'polygres_e2e'): Promise<{ reference: Reference | null; skip: string | false }> {
  const skip = await skipUnlessPostgres();
  if (skip) return { reference: null, skip };
  const db: FreshDatabase = await freshPostgresDatabase(prefix);
  const admin = new URL(postgresAdminUrl);
  return {
    reference: { target: { host: admin.hostname, port: Number(admin.port || 5432) }, database: db.name, url: db.url, drop: () => db.drop() },
    skip: false,
  };
}

/** The user name the reference PostgreSQL is reached as. */
export function referenceUser(): string {
  return decodeURIComponent(new URL(postgresAdminUrl).username || 'postgres');
}

/**
 * SSLRequest, TLS handshake (verifying `ca` for localhost), StartupMessage: the server's first
 * answer over TLS (e.g. AuthenticationSASL with the mechanisms it offers there).
 */
export async function firstMessageOverTls(target: Target, ca: string, params: Record<string, string>): Promise<Frame> {
  const socket = connect(target.port, target.host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(startupPacket(80877103));
  const answer = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  assert.equal(answer.toString('latin1'), 'S');
  const secure = tlsConnect({ socket, ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  secure.write(serialize.startup(params));
  let buffer = Buffer.alloc(0);
  try {
    for (;;) {
      if (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        return { type: String.fromCharCode(buffer[0]!), body: buffer.subarray(5, 1 + buffer.readInt32BE(1)) };
      }
      const chunk = await new Promise<Buffer>((resolve, reject) => {
        secure.once('data', resolve);
        secure.once('error', reject);
      });
      buffer = Buffer.concat([buffer, chunk]);
    }
  } finally {
    secure.destroy();
  }
}

/** The mechanisms an AuthenticationSASL message offers. */
export function saslMechanisms(frame: Frame): string[] {
  assert.equal(frame.type, 'R');
  assert.equal(frame.body.readInt32BE(0), 10, 'AuthenticationSASL');
  return frame.body.subarray(4).toString('utf8').split('\0').filter(Boolean);
}

/**
 * What a client sees of backend messages, comparable between polygres and PostgreSQL: message
 * types with their content, table OIDs left out (they differ between the two servers).
 */
export function summarize(frames: readonly Frame[]): string[] {
  return frames.map((f) => {
    switch (f.type) {
      case 'T':
        return `T ${rowDescription(f).map((d) => `${d.name}:${d.typeOid}:${d.typeModifier}:${d.column === 0 ? 0 : 'col'}:${d.format}`).join(',')}`;
      case 'D':
        return `D ${JSON.stringify(dataRowValues(f))}`;
      case 'C':
        return `C ${commandTag(f)}`;
      case 'E':
      case 'N': {
        const e = errorFields(f);
        return `${f.type} ${e.V ?? e.S} ${e.C} ${e.M}${e.P ? ` @${e.P}` : ''}`;
      }
      case 'Z':
        return `Z ${readyStatus(f)}`;
      case 't':
        return `t ${Array.from({ length: f.body.readInt16BE(0) }, (_, i) => f.body.readUInt32BE(2 + 4 * i)).join(',')}`;
      case 'S':
        return `S ${f.body.toString('utf8').replace(/\0/g, ' ').trim()}`;
      default:
        return f.type;
    }
  });
}

/** A Bind message with any format codes (pg-protocol's serializer sends one code for all). */
export function bindMessage(options: {
  portal?: string;
  statement?: string;
  paramFormats?: readonly number[];
  values?: ReadonlyArray<Buffer | string | null>;
  resultFormats?: readonly number[];
}): Buffer {
  const parts: Buffer[] = [Buffer.from(`${options.portal ?? ''}\0${options.statement ?? ''}\0`)];
  const int16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const formats = options.paramFormats ?? [];
  parts.push(int16(formats.length), ...formats.map(int16));
  const values = options.values ?? [];
  parts.push(int16(values.length));
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(v);
      parts.push(int32(bytes.length), bytes);
    }
  }
  const results = options.resultFormats ?? [];
  parts.push(int16(results.length), ...results.map(int16));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from('B'), int32(body.length + 4), body]);
}

/**
 * A skip reason when a tool a suite needs (java, mvn, ...) is missing, said loudly; under CI
 * (CI=true or POLYGRES_REQUIRE_STORAGES=1) a missing tool fails the run instead, as a missing
 * storage does (tests/support/storages.ts).
 */
export function skipUnlessTools(suite: string, tools: ReadonlyArray<readonly [string, readonly string[]]>): string | false {
  const missing: string[] = [];
  for (const [command, args] of tools) {
    const r = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
    if (r.error || r.status !== 0) missing.push(`${command} (${r.error?.message ?? `exit ${r.status}`})`);
  }
  if (missing.length === 0) return false;
  const message = `${suite} needs ${missing.join(', ')}: its tests DID NOT RUN`;
  if (storagesRequired) throw new Error(`${message}; CI requires them`);
  process.stderr.write(`\n${'!'.repeat(78)}\n!!! SKIPPED: ${message}\n${'!'.repeat(78)}\n\n`);
  return message;
}

/** Runs a program to its end (killed after `timeoutMs`), with its output. */
export function runProcessOutput(command: string, argv: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProcess(command, argv, { timeoutMs });
}

/** psql in a pseudo-terminal made by script(1): input is typed, output awaited by pattern. */
export class InteractivePsql {
  private output = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private exited = false;

  constructor(target: Target, options: { user?: string; database?: string; env?: Record<string, string> } = {}) {
    const command = `psql -X -h ${target.host} -p ${target.port} -U ${options.user ?? USER} -d ${options.database ?? DATABASE} --pset=pager=off`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, TERM: 'dumb', PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10', ...options.env },
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

  /** Types a line and waits for the output it causes to match. */
  async run(line: string, pattern: RegExp, timeoutMs?: number): Promise<string> {
    const mark = this.length;
    this.type(line);
    return this.expect(pattern, mark, timeoutMs);
  }

  get length(): number {
    return this.output.length;
  }

  close(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** A CancelRequest for (pid, secret) on a new connection; resolves when the server closes it. */
export function sendCancelRequest(target: Target, key: { pid: number; secret: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host, () => socket.write(Buffer.concat([int32(16), int32(80877102), int32(key.pid), int32(key.secret)])));
    let received = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}
