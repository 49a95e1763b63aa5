/**
 * A polygres process killed (SIGKILL, through POLYGRES_FAULT_INJECTION) in the middle of committing
 * a transaction that writes PostgreSQL and Cassandra: after preparing on one storage but not the
 * other, after preparing both, after validating, after the commit state, and after committing the
 * first group of records. A fresh server on the same storages then shows all of the transaction or
 * none of it, as the commit state decides, and reading the records repairs them: every physical row
 * is back to a committed state, in both storages, with the coordinator's verdict on PostgreSQL (or,
 * in the last case, on Cassandra while the records sit on PostgreSQL).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { RunningServer } from '../support/server.js';
import { CrossStorageDeployment, TxState, connect, eventually, skipUnlessBothStorages } from './support.js';

const skip = await skipUnlessBothStorages();

/** Prepares and commits one group at a time, so that each crash point is exact (see src/server/fault-injection.ts). */
const SEQUENTIAL_COMMIT = {
  'scalar.db.consensus_commit.parallel_preparation.enabled': 'false',
  'scalar.db.consensus_commit.parallel_commit.enabled': 'false',
};
/** Undecided records of a dead writer are aborted by the next reader after this long (ScalarDB: 15 s). */
const SHORT_LIFETIME = { 'scalar.db.consensus_commit.transaction_lifetime_millis': '1000' };

type Outcome = 'committed' | 'aborted';

interface CrashCase {
  readonly point: string;
  readonly outcome: Outcome;
  /** What the storages hold right after the crash, before any recovery. */
  readonly before: (s: PhysicalState) => void;
  readonly namespaceMapping?: string;
}

interface PhysicalRecord {
  readonly storage: 'postgres' | 'cassandra';
  readonly what: string;
  readonly row: Record<string, unknown> | undefined;
}

interface PhysicalState {
  readonly transactionId: string;
  readonly records: readonly PhysicalRecord[];
  readonly coordinatorState: number | null;
}

const writtenBy = (s: PhysicalState, storage: 'postgres' | 'cassandra') => s.records.filter((r) => r.storage === storage && r.row?.tx_id === s.transactionId);
const prepared = (r: PhysicalRecord) => r.row?.tx_state === TxState.PREPARED;

const CASES: readonly CrashCase[] = [
  {
    point: 'after_prepare_on_one_storage',
    outcome: 'aborted',
    before: (s) => {
      const pgPrepared = writtenBy(s, 'postgres').length;
      const cassandraPrepared = writtenBy(s, 'cassandra').length;
      assert.ok((pgPrepared > 0) !== (cassandraPrepared > 0), `records prepared in exactly one storage (postgres ${pgPrepared}, cassandra ${cassandraPrepared})`);
      assert.equal(s.coordinatorState, null);
    },
  },
  {
    point: 'after_prepare',
    outcome: 'aborted',
    before: (s) => {
      assert.equal(s.records.filter(prepared).length, 3, 'all three records PREPARED');
      assert.equal(s.coordinatorState, null);
    },
  },
  {
    point: 'after_validate',
    outcome: 'aborted',
    before: (s) => {
      assert.equal(s.records.filter(prepared).length, 3);
      assert.equal(s.coordinatorState, null);
    },
  },
  {
    point: 'after_commit_state',
    outcome: 'committed',
    before: (s) => {
      assert.equal(s.records.filter(prepared).length, 3, 'no record committed yet');
      assert.equal(s.coordinatorState, TxState.COMMITTED);
    },
  },
  {
    point: 'after_commit_records_group',
    outcome: 'committed',
    before: (s) => {
      assert.equal(s.coordinatorState, TxState.COMMITTED);
      const committed = s.records.filter((r) => r.row?.tx_id === s.transactionId && r.row.tx_state === TxState.COMMITTED);
      assert.ok(committed.length >= 1 && committed.length < 3, `some records committed, not all (${committed.map((r) => r.what).join(', ')})`);
      assert.ok(s.records.some(prepared), 'others still PREPARED');
    },
  },
  {
    point: 'after_commit_state',
    outcome: 'committed',
    namespaceMapping: 'identity:postgres,event:cassandra,coordinator:cassandra',
    before: (s) => {
      assert.equal(s.records.filter(prepared).length, 3);
      assert.equal(s.coordinatorState, TxState.COMMITTED, 'the commit state is on Cassandra');
    },
  },
];

async function physicalState(d: CrossStorageDeployment, coordinatorOnCassandra: boolean, knownTransactionId?: string): Promise<PhysicalState> {
  const alice = (await d.postgresRows('identity', 'accounts')).find((r) => r.id === 'alice');
  const bob = (await d.cassandraRows('event', 'accounts')).find((r) => r.id === 'bob');
  const transfer = (await d.cassandraRows('event', 'transfers')).find((r) => r.id === 't1');
  const records: PhysicalRecord[] = [
    { storage: 'postgres', what: 'alice', row: alice },
    { storage: 'cassandra', what: 'bob', row: bob },
    { storage: 'cassandra', what: 'transfer t1', row: transfer },
  ];
  const transactionId = knownTransactionId ?? [alice, bob, transfer].map((r) => r?.tx_id).find((id): id is string => typeof id === 'string' && id !== initialTxIds.get(d));
  let coordinatorState: number | null = null;
  if (transactionId) {
    if (coordinatorOnCassandra) {
      const rows = await d.cassandraRows('coordinator', 'state');
      coordinatorState = (rows.find((r) => r.tx_id === transactionId)?.tx_state as number | undefined) ?? null;
    } else {
      const r = await d.postgres().query('SELECT tx_state FROM coordinator.state WHERE tx_id = $1', [transactionId]);
      coordinatorState = (r.rows[0] as { tx_state: number } | undefined)?.tx_state ?? null;
    }
  }
  return { transactionId: transactionId ?? '(none)', records, coordinatorState };
}

/** tx_id of the rows as set up, so that the crashed transaction's id can be told apart. */
const initialTxIds = new Map<CrossStorageDeployment, string>();

async function setUp(d: CrossStorageDeployment): Promise<void> {
  const server = await d.start();
  const c = await connect(server);
  await c.query('CREATE SCHEMA identity');
  await c.query('CREATE SCHEMA event');
  await c.query('CREATE TABLE identity.accounts (id text PRIMARY KEY, balance int NOT NULL)');
  await c.query('CREATE TABLE event.accounts (id text PRIMARY KEY, balance int NOT NULL)');
  await c.query('CREATE TABLE event.transfers (id text PRIMARY KEY, source text, target text, amount int)');
  await c.query('BEGIN');
  await c.query("INSERT INTO identity.accounts VALUES ('alice', 100), ('carol', 7)");
  await c.query("INSERT INTO event.accounts VALUES ('bob', 100)");
  await c.query('COMMIT');
  await c.end();
  await server.stop();
  const alice = (await d.postgresRows('identity', 'accounts')).find((r) => r.id === 'alice');
  initialTxIds.set(d, alice!.tx_id as string);
}

/** The transfer alice (PostgreSQL) → bob (Cassandra), logged in Cassandra, with a read that needs validation. */
async function transfer(c: pg.Client): Promise<void> {
  await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
  await c.query("SELECT balance FROM identity.accounts WHERE id = 'carol'");
  await c.query("UPDATE identity.accounts SET balance = balance - 10 WHERE id = 'alice'");
  await c.query("UPDATE event.accounts SET balance = balance + 10 WHERE id = 'bob'");
  await c.query("INSERT INTO event.transfers VALUES ('t1', 'alice', 'bob', 10)");
  await c.query('COMMIT');
}

/** Reads everything through SQL, retrying while a dead writer's records are not yet expired (40001). */
async function readAll(server: RunningServer): Promise<{ alice: number; bob: number; transfers: number }> {
  const c = await connect(server);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await c.query(
          "SELECT (SELECT balance FROM identity.accounts WHERE id = 'alice') AS alice, (SELECT balance FROM event.accounts WHERE id = 'bob') AS bob, (SELECT count(*)::int FROM event.transfers) AS transfers",
        );
        return r.rows[0] as { alice: number; bob: number; transfers: number };
      } catch (e) {
        if ((e as { code?: string }).code !== '40001' || attempt > 100) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await c.end();
  }
}

describe('crash of the server during a cross-storage commit (SIGKILL at each point)', { skip, concurrency: 1 }, () => {
  for (const crash of CASES) {
    const where = crash.namespaceMapping ? ' (coordinator on Cassandra, records on both)' : '';
    test(`killed ${crash.point}${where}: a fresh server shows it ${crash.outcome} and repairs every record`, { timeout: 300_000 }, async () => {
      const coordinatorOnCassandra = crash.namespaceMapping?.includes('coordinator:cassandra') ?? false;
      const d = await CrossStorageDeployment.create({ namespaceMapping: crash.namespaceMapping, properties: SHORT_LIFETIME });
      try {
        await setUp(d);
        const doomed = await d.start({ properties: SEQUENTIAL_COMMIT, env: { POLYGRES_FAULT_INJECTION: crash.point } });
        const c = await connect(doomed);
        await assert.rejects(transfer(c), 'the commit never answers: the server died');
        await new Promise<void>((resolve) => (doomed.process.exitCode !== null || doomed.process.signalCode !== null ? resolve() : doomed.process.once('exit', () => resolve())));
        assert.equal(doomed.process.signalCode, 'SIGKILL');
        assert.ok(doomed.logs.some((l) => l.includes('fault injected') && l.includes(crash.point)), 'the fault point was reached');

        const crashed = await physicalState(d, coordinatorOnCassandra);
        crash.before(crashed);

        const fresh = await d.start();
        const seen = await readAll(fresh);
        assert.deepEqual(seen, crash.outcome === 'committed' ? { alice: 90, bob: 110, transfers: 1 } : { alice: 100, bob: 100, transfers: 0 });

        await eventually('every record is back to a committed state', async () => {
          const s = await physicalState(d, coordinatorOnCassandra, crashed.transactionId);
          return s.records.every((r) => {
            if (r.what === 'transfer t1' && crash.outcome === 'aborted') return r.row === undefined;
            if (r.row === undefined || r.row.tx_state !== TxState.COMMITTED) return false;
            return Object.entries(r.row).every(([k, v]) => !k.startsWith('before_') || v === null);
          });
        });
        const after = await physicalState(d, coordinatorOnCassandra, crashed.transactionId);
        assert.equal(after.coordinatorState, crash.outcome === 'committed' ? TxState.COMMITTED : TxState.ABORTED);
        assert.deepEqual(
          after.records.map((r) => r.row?.balance ?? r.row?.amount ?? null),
          crash.outcome === 'committed' ? [90, 110, 10] : [100, 100, null],
        );
      } finally {
        await d.destroy();
      }
    });
  }
});
