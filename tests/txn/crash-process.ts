/**
 * A separate process for crash tests (run with `node --import tsx`):
 *
 *   write <spec> <table> <point> <idFile> [single|group-commit]
 *                                          runs the crash transaction and SIGKILLs itself at <point>
 *                                          (afterPrepare | afterCommitState | duringCommitRecords),
 *                                          after writing the transaction id (as prepared, so the
 *                                          full id with group commit) to <idFile>
 *   read <spec> <table>                    prints the table's rows as JSON once it can read them
 *
 * The crash transaction, on rows p=1..5 (v='old'): updates p=1..3 to 'new', inserts p=6 'new',
 * deletes p=5. Every record is its own commit group, committed one after another, so the process
 * can die between two of them.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SingleStorageRouter } from '../../src/storage/multi.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';
import type { CommitHooks } from '../../src/txn/config.js';
import { NAMESPACE, openStorage, type StorageSpec } from './harness.js';

const [mode, specJson, table, point, idFile, commitMode = 'single'] = process.argv.slice(2);
const spec = JSON.parse(specJson) as StorageSpec;
const router = new SingleStorageRouter(openStorage(spec, 2));
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

if (mode === 'write') {
  const hooks: CommitHooks = {
    afterPrepare: (id) => {
      writeFileSync(idFile, id);
      if (point === 'afterPrepare') die();
    },
    ...(point === 'afterCommitState' ? { afterCommitState: die } : {}),
    ...(point === 'duringCommitRecords' ? { afterCommitRecordsGroup: (_id: string, index: number) => (index === 1 ? die() : undefined) } : {}),
  };
  const manager = new ConsensusCommitManager(router, {
    onePhaseCommit: false,
    maxMutationsPerGroup: 1,
    parallelCommit: false,
    groupCommit: commitMode === 'group-commit',
    hooks,
  });
  const tx = manager.begin();
  for (const p of [1, 2, 3]) await tx.put({ namespace: NAMESPACE, table, partitionKey: [p], values: { v: 'new' } });
  await tx.insert({ namespace: NAMESPACE, table, partitionKey: [6], values: { v: 'new' } });
  await tx.delete({ namespace: NAMESPACE, table, partitionKey: [5] });
  await tx.commit();
  process.stderr.write('the crash point was never reached\n');
  process.exit(2);
} else {
  // Undecided records of a dead writer become readable once they expire (1 s here).
  const manager = new ConsensusCommitManager(router, { transactionLifetimeMs: 1000 });
  for (let attempt = 0; ; attempt++) {
    const tx = manager.begin();
    try {
      const rows = await tx.scan({ namespace: NAMESPACE, table, kind: 'all' });
      await tx.commit();
      process.stdout.write(JSON.stringify(rows.map((r) => [r.p, r.v]).sort((a, b) => Number(a[0]) - Number(b[0]))));
      break;
    } catch (e) {
      await tx.abort();
      if ((e as { code?: string }).code !== '40001' || attempt > 200) throw e;
      await sleep(50);
    }
  }
  await manager.close();
  await router.close();
}
