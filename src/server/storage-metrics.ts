/**
 * Counts what each storage is asked to do, for `/metrics`: operations and the time they took, by
 * storage and operation. Divided by committed transactions, they tell how many storage round trips
 * a transaction costs and where its time goes (a PostgreSQL mutate is one database transaction; a
 * Cassandra mutate one batch or lightweight transaction, more when a condition needs a read).
 */
import type { Counter } from 'prom-client';
import type { Get, Mutation, Row, Scan, Storage, StorageAdmin, StorageCapabilities } from '../storage/types.js';

type Operation = 'get' | 'scan' | 'mutate';

export interface StorageOperationCounters {
  readonly storageOperations: Counter<'storage' | 'operation'>;
  readonly storageOperationSeconds: Counter<'storage' | 'operation'>;
}

/** The storage, counted. Failed operations count too (their time was spent all the same). */
export function meteredStorage(inner: Storage, counters: StorageOperationCounters): Storage {
  return new MeteredStorage(inner, counters);
}

class MeteredStorage implements Storage {
  readonly name: string;
  readonly atomicityUnit: Storage['atomicityUnit'];
  readonly capabilities: StorageCapabilities | undefined;
  readonly admin: StorageAdmin;
  readonly #count: Record<Operation, Counter.Internal>;
  readonly #seconds: Record<Operation, Counter.Internal>;

  constructor(
    private readonly inner: Storage,
    counters: StorageOperationCounters,
  ) {
    this.name = inner.name;
    this.atomicityUnit = inner.atomicityUnit;
    this.capabilities = inner.capabilities;
    this.admin = inner.admin;
    // Children resolved once: the hot path increments without hashing labels.
    const children = (c: Counter<'storage' | 'operation'>) => ({
      get: c.labels({ storage: inner.name, operation: 'get' }),
      scan: c.labels({ storage: inner.name, operation: 'scan' }),
      mutate: c.labels({ storage: inner.name, operation: 'mutate' }),
    });
    this.#count = children(counters.storageOperations);
    this.#seconds = children(counters.storageOperationSeconds);
  }

  connectionsInUse(): number {
    return this.inner.connectionsInUse?.() ?? 0;
  }

  async #timed<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await run();
    } finally {
      this.#count[operation].inc();
      this.#seconds[operation].inc(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  get(op: Get): Promise<Row | null> {
    return this.#timed('get', () => this.inner.get(op));
  }

  scan(op: Scan): Promise<Row[]> {
    return this.#timed('scan', () => this.inner.scan(op));
  }

  mutate(mutations: readonly Mutation[]): Promise<void> {
    return this.#timed('mutate', () => this.inner.mutate(mutations));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
