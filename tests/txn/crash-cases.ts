/**
 * Atomicity across a crash, the cases shared by crash.test.ts (group commit off) and
 * group-commit-crash.test.ts (on): a process killed (SIGKILL) in the middle of commit leaves a
 * transaction that a fresh process sees entirely or not at all — none when it died before the
 * commit state was written, all once it was, even if only some records were committed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import { childOf, parentOf } from './group-commit-support.js';

const SCRIPT = fileURLToPath(new URL('./crash-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const NONE = [
  [1, 'old'],
  [2, 'old'],
  [3, 'old'],
  [4, 'old'],
  [5, 'old'],
];
const ALL = [
  [1, 'new'],
  [2, 'new'],
  [3, 'new'],
  [4, 'old'],
  [6, 'new'],
];

const CASES = [
  { point: 'afterPrepare', expected: NONE, coordinator: 4 },
  { point: 'afterCommitState', expected: ALL, coordinator: 3 },
  { point: 'duringCommitRecords', expected: ALL, coordinator: 3 },
] as const;

/** The crash cases, on every test storage, with coordinator group commit off or on. */
export function describeCrashCases({ groupCommit }: { groupCommit: boolean }): void {
  const label = groupCommit ? 'crash during commit, group commit on' : 'crash during commit';
  for (const factory of STORAGE_FACTORIES) {
    describe(`${label} [${factory.name}]`, { skip: factory.skip }, () => {
      let env: TestStorage;
      const dir = mkdtempSync(join(tmpdir(), 'polygres-crash-'));
      before(async () => {
        env = await factory.setup();
      });
      after(async () => {
        await env.teardown();
        rmSync(dir, { recursive: true, force: true });
      });

      for (const { point, expected, coordinator } of CASES) {
        it(`killed ${point}: a fresh process sees ${expected === ALL ? 'all' : 'none'} of the transaction`, async () => {
          const table = await env.createTable({
            columns: [
              { name: 'p', type: 'INT' },
              { name: 'v', type: 'TEXT' },
            ],
            partitionKey: ['p'],
            clusteringKey: [],
            secondaryIndexes: [],
          });
          const setup = env.manager({ onePhaseCommit: false }).begin();
          for (const p of [1, 2, 3, 4, 5]) await setup.insert({ ...table, partitionKey: [p], values: { v: 'old' } });
          await setup.commit();

          const idFile = join(dir, `${point}.id`);
          const writer = await run(['write', JSON.stringify(env.spec), table.table, point, idFile, groupCommit ? 'group-commit' : 'single']);
          assert.equal(writer.signal, 'SIGKILL', `the writer should have killed itself: ${writer.stderr}`);
          const writerId = readFileSync(idFile, 'utf8');

          // The crash left the transaction undecided on storage.
          const states = await Promise.all([1, 2, 3, 5, 6].map(async (p) => (await env.physical(table, [p]))?.tx_state ?? null));
          if (point === 'duringCommitRecords') {
            assert.ok(states.includes(3) && states.some((s) => s === 1 || s === 2), `some records committed, some not: ${states.join(',')}`);
          } else {
            assert.ok(states.every((s) => s === 1 || s === 2), `all records undecided: ${states.join(',')}`);
          }

          const reader = await run(['read', JSON.stringify(env.spec), table.table]);
          assert.equal(reader.code, 0, reader.stderr);
          assert.deepEqual(JSON.parse(reader.stdout), expected);

          // The reader settled the records it met: everything is committed, before images cleared.
          for (const p of [1, 2, 3, 4, 5, 6]) {
            const raw = await env.physical(table, [p]);
            if (!raw) continue;
            assert.equal(raw.tx_state, 3, `record ${p}`);
            assert.equal(raw.before_tx_id, null, `record ${p}`);
          }
          if (!groupCommit) {
            assert.equal((await env.coordinatorRow(writerId))?.tx_state, coordinator);
          } else if (coordinator === 3) {
            // Committed by its group's row, keyed by the parent id and listing the child.
            const group = await env.coordinatorRow(parentOf(writerId));
            assert.equal(group?.tx_state, 3);
            assert.ok(String(group?.tx_child_ids).split(',').includes(childOf(writerId)), 'the group row lists the writer');
            assert.equal(await env.coordinatorRow(writerId), null);
          } else {
            // Aborted by the reader in ScalarDB's two steps: the parent id's marker, then the full id.
            const marker = await env.coordinatorRow(parentOf(writerId));
            assert.equal(marker?.tx_state, 4);
            assert.equal(marker?.tx_child_ids, null);
            assert.equal((await env.coordinatorRow(writerId))?.tx_state, 4);
          }
          assert.equal(await env.manager().getState(writerId), coordinator === 3 ? 'COMMITTED' : 'ABORTED');
        });
      }
    });
  }
}
