/**
 * Opt-in crash points for recovery tests: `POLYGRES_FAULT_INJECTION=<point>` makes the server kill
 * itself with SIGKILL at that point of the commit of the first transaction whose records span more
 * than one storage (a cross-storage transaction; catalog DDL and sequence allocations never are).
 * The variable is read only when set; without it nothing here is installed.
 *
 * | point                          | where the process dies                                                    |
 * |--------------------------------|---------------------------------------------------------------------------|
 * | `after_prepare_on_one_storage` | records PREPARED in one storage, the next storage's prepare not yet sent   |
 * | `after_prepare`                | every record PREPARED, nothing decided (Consensus Commit's afterPrepare)   |
 * | `after_validate`               | read set validated, commit state not written                              |
 * | `after_commit_state`           | coordinator says COMMITTED, no record committed yet                       |
 * | `after_commit_records_group`   | the first atomicity-unit group of records committed, the others not yet   |
 *
 * `after_prepare_on_one_storage` watches the storages themselves (a prepare is a put of
 * tx_state PREPARED or DELETED): it is exact when prepares run one after another
 * (`scalar.db.consensus_commit.parallel_preparation.enabled=false`); with parallel preparation the
 * other storage's prepare may already be in flight. Likewise `after_commit_records_group` leaves the
 * other groups uncommitted only with `parallel_commit.enabled=false`.
 */
import { writeSync } from 'node:fs';
import type { Storage, Mutation, Get, Scan, Row, StorageAdmin, StorageCapabilities } from '../storage/types.js';
import type { CommitHooks } from '../txn/index.js';
import { ConfigError } from './config.js';

export const FAULT_POINTS = [
  'after_prepare_on_one_storage',
  'after_prepare',
  'after_validate',
  'after_commit_state',
  'after_commit_records_group',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export const FAULT_INJECTION_ENV = 'POLYGRES_FAULT_INJECTION';

/** tx_state codes of ScalarDB's records that a prepare writes. */
const PREPARED = 1;
const DELETED = 2;

export interface FaultInjection {
  readonly point: FaultPoint;
  /** The storage as the transaction layer must see it (watched for prepares). */
  wrap(storage: Storage): Storage;
  readonly hooks: CommitHooks;
}

/** The fault injection the environment asks for, or null when the variable is not set. */
export function faultInjectionFromEnvironment(env: NodeJS.ProcessEnv): FaultInjection | null {
  const value = env[FAULT_INJECTION_ENV];
  if (value === undefined || value === '') return null;
  if (!(FAULT_POINTS as readonly string[]).includes(value)) {
    throw new ConfigError(`${FAULT_INJECTION_ENV} must be one of ${FAULT_POINTS.join(', ')}, got "${value}"`);
  }
  return new ProcessKiller(value as FaultPoint);
}

class ProcessKiller implements FaultInjection {
  /** Transaction id → storages where its prepare completed. */
  readonly #prepared = new Map<string, Set<string>>();

  constructor(readonly point: FaultPoint) {}

  get hooks(): CommitHooks {
    const at = (point: FaultPoint) => (transactionId: string) => {
      if (this.point === point && this.#crossStorage(transactionId)) this.#die(transactionId);
    };
    return {
      afterPrepare: at('after_prepare'),
      afterValidate: at('after_validate'),
      afterCommitState: at('after_commit_state'),
      afterCommitRecordsGroup: at('after_commit_records_group'),
    };
  }

  wrap(storage: Storage): Storage {
    return new WatchedStorage(storage, {
      beforeMutate: (ids) => {
        if (this.point !== 'after_prepare_on_one_storage') return;
        for (const id of ids) {
          const done = this.#prepared.get(id);
          if (done && [...done].some((name) => name !== storage.name)) this.#die(id);
        }
      },
      afterMutate: (ids) => {
        for (const id of ids) {
          let done = this.#prepared.get(id);
          if (!done) {
            done = new Set();
            this.#prepared.set(id, done);
            // Only the last few transactions matter; the map must not grow without bound.
            if (this.#prepared.size > 10_000) this.#prepared.delete(this.#prepared.keys().next().value!);
          }
          done.add(storage.name);
        }
      },
    });
  }

  #crossStorage(transactionId: string): boolean {
    return (this.#prepared.get(transactionId)?.size ?? 0) > 1;
  }

  #die(transactionId: string): never {
    // Written synchronously: the line must be out before the process is gone.
    writeSync(1, `${JSON.stringify({ level: 'fatal', msg: 'fault injected: killing the process', point: this.point, transactionId })}\n`);
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is not delivered synchronously everywhere; nothing may run after this point.
    for (;;) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
}

interface PrepareWatcher {
  /** Ids of the transactions whose prepare this mutate carries, before it is sent. */
  beforeMutate(transactionIds: readonly string[]): void;
  /** The same, once the storage applied it. */
  afterMutate(transactionIds: readonly string[]): void;
}

/** A storage that reports the prepares passing through it and otherwise changes nothing. */
class WatchedStorage implements Storage {
  readonly name: string;
  readonly atomicityUnit: Storage['atomicityUnit'];
  readonly capabilities: StorageCapabilities | undefined;
  readonly admin: StorageAdmin;

  constructor(
    private readonly inner: Storage,
    private readonly watcher: PrepareWatcher,
  ) {
    this.name = inner.name;
    this.atomicityUnit = inner.atomicityUnit;
    this.capabilities = inner.capabilities;
    this.admin = inner.admin;
  }

  get(op: Get): Promise<Row | null> {
    return this.inner.get(op);
  }

  scan(op: Scan): Promise<Row[]> {
    return this.inner.scan(op);
  }

  async mutate(mutations: readonly Mutation[]): Promise<void> {
    const ids = preparedTransactionIds(mutations);
    if (ids.length > 0) this.watcher.beforeMutate(ids);
    await this.inner.mutate(mutations);
    if (ids.length > 0) this.watcher.afterMutate(ids);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function preparedTransactionIds(mutations: readonly Mutation[]): string[] {
  const ids = new Set<string>();
  for (const m of mutations) {
    if (m.type !== 'put') continue;
    const state = m.values.tx_state;
    const id = m.values.tx_id;
    if ((state === PREPARED || state === DELETED) && typeof id === 'string') ids.add(id);
  }
  return [...ids];
}
