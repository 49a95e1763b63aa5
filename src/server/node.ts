/**
 * One polygres node: storages → Consensus Commit → SQL engine → PostgreSQL protocol, plus the HTTP
 * endpoint. Nodes keep no state of their own; several started on the same configuration serve one
 * database.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { SqlError, SqlState } from '../errors.js';
import { createSqlBackend } from '../planner/backend.js';
import { MultiStorage } from '../storage/multi.js';
import { PostgresStorage } from '../storage/postgres.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { CassandraStorage } from '../storage/cassandra.js';
import type { Storage } from '../storage/types.js';
import { storageDirectory } from '../catalog/storages.js';
import { ConsensusCommitManager, DEFAULT_TRANSACTION_CONFIG, transactionConfigFromProperties } from '../txn/index.js';
import { parseAccessRules, startWireServer, type AuthMethod, type WireServer } from '../wire/index.js';
import { ConfigError, type PolygresConfig, type StorageConfig } from './config.js';
import { faultInjectionFromEnvironment } from './fault-injection.js';
import { meteredStorage } from './storage-metrics.js';
import { startHttp, type HttpEndpoint } from './http.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { observeTransactions } from './observed-transactions.js';

export interface PolygresNode {
  readonly host: string;
  readonly port: number;
  /** -1 when HTTP is disabled. */
  readonly httpPort: number;
  readonly metrics: Metrics;
  close(): Promise<void>;
}

function openStorage(config: StorageConfig, globals: ReadonlyMap<string, string>): Storage {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteStorage({ name: config.name, path: config.contactPoints });
    case 'postgres': {
      const pool = config.properties.get('jdbc.connection_pool.max_total');
      return new PostgresStorage({
        name: config.name,
        connectionString: config.contactPoints,
        poolSize: pool === undefined ? undefined : Number(pool),
      });
    }
    case 'cassandra': {
      // A storage's own key wins over ScalarDB's global one (scalar.db.cassandra.*).
      const setting = (key: string) => config.properties.get(`cassandra.${key}`) ?? globals.get(`scalar.db.cassandra.${key}`);
      const strategy = setting('replication_strategy') ?? 'SimpleStrategy';
      if (strategy !== 'SimpleStrategy' && strategy !== 'NetworkTopologyStrategy') {
        throw new ConfigError(`scalar.db.cassandra.replication_strategy must be SimpleStrategy or NetworkTopologyStrategy, got "${strategy}"`);
      }
      const factor = Number(setting('replication_factor') ?? '1');
      if (!Number.isInteger(factor) || factor < 1) throw new ConfigError(`scalar.db.cassandra.replication_factor must be a positive integer`);
      // polygres only (ScalarDB has no such key): keyspace = prefix + namespace, so that several
      // polygres databases (test runs, say) share one Cassandra cluster. ScalarDB clients need none.
      const keyspacePrefix = config.properties.get('keyspace_prefix') ?? '';
      if (!/^[a-z0-9_]{0,24}$/.test(keyspacePrefix)) throw new ConfigError(`keyspace_prefix must be at most 24 of [a-z0-9_], got "${keyspacePrefix}"`);
      return new CassandraStorage({
        name: config.name,
        contactPoints: config.contactPoints.split(',').map((h) => h.trim()).filter(Boolean),
        port: config.contactPort,
        localDataCenter: setting('local_datacenter'),
        username: config.username,
        password: config.password,
        replication: { strategy, factor },
        keyspacePrefix,
      });
    }
  }
}

/** `polygres.peers`: `1@10.0.0.2:5433,2@10.0.0.3:5433` → node id → address. */
export function parsePeers(text: string): Map<number, { host: string; port: number }> {
  const peers = new Map<number, { host: string; port: number }>();
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)@(.+):(\d+)$/.exec(entry);
    if (!m) throw new ConfigError(`polygres.peers: "${entry}" is not of the form ID@HOST:PORT`);
    peers.set(Number(m[1]), { host: m[2]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[3]) });
  }
  return peers;
}

/** Sends a CancelRequest for another node's session to that node, as a client would. */
function forwardCancelTo(peers: Map<number, { host: string; port: number }>, logger: Logger) {
  return (request: { nodeId: number; pid: number; secret: number }) => {
    const peer = peers.get(request.nodeId);
    if (!peer) {
      logger.warn({ nodeId: request.nodeId, pid: request.pid }, 'cancel request for a session of an unknown node');
      return;
    }
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(request.pid, 8);
    packet.writeInt32BE(request.secret, 12);
    const socket = connect({ host: peer.host, port: peer.port }, () => socket.end(packet));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', (e) => logger.warn({ err: e, peer }, 'forwarding a cancel request failed'));
  };
}

const AUTH_METHODS: readonly AuthMethod[] = ['trust', 'reject', 'password', 'md5', 'scram-sha-256'];

/** `polygres.user.NAME=VERIFIER` entries: SCRAM-SHA-256 (or md5) verifiers, never plain passwords. */
function usersFrom(config: PolygresConfig): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of config.properties) {
    if (key.startsWith('polygres.user.')) users.set(key.slice('polygres.user.'.length), value);
  }
  return users;
}

function readPem(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${key}: cannot read "${path}": ${(e as Error).message}`);
  }
}

export async function startNode(config: PolygresConfig, logger: Logger): Promise<PolygresNode> {
  const method = config.str('polygres.auth.method') as AuthMethod;
  if (!AUTH_METHODS.includes(method)) throw new ConfigError(`polygres.auth.method must be one of ${AUTH_METHODS.join(', ')}, got "${method}"`);
  let rules;
  try {
    rules = config.str('polygres.hba') ? parseAccessRules(config.str('polygres.hba')) : undefined;
  } catch (e) {
    throw new ConfigError(`polygres.hba: ${(e as Error).message}`);
  }
  const certFile = config.str('polygres.tls.cert_file');
  const keyFile = config.str('polygres.tls.key_file');
  if ((certFile === '') !== (keyFile === '')) throw new ConfigError('polygres.tls.cert_file and polygres.tls.key_file go together');
  const tls = certFile
    ? { cert: readPem('polygres.tls.cert_file', certFile), key: readPem('polygres.tls.key_file', keyFile), required: config.bool('polygres.tls.required') }
    : undefined;
  if (!tls && config.bool('polygres.tls.required')) throw new ConfigError('polygres.tls.required needs polygres.tls.cert_file and polygres.tls.key_file');

  const peers = parsePeers(config.str('polygres.peers'));

  const faults = faultInjectionFromEnvironment(process.env);
  if (faults) logger.warn({ point: faults.point }, 'fault injection is on: the process kills itself at that point of the first cross-storage commit');
  const metrics = new Metrics();
  const storages = new Map<string, Storage>();
  const pooled: Storage[] = [];
  for (const s of config.storages) {
    const storage = meteredStorage(openStorage(s, config.properties), metrics);
    storages.set(s.name, faults ? faults.wrap(storage) : storage);
    // The embedded SQLite has no connections to count.
    if (s.kind !== 'sqlite') pooled.push(storage);
  }
  metrics.poolSampler = () => new Map(pooled.map((storage) => [storage.name, storage.connectionsInUse?.() ?? 0]));
  const router = new MultiStorage({ storages, namespaceMapping: config.namespaceMapping, defaultStorage: config.defaultStorage });
  const closers: (() => Promise<void>)[] = [() => router.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((e: unknown) => logger.warn({ err: e }, 'shutdown step failed'));
  };

  try {
    // Every storage must answer now: a wrong contact point, data center or password is a startup
    // error naming the storage, not a failure at some later statement.
    await Promise.all([...storages.values()].map(async (storage) => {
      try {
        await storage.admin.listNamespaces();
      } catch (e) {
        throw new SqlError(SqlState.cannotConnectNow, `storage "${storage.name}" does not answer: ${(e as Error).message.split('\n')[0]}`);
      }
    }));
    const transactionConfig = transactionConfigFromProperties(config.consensusCommit);
    const transactions = new ConsensusCommitManager(router, {
      ...transactionConfig,
      logger: logger.child({ component: 'txn' }),
      onGroupCommit: (size) => metrics.groupCommitSize.observe(size),
      ...(faults ? { hooks: faults.hooks } : {}),
    });
    closers.push(() => transactions.close());
    await transactions.admin.createCoordinatorTables({ ifNotExists: true });

    const serverVersion = config.str('polygres.server_version');
    const observed = observeTransactions(transactions, (o) => {
      metrics.transactionLatency.observe({ namespace: o.namespace, operation: o.operation }, o.durationSeconds);
      metrics.transactionThroughput.inc({ namespace: o.namespace, status: o.outcome });
    });
    const backend = await createSqlBackend({
      transactionManager: observed,
      storages: storageDirectory(router, {
        kinds: new Map(config.storages.map((s) => [s.name, s.kind])),
        namespaceMapping: config.namespaceMapping,
        systemNamespaces: [transactionConfig.coordinatorNamespace ?? DEFAULT_TRANSACTION_CONFIG.coordinatorNamespace],
      }),
      settings: { serverVersion, defaults: { 'polygres.repeatable_read_as': config.str('polygres.repeatable_read_as') } },
      logger: logger.child({ component: 'sql' }),
    });

    const wire: WireServer = await startWireServer({
      host: config.str('polygres.host'),
      port: config.int('polygres.port'),
      backend,
      tls,
      auth: { method, rules, users: usersFrom(config) },
      limits: {
        maxConnections: config.int('polygres.max_connections'),
        maxMessageBytes: config.int('polygres.max_message_bytes'),
        idleSessionTimeoutMs: config.int('polygres.idle_session_timeout_ms'),
        idleInTransactionTimeoutMs: config.int('polygres.idle_in_transaction_session_timeout_ms'),
      },
      logger: logger.child({ component: 'wire' }),
      serverVersion,
      nodeId: config.int('polygres.node_id'),
      forwardCancel: forwardCancelTo(peers, logger),
      hooks: {
        connectionOpened: () => {
          metrics.clientConnections.inc();
          metrics.clientConnectionsTotal.inc();
        },
        connectionClosed: () => metrics.clientConnections.dec(),
        errorSent: (e) => metrics.errors.inc({ sqlstate: e.sqlState }),
        statementCompleted: (e) => metrics.statementLatency.observe({ command: e.tag.split(' ')[0] ?? '' }, e.durationMs / 1000),
      },
    });
    closers.push(() => wire.close());

    let http: HttpEndpoint | undefined;
    const httpPort = config.int('polygres.http_port');
    if (httpPort >= 0) {
      http = await startHttp({
        host: config.str('polygres.http_host'),
        port: httpPort,
        registry: metrics.registry,
        logger,
        ready: async () => {
          if (!(await transactions.admin.coordinatorTablesExist())) {
            throw new SqlError(SqlState.cannotConnectNow, 'the coordinator table is missing');
          }
        },
      });
      closers.push(() => http!.close());
    }
    return {
      host: wire.host,
      port: wire.port,
      httpPort: http?.port ?? -1,
      metrics,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
