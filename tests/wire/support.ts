/**
 * Client-side helpers for the wire tests. Everything here takes a Target (host, port), so the same
 * client code can later run against the real server binary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'pg-protocol';
import { startWireServer, type WireServer, type WireServerOptions } from '../../src/wire/server.js';
import { FixtureBackend } from './fixture-backend.js';

export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface FixtureServer extends Target {
  readonly backend: FixtureBackend;
  readonly server: WireServer;
  close(): Promise<void>;
}

/** A wire server on an ephemeral port in front of the protocol fixture. */
export async function startFixtureServer(options: Partial<Omit<WireServerOptions, 'backend'>> = {}): Promise<FixtureServer> {
  const backend = new FixtureBackend();
  const server = await startWireServer({ host: '127.0.0.1', port: 0, ...options, backend });
  return { host: server.host, port: server.port, backend, server, close: () => server.close() };
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

let certificates: TestCertificates | null = null;

/** A throw-away CA and a server certificate for localhost / 127.0.0.1, made with the openssl CLI. */
export function makeTestCertificates(): TestCertificates {
  if (certificates) return certificates;
  const dir = mkdtempSync(join(tmpdir(), 'polygres-wire-tls-'));
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=polygres test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2',
    '-sha256', '-extfile', 'server.ext']);
  certificates = {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
  };
  return certificates;
}

// ---------------------------------------------------------------------------------------------
// psql

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PsqlOptions {
  readonly user?: string;
  readonly database?: string;
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Runs `psql -X` against the target with the given extra arguments. */
export function runPsql(target: Target, args: readonly string[], options: PsqlOptions = {}): Promise<ProcessResult> {
  const argv = ['-X', '-h', target.host, '-p', String(target.port), '-U', options.user ?? 'alice', '-d', options.database ?? 'db', ...args];
  return runProcess('psql', argv, {
    env: { PGCONNECT_TIMEOUT: '10', PGSSLMODE: 'disable', ...options.env },
    input: options.input,
    timeoutMs: options.timeoutMs,
  });
}

export function runProcess(
  command: string,
  argv: readonly string[],
  options: { env?: Record<string, string>; input?: string | undefined; timeoutMs?: number | undefined } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

// ---------------------------------------------------------------------------------------------
// Raw protocol client: frontend frames from pg-protocol's serializer, backend frames split here.

export interface Frame {
  /** The type byte as a character ('Z', 'E', 'D'...). */
  readonly type: string;
  readonly body: Buffer;
}

export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  static connect(target: Target): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(target.port, target.host);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async waitForData(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for the server (${timeoutMs} ms)`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  /** Reads a single unframed byte (the answer to SSLRequest / GSSENCRequest). */
  async readByte(timeoutMs = 10_000): Promise<string> {
    while (this.buffer.length === 0) {
      if (this.ended) throw new Error('connection closed');
      await this.waitForData(timeoutMs);
    }
    const b = this.buffer.subarray(0, 1).toString('latin1');
    this.buffer = this.buffer.subarray(1);
    return b;
  }

  private splitFrames(): void {
    while (this.buffer.length >= 5) {
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) break;
      this.frames.push({ type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, 1 + length) });
      this.buffer = this.buffer.subarray(1 + length);
    }
  }

  /** The next backend message; null once the server closed the connection. */
  async next(timeoutMs = 10_000): Promise<Frame | null> {
    for (;;) {
      this.splitFrames();
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.ended) return null;
      await this.waitForData(timeoutMs);
    }
  }

  /** Messages up to and including the first of type `type`; throws if the connection ends first. */
  async readUntil(type: string, timeoutMs = 10_000): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (!frame) throw new Error(`connection closed before '${type}'; got ${out.map((f) => f.type).join('')}`);
      out.push(frame);
      if (frame.type === type) return out;
    }
  }

  /** Everything until the server closes the connection. */
  async readToEnd(timeoutMs = 10_000): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (!frame) return out;
      out.push(frame);
    }
  }

  /** StartupMessage and trust authentication, up to the first ReadyForQuery. */
  async startup(params: Record<string, string> = { user: 'alice', database: 'db' }): Promise<Frame[]> {
    this.send(serialize.startup(params));
    return this.readUntil('Z');
  }

  get closed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Fields of an ErrorResponse / NoticeResponse by their code letter. */
export function errorFields(frame: Frame): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < frame.body.length && frame.body[i] !== 0) {
    const code = String.fromCharCode(frame.body[i]!);
    const end = frame.body.indexOf(0, i + 1);
    out[code] = frame.body.subarray(i + 1, end).toString('utf8');
    i = end + 1;
  }
  return out;
}

export function commandTag(frame: Frame): string {
  return frame.body.subarray(0, frame.body.length - 1).toString('utf8');
}

export function dataRowValues(frame: Frame): Array<string | null> {
  const count = frame.body.readInt16BE(0);
  const out: Array<string | null> = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const length = frame.body.readInt32BE(offset);
    offset += 4;
    if (length < 0) out.push(null);
    else {
      out.push(frame.body.subarray(offset, offset + length).toString('utf8'));
      offset += length;
    }
  }
  return out;
}

/** The types of a sequence of frames as one string, e.g. "12TDDCZ". */
export function types(frames: readonly Frame[]): string {
  return frames.map((f) => f.type).join('');
}

export function readyStatus(frame: Frame): string {
  return String.fromCharCode(frame.body[0]!);
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds (generous timeout: the machine is shared). */
export async function eventually(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}
