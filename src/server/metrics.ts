/**
 * Prometheus metrics of one node. The names follow the seed's monitoring design (transaction_latency,
 * transaction_throughput, connection_pool_active, coordinator_group_commit_size) with a `polygres_`
 * prefix and Prometheus unit suffixes; the rest describe client sessions and errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  /** Transaction latency, begin to end, by namespace (the first written, else read) and what ended it (commit, rollback). */
  readonly transactionLatency = new Histogram({
    name: 'polygres_transaction_latency_seconds',
    help: 'Latency of transactions from begin to commit or rollback, by namespace and operation',
    labelNames: ['namespace', 'operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Finished transactions by namespace and outcome: committed, rolled_back, conflict (40001), unknown (40003), failed. */
  readonly transactionThroughput = new Counter({
    name: 'polygres_transaction_throughput_total',
    help: 'Finished transactions, by namespace and outcome',
    labelNames: ['namespace', 'status'] as const,
    registers: [this.registry],
  });

  /** Reports storage connections in use by storage name; set by the runtime, sampled when scraped. */
  poolSampler: () => ReadonlyMap<string, number> = () => new Map();

  readonly connectionPoolActive: Gauge<'storage'> = new Gauge({
    name: 'polygres_connection_pool_active',
    help: 'Storage connections in use, by storage',
    labelNames: ['storage'] as const,
    registers: [this.registry],
    collect: () => {
      this.connectionPoolActive.reset();
      for (const [storage, active] of this.poolSampler()) this.connectionPoolActive.set({ storage }, active);
    },
  });

  readonly groupCommitSize = new Histogram({
    name: 'polygres_coordinator_group_commit_size',
    help: 'Transactions committed by one coordinator write (group commit)',
    buckets: [1, 2, 4, 8, 12, 16, 20, 32, 64],
    registers: [this.registry],
  });

  /** Operations sent to each storage (get, scan, mutate): with the next counter, round trips and time per transaction. */
  readonly storageOperations = new Counter({
    name: 'polygres_storage_operations_total',
    help: 'Storage operations, by storage and operation (get, scan, mutate)',
    labelNames: ['storage', 'operation'] as const,
    registers: [this.registry],
  });

  readonly storageOperationSeconds = new Counter({
    name: 'polygres_storage_operation_seconds_total',
    help: 'Time spent in storage operations, by storage and operation',
    labelNames: ['storage', 'operation'] as const,
    registers: [this.registry],
  });

  /** Statements by command tag (SELECT, INSERT, COMMIT...), from receipt to CommandComplete. */
  readonly statementLatency = new Histogram({
    name: 'polygres_statement_latency_seconds',
    help: 'Latency of statements, by command',
    labelNames: ['command'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly clientConnections = new Gauge({
    name: 'polygres_client_connections',
    help: 'Open client connections',
    registers: [this.registry],
  });

  readonly clientConnectionsTotal = new Counter({
    name: 'polygres_client_connections_total',
    help: 'Client connections accepted since start',
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'polygres_errors_total',
    help: 'Errors sent to clients, by SQLSTATE',
    labelNames: ['sqlstate'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'polygres_' });
  }

}
