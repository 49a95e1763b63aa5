/**
 * Transaction metrics without touching the SQL engine: the engine gets a TransactionManager whose
 * transactions report, when they end, how long they lasted, how they ended and which namespace they
 * were about (the first one they wrote, else the first one they read). Feeds
 * polygres_transaction_latency_seconds and polygres_transaction_throughput_total.
 */
import { isSqlError, SqlState } from '../errors.js';
import type {
  BeginOptions,
  RecordKey,
  SavepointId,
  Transaction,
  TransactionManager,
  TxGet,
  TxScan,
  TxWrite,
} from '../txn/api.js';
import type { Row } from '../storage/types.js';

export type TransactionOutcome = 'committed' | 'rolled_back' | 'conflict' | 'unknown' | 'failed';

export interface TransactionObservation {
  readonly namespace: string;
  /** 'commit' or 'rollback': what ended the transaction. */
  readonly operation: 'commit' | 'rollback';
  readonly outcome: TransactionOutcome;
  readonly durationSeconds: number;
}

export function outcomeOf(error: unknown): TransactionOutcome {
  if (!isSqlError(error)) return 'failed';
  if (error.code === SqlState.serializationFailure) return 'conflict';
  if (error.code === SqlState.statementCompletionUnknown) return 'unknown';
  return 'failed';
}

class ObservedTransaction implements Transaction {
  private readonly began = performance.now();
  private readNamespace = '';
  private writeNamespace = '';
  private reported = false;

  constructor(
    private readonly inner: Transaction,
    private readonly observe: (o: TransactionObservation) => void,
  ) {}

  get id(): string {
    return this.inner.id;
  }
  get isolation() {
    return this.inner.isolation;
  }
  get readOnly(): boolean {
    return this.inner.readOnly;
  }

  private read(namespace: string): void {
    if (this.readNamespace === '') this.readNamespace = namespace;
  }
  private wrote(namespace: string): void {
    if (this.writeNamespace === '') this.writeNamespace = namespace;
  }
  private report(operation: 'commit' | 'rollback', outcome: TransactionOutcome): void {
    if (this.reported) return;
    this.reported = true;
    this.observe({
      namespace: this.writeNamespace || this.readNamespace,
      operation,
      outcome,
      durationSeconds: (performance.now() - this.began) / 1000,
    });
  }

  get(op: TxGet): Promise<Row | null> {
    this.read(op.namespace);
    return this.inner.get(op);
  }
  scan(op: TxScan): Promise<Row[]> {
    this.read(op.namespace);
    return this.inner.scan(op);
  }
  put(op: TxWrite): Promise<void> {
    this.wrote(op.namespace);
    return this.inner.put(op);
  }
  insert(op: TxWrite): Promise<void> {
    this.wrote(op.namespace);
    return this.inner.insert(op);
  }
  delete(op: RecordKey): Promise<void> {
    this.wrote(op.namespace);
    return this.inner.delete(op);
  }
  savepoint(): SavepointId {
    return this.inner.savepoint();
  }
  rollbackTo(savepoint: SavepointId): void {
    this.inner.rollbackTo(savepoint);
  }
  release(savepoint: SavepointId): void {
    this.inner.release(savepoint);
  }
  async commit(): Promise<void> {
    try {
      await this.inner.commit();
    } catch (e) {
      this.report('commit', outcomeOf(e));
      throw e;
    }
    this.report('commit', 'committed');
  }
  async abort(): Promise<void> {
    try {
      await this.inner.abort();
    } finally {
      // A transaction whose commit failed is aborted afterwards; it was already counted.
      this.report('rollback', 'rolled_back');
    }
  }
}

/** Wraps a manager so that every transaction it begins reports its end to `observe`. */
export function observeTransactions(inner: TransactionManager, observe: (o: TransactionObservation) => void): TransactionManager {
  return {
    admin: inner.admin,
    begin: (options?: BeginOptions) => new ObservedTransaction(inner.begin(options), observe),
    getState: (id) => inner.getState(id),
    forceAbort: (id) => inner.forceAbort(id),
    close: () => inner.close(),
  };
}
