/**
 * Java programs of interop/scalardb (ScalarDB 3.16 on polygres's storages), built with Maven on first
 * use. A suite that needs them says so loudly and skips when Java or Maven is missing (a failure
 * under CI, as for the storages).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reportUnavailable } from './storages.js';

const root = new URL('../..', import.meta.url).pathname;
export const interopDir = join(root, 'interop', 'scalardb');
const jar = join(interopDir, 'target', 'polygres-scalardb-interop.jar');

let built: Promise<string | null> | undefined;

/** null once the interop jar is built (Maven fetches ScalarDB from Maven Central the first time); else why not. */
export function buildInterop(): Promise<string | null> {
  built ??= (async () => {
    const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
    if (java.error || java.status !== 0) return `java is not available (${java.error?.message ?? java.stderr})`;
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.error || mvn.status !== 0) return `mvn is not available (${mvn.error?.message ?? mvn.stderr})`;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('mvn', ['-q', '-B', 'package'], { cwd: interopDir, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (c) => resolve(c));
      child.on('error', () => resolve(-1));
    });
    if (code !== 0 || !existsSync(jar)) return `mvn package in ${interopDir} failed (exit ${code})`;
    return null;
  })();
  return built;
}

/** A skip reason when the ScalarDB programs cannot be built (a failure under CI), else false. */
export async function skipUnlessInterop(): Promise<string | false> {
  const why = await buildInterop();
  return why === null ? false : reportUnavailable('Java/Maven for ScalarDB', why);
}

export interface JavaResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a class of the interop jar with the given arguments. */
export function runInterop(mainClass: string, args: readonly string[], options: { timeoutMs?: number; heap?: string } = {}): Promise<JavaResult> {
  const classPath = `${jar}:${join(interopDir, 'target', 'lib', '*')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('java', [`-Xmx${options.heap ?? '512m'}`, '-cp', classPath, mainClass, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
