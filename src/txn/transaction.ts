/**
 * One Consensus Commit transaction (ScalarDB's `ConsensusCommit`): reads and writes through the
 * CRUD handler, commit through the commit handler, and a lifecycle that refuses use after the end.
 */
import type { Row } from '../storage/types.js';
import type { Isolation, RecordKey, SavepointId, Transaction, TxGet, TxScan, TxWrite } from './api.js';
import { CommitHandler } from './commit.js';
import type { TransactionServices } from './context.js';
import { CrudHandler } from './crud.js';
import { UnknownTransactionOutcomeError, transactionFinished } from './errors.js';
import { Snapshot } from './snapshot.js';

type Lifecycle = 'active' | 'committing' | 'committed' | 'aborted' | 'outcome unknown';

export class ConsensusCommitTransaction implements Transaction {
  private currentId: string;
  readonly isolation: Isolation;
  readonly readOnly: boolean;
  private lifecycle: Lifecycle = 'active';
  private readonly crud: CrudHandler;

  constructor(
    private readonly services: TransactionServices,
    id: string,
    isolation: Isolation,
    readOnly: boolean,
  ) {
    this.currentId = id;
    this.isolation = isolation;
    this.readOnly = readOnly;
    const snapshot = new Snapshot(isolation, services.config.maxWritesPerTransaction);
    this.crud = new CrudHandler(services, snapshot, { transactionId: id, isolation, readOnly });
  }

  /** With group commit, the id gains its group's parent id (`<parent>$<id>`) when two-phase commit starts. */
  get id(): string {
    return this.currentId;
  }

  /** 'active' until commit or abort; 'outcome unknown' after an UnknownTransactionOutcomeError. */
  get state(): Lifecycle {
    return this.lifecycle;
  }

  async get(op: TxGet): Promise<Row | null> {
    this.ensureActive();
    return this.crud.get(op);
  }

  async scan(op: TxScan): Promise<Row[]> {
    this.ensureActive();
    return this.crud.scan(op);
  }

  async put(op: TxWrite): Promise<void> {
    this.ensureActive();
    return this.crud.put(op);
  }

  async insert(op: TxWrite): Promise<void> {
    this.ensureActive();
    return this.crud.insert(op);
  }

  async delete(op: RecordKey): Promise<void> {
    this.ensureActive();
    return this.crud.delete(op);
  }

  savepoint(): SavepointId {
    this.ensureActive();
    return this.crud.snapshot.savepoint();
  }

  rollbackTo(savepoint: SavepointId): void {
    this.ensureActive();
    this.crud.snapshot.rollbackTo(savepoint);
  }

  release(savepoint: SavepointId): void {
    this.ensureActive();
    this.crud.snapshot.release(savepoint);
  }

  async commit(): Promise<void> {
    this.ensureActive();
    this.lifecycle = 'committing';
    try {
      await new CommitHandler(this.services, this.currentId, this.crud, (fullId) => (this.currentId = fullId)).commit();
      this.lifecycle = 'committed';
    } catch (e) {
      this.lifecycle = e instanceof UnknownTransactionOutcomeError ? 'outcome unknown' : 'aborted';
      throw e;
    } finally {
      // Repairs started by this transaction's reads finish before it returns, so none pile up.
      await this.crud.awaitRepairs();
    }
  }

  /** Nothing was written before commit, so aborting writes nothing (as in ScalarDB). */
  async abort(): Promise<void> {
    if (this.lifecycle !== 'active') return;
    this.lifecycle = 'aborted';
    await this.crud.awaitRepairs();
  }

  private ensureActive(): void {
    if (this.lifecycle !== 'active') throw transactionFinished(this.id, this.lifecycle);
  }
}
