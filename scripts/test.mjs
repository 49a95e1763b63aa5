#!/usr/bin/env node
// Runs the test suites with node's built-in runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [path-or-substring ...]   (no argument: every tests/**/*.test.ts)
//
// Each file runs in its own process, two at a time. Nothing may hang CI: a single test fails after
// POLYGRES_TEST_TIMEOUT_MS (default 10 minutes), a file exits as soon as its tests are done even if a
// handle stays open, and the whole run is stopped after POLYGRES_TEST_RUN_TIMEOUT_MS (default 40
// minutes), naming the files that were still running.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
let files = findTests(join(root, 'tests')).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (!files.length) {
  console.error('no test files match', filters);
  process.exit(1);
}
const concurrency = process.env.POLYGRES_TEST_CONCURRENCY ?? '2';
const testTimeout = process.env.POLYGRES_TEST_TIMEOUT_MS ?? String(10 * 60_000);
const runTimeout = Number(process.env.POLYGRES_TEST_RUN_TIMEOUT_MS ?? 40 * 60_000);
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${testTimeout}`,
  '--test-force-exit',
  '--test-reporter=spec',
  ...files,
];
const started = Date.now();
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: true });
const watchdog = setTimeout(() => {
  console.error(`\nTEST RUN STOPPED: still running after ${runTimeout / 60_000} minutes. Running test processes:`);
  try {
    const ps = spawn('ps', ['-o', 'pid,etime,args', '--ppid', String(child.pid)], { stdio: 'inherit' });
    ps.on('exit', () => stop());
  } catch {
    stop();
  }
}, runTimeout);
watchdog.unref();
function stop() {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, stop);
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  console.log(`test run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(code ?? (signal ? 1 : 0));
});
