/**
 * Starts a real polygres server through its bin (bin/polygres.js), as a user would, on free ports,
 * and stops it. Tests connect to it with real clients over TCP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('../..', import.meta.url).pathname;
export const polygresBin = join(root, 'bin', 'polygres.js');

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Log lines (JSON) the server printed so far. */
  readonly logs: string[];
  /** A node-postgres connection config for this server. */
  connection(extra?: Record<string, unknown>): { host: string; port: number; user: string; database: string } & Record<string, unknown>;
  /** Stops with SIGTERM and waits for exit. */
  stop(): Promise<void>;
  /** Kills with SIGKILL and waits for exit (crash tests). */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** Properties file content (ScalarDB/polygres keys); written to a temp file and passed with --config. */
  readonly properties?: string;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Options of node itself, before the bin (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
  /**
   * Another build's bin/polygres.js (a snapshot while the checkout changes); default
   * POLYGRES_TEST_BIN, else this checkout's.
   */
  readonly bin?: string;
  /** Reuse a data directory (restart tests); a fresh temp dir otherwise, removed on stop. */
  readonly dataDir?: string;
  readonly startTimeoutMs?: number;
}

/** Starts `bin/polygres.js --port 0 --http-port 0` and resolves once it logs that it is ready. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'polygres-server-'));
  const args = [...(options.nodeArgs ?? []), options.bin ?? process.env.POLYGRES_TEST_BIN ?? polygresBin, '--port', '0', '--http-port', '0', '--data-dir', dataDir];
  if (options.properties !== undefined) {
    const file = join(dataDir, 'test.properties');
    writeFileSync(file, options.properties);
    args.push('--config', file);
  }
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, POLYGRES_LOG_LEVEL: process.env.POLYGRES_LOG_LEVEL ?? 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = new Promise<{ host: string; port: number; httpPort: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; host?: string; port?: number; httpPort?: number };
        if (entry.msg === 'polygres ready' && typeof entry.port === 'number') {
          resolve({ host: entry.host ?? '127.0.0.1', port: entry.port, httpPort: entry.httpPort ?? -1 });
        }
      } catch {
        // not a JSON log line
      }
    });
    exited.then((code) => reject(new Error(`polygres exited with ${code} before it was ready\n${stderr}\n${logs.join('\n')}`)));
    setTimeout(() => reject(new Error(`polygres was not ready within the start timeout\n${stderr}\n${logs.join('\n')}`)), options.startTimeoutMs ?? 60_000).unref();
  });
  let info: { host: string; port: number; httpPort: number };
  try {
    info = await ready;
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const host = info.host === '0.0.0.0' ? '127.0.0.1' : info.host;
  const finish = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    host,
    port: info.port,
    httpPort: info.httpPort,
    dataDir,
    process: child,
    logs,
    connection: (extra = {}) => ({ host, port: info.port, user: 'postgres', database: 'postgres', ...extra }),
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
  };
}
