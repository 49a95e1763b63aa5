/**
 * polygres configuration: a ScalarDB-style properties file (`--config`), `POLYGRES_*` environment
 * variables and command-line flags, in increasing order of precedence. No configuration at all means
 * the embedded default: one SQLite file under ./polygres-data/.
 *
 * Every server setting is declared once in SETTINGS; flags, environment variables and `--help` are
 * derived from it. Storage and transaction settings use ScalarDB's own keys (scalar.db.*).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SqlError, SqlState } from '../errors.js';
import { parseProperties, substituteEnvironment } from './properties.js';

type Kind = 'string' | 'int' | 'bool';

interface SettingSpec {
  /** Property key, e.g. `polygres.port`. */
  readonly key: string;
  readonly kind: Kind;
  readonly default: string;
  /** Long flag without dashes, when the setting has one. */
  readonly flag?: string;
  readonly help: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'polygres.host', kind: 'string', default: '127.0.0.1', flag: 'host', help: 'address the PostgreSQL protocol listens on (0.0.0.0 for all)' },
  { key: 'polygres.port', kind: 'int', default: '5433', flag: 'port', help: 'PostgreSQL protocol port (0 picks a free port)' },
  { key: 'polygres.http_host', kind: 'string', default: '127.0.0.1', help: 'address of the HTTP endpoint (/metrics, /health, /ready)' },
  { key: 'polygres.http_port', kind: 'int', default: '8080', flag: 'http-port', help: 'HTTP port (0 picks a free port, -1 disables HTTP)' },
  { key: 'polygres.data_dir', kind: 'string', default: './polygres-data', flag: 'data-dir', help: 'directory of the embedded SQLite storage' },
  { key: 'polygres.node_id', kind: 'int', default: '0', flag: 'node-id', help: 'this node\'s number (0-1023) among the nodes serving one database; routes cancel requests' },
  { key: 'polygres.peers', kind: 'string', default: '', help: 'the other nodes serving this database, `ID@HOST:PORT` comma-separated; cancel requests for their sessions are forwarded there' },
  { key: 'polygres.log_level', kind: 'string', default: 'info', flag: 'log-level', help: 'fatal, error, warn, info, debug or trace (JSON lines on stdout)' },
  { key: 'polygres.server_version', kind: 'string', default: '16.4', help: 'PostgreSQL version reported to clients' },
  { key: 'polygres.max_connections', kind: 'int', default: '100', help: 'client connections beyond this get 53300' },
  { key: 'polygres.max_message_bytes', kind: 'int', default: String(64 * 1024 * 1024), help: 'largest protocol message accepted (08P01 beyond)' },
  { key: 'polygres.idle_session_timeout_ms', kind: 'int', default: '0', help: 'close idle sessions after this long (0: never)' },
  { key: 'polygres.idle_in_transaction_session_timeout_ms', kind: 'int', default: '0', help: 'close sessions idle inside a transaction after this long (0: never)' },
  { key: 'polygres.tls.cert_file', kind: 'string', default: '', help: 'PEM certificate chain; enables TLS' },
  { key: 'polygres.tls.key_file', kind: 'string', default: '', help: 'PEM private key of the certificate' },
  { key: 'polygres.tls.required', kind: 'bool', default: 'false', help: 'refuse clients that do not use TLS' },
  { key: 'polygres.auth.method', kind: 'string', default: 'trust', help: 'trust, password, md5 or scram-sha-256 (for every client unless polygres.hba says otherwise)' },
  { key: 'polygres.hba', kind: 'string', default: '', help: 'access rules, `;`-separated pg_hba lines: `host|hostssl|hostnossl DATABASE USER ADDRESS METHOD`' },
  { key: 'polygres.repeatable_read_as', kind: 'string', default: 'serializable', help: 'what REPEATABLE READ runs as: serializable (default) or snapshot' },
];

export interface StorageConfig {
  readonly name: string;
  readonly kind: 'sqlite' | 'postgres' | 'cassandra';
  /** sqlite: file path; postgres: connection string; cassandra: comma-separated hosts. */
  readonly contactPoints: string;
  readonly contactPort?: number;
  readonly username?: string;
  readonly password?: string;
  /** Every property of this storage (keys relative to the storage), for adapter-specific settings. */
  readonly properties: ReadonlyMap<string, string>;
}

export interface PolygresConfig {
  readonly settings: ReadonlyMap<string, string>;
  readonly storages: readonly StorageConfig[];
  /** namespace → storage name */
  readonly namespaceMapping: ReadonlyMap<string, string>;
  readonly defaultStorage: string;
  /** All `scalar.db.consensus_commit.*` keys without that prefix. */
  readonly consensusCommit: ReadonlyMap<string, string>;
  /** Every property after substitution (file, then environment, then flags). */
  readonly properties: ReadonlyMap<string, string>;
  str(key: string): string;
  int(key: string): number;
  bool(key: string): boolean;
}

export class ConfigError extends SqlError {
  constructor(message: string) {
    super(SqlState.configFileError, message);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** The environment variable of a setting: `polygres.http_port` → `POLYGRES_HTTP_PORT`. */
export function envName(key: string): string {
  return key.replace(/[.]/g, '_').toUpperCase();
}

export function helpText(): string {
  const lines = [
    'usage: polygres [--config FILE] [--port N] [--host ADDR] [--http-port N] [--data-dir DIR] [options]',
    '',
    'With no configuration polygres serves one embedded SQLite database under ./polygres-data/.',
    '--config FILE takes a ScalarDB-style properties file (scalar.db.* and polygres.* keys, ${ENV} substitution).',
    'Precedence: flags > environment > file > defaults.',
    '',
    '  --config FILE                                    (POLYGRES_CONFIG)',
  ];
  for (const s of SETTINGS) {
    const flag = s.flag ? `--${s.flag} ${s.kind === 'bool' ? '' : s.kind === 'int' ? 'N' : 'VALUE'}`.trimEnd() : '';
    lines.push(`  ${flag.padEnd(22)} ${s.key.padEnd(44)} ${envName(s.key)}`);
    lines.push(`  ${''.padEnd(22)} ${s.help} [default: ${s.default === '' ? 'none' : s.default}]`);
  }
  lines.push('  --set KEY=VALUE        any property, e.g. --set scalar.db.consensus_commit.isolation_level=SNAPSHOT');
  lines.push('  --help                 this text');
  return lines.join('\n');
}

export interface ParsedArgs {
  readonly help: boolean;
  readonly configFile?: string;
  readonly overrides: Map<string, string>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const overrides = new Map<string, string>();
  let configFile: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) : undefined;
    const takeValue = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`option --${name} needs a value`);
      return v;
    };
    if (name === 'help' || arg === '-h') {
      help = true;
    } else if (name === 'config') {
      configFile = takeValue();
    } else if (name === 'set') {
      const kv = takeValue();
      const k = kv.indexOf('=');
      if (k <= 0) throw new ConfigError(`--set expects KEY=VALUE, got "${kv}"`);
      overrides.set(kv.slice(0, k), kv.slice(k + 1));
    } else {
      const spec = SETTINGS.find((s) => s.flag !== undefined && s.flag === name);
      if (!spec) throw new ConfigError(`unknown option "${arg}" (see --help)`);
      overrides.set(spec.key, spec.kind === 'bool' && eq === -1 ? 'true' : takeValue());
    }
  }
  return { help, configFile, overrides };
}

export function loadConfig(sources: ConfigSources = {}): PolygresConfig & { help: boolean } {
  const env = sources.env ?? process.env;
  const args = parseArgs(sources.argv ?? []);
  const file = args.configFile ?? env.POLYGRES_CONFIG;
  const props = new Map<string, string>();
  for (const s of SETTINGS) props.set(s.key, s.default);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read configuration file "${file}": ${(e as Error).message}`);
    }
    for (const [k, v] of substituteEnvironment(parseProperties(text), env)) props.set(k, v);
  }
  for (const s of SETTINGS) {
    const v = env[envName(s.key)];
    if (v !== undefined) props.set(s.key, v);
  }
  for (const [k, v] of args.overrides) props.set(k, v);
  const config = buildConfig(props);
  return { ...config, help: args.help };
}

function buildConfig(props: Map<string, string>): PolygresConfig {
  for (const s of SETTINGS) checkKind(s.key, s.kind, props.get(s.key) ?? s.default);
  const str = (key: string) => props.get(key) ?? '';
  const int = (key: string) => {
    const v = str(key);
    checkKind(key, 'int', v);
    return Number(v);
  };
  const bool = (key: string) => {
    const v = str(key).toLowerCase();
    checkKind(key, 'bool', v);
    return v === 'true';
  };

  const nodeId = int('polygres.node_id');
  if (nodeId < 0 || nodeId > 1023) throw new ConfigError(`polygres.node_id must be between 0 and 1023, got ${nodeId}`);
  const rr = str('polygres.repeatable_read_as');
  if (rr !== 'serializable' && rr !== 'snapshot') {
    throw new ConfigError(`polygres.repeatable_read_as must be "serializable" or "snapshot", got "${rr}"`);
  }

  const { storages, namespaceMapping, defaultStorage } = storageLayout(props);
  const consensusCommit = new Map<string, string>();
  const ccPrefix = 'scalar.db.consensus_commit.';
  for (const [k, v] of props) if (k.startsWith(ccPrefix)) consensusCommit.set(k.slice(ccPrefix.length), v);

  return {
    settings: new Map(SETTINGS.map((s) => [s.key, str(s.key)])),
    storages,
    namespaceMapping,
    defaultStorage,
    consensusCommit,
    properties: props,
    str,
    int,
    bool,
  };
}

function checkKind(key: string, kind: Kind, value: string): void {
  if (kind === 'int' && !/^-?\d+$/.test(value.trim())) throw new ConfigError(`${key} must be an integer, got "${value}"`);
  if (kind === 'bool' && !/^(true|false)$/i.test(value.trim())) throw new ConfigError(`${key} must be true or false, got "${value}"`);
}

/**
 * Reads the storages in ScalarDB's shapes: `scalar.db.storage=multi-storage` with
 * `scalar.db.multi_storage.*`, a single `jdbc` or `cassandra` storage, or nothing (embedded SQLite).
 * A JDBC contact point is `jdbc:postgresql://host:port/db` or `jdbc:sqlite:PATH`.
 */
function storageLayout(props: Map<string, string>): {
  storages: StorageConfig[];
  namespaceMapping: Map<string, string>;
  defaultStorage: string;
} {
  const kind = props.get('scalar.db.storage');
  if (kind === undefined || kind === '') {
    const path = resolve(props.get('polygres.data_dir') ?? './polygres-data', 'polygres.sqlite');
    return {
      storages: [{ name: 'sqlite', kind: 'sqlite', contactPoints: path, properties: new Map() }],
      namespaceMapping: new Map(),
      defaultStorage: 'sqlite',
    };
  }
  if (kind !== 'multi-storage') {
    const storage = storageFrom('default', 'scalar.db.', props);
    return { storages: [storage], namespaceMapping: new Map(), defaultStorage: storage.name };
  }
  const namesKey = 'scalar.db.multi_storage.storages';
  const names = (props.get(namesKey) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new ConfigError(`${namesKey} must list at least one storage`);
  const storages = names.map((n) => storageFrom(n, `${namesKey}.${n}.`, props));

  const mappingKey = 'scalar.db.multi_storage.namespace_mapping';
  const namespaceMapping = new Map<string, string>();
  for (const entry of (props.get(mappingKey) ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [ns, storage, extra] = entry.split(':').map((s) => s.trim());
    if (!ns || !storage || extra !== undefined) {
      throw new ConfigError(`${mappingKey}: "${entry}" is not of the form namespace:storage`);
    }
    if (!names.includes(storage)) {
      throw new ConfigError(`${mappingKey}: namespace "${ns}" maps to storage "${storage}", which is not listed in ${namesKey}`);
    }
    namespaceMapping.set(ns, storage);
  }
  const defaultKey = 'scalar.db.multi_storage.default_storage';
  const defaultStorage = props.get(defaultKey) ?? names[0]!;
  if (!names.includes(defaultStorage)) {
    throw new ConfigError(`${defaultKey}: storage "${defaultStorage}" is not listed in ${namesKey}`);
  }
  return { storages, namespaceMapping, defaultStorage };
}

function storageFrom(name: string, prefix: string, props: Map<string, string>): StorageConfig {
  const own = new Map<string, string>();
  const single = prefix === 'scalar.db.';
  for (const [k, v] of props) {
    if (k.startsWith(prefix) && !(single && k.startsWith('scalar.db.multi_storage.'))) own.set(k.slice(prefix.length), v);
  }
  const storageKey = `${prefix}storage`;
  const type = own.get('storage');
  const contactKey = `${prefix}contact_points`;
  const contact = own.get('contact_points') ?? '';
  const port = own.get('contact_port');
  const common = {
    name,
    contactPort: port === undefined ? undefined : Number(port),
    username: own.get('username'),
    password: own.get('password'),
    properties: own,
  };
  if (port !== undefined && !/^\d+$/.test(port)) throw new ConfigError(`${prefix}contact_port must be a port number, got "${port}"`);
  if (type === 'jdbc') {
    if (contact.startsWith('jdbc:sqlite:')) return { ...common, kind: 'sqlite', contactPoints: contact.slice('jdbc:sqlite:'.length) };
    if (contact.startsWith('jdbc:postgresql:')) return { ...common, kind: 'postgres', contactPoints: jdbcToPostgresUrl(contact, common.username, common.password, contactKey) };
    throw new ConfigError(`${contactKey}: "${contact}" is not a jdbc:postgresql:// or jdbc:sqlite: URL`);
  }
  if (type === 'cassandra') {
    if (!contact) throw new ConfigError(`${contactKey} must list the Cassandra hosts`);
    return { ...common, kind: 'cassandra', contactPoints: contact };
  }
  throw new ConfigError(`${storageKey} must be "jdbc" or "cassandra", got "${type ?? ''}"`);
}

/** `jdbc:postgresql://host:port/db?user=..` → a libpq-style URL, with username/password from their own keys. */
function jdbcToPostgresUrl(jdbc: string, user: string | undefined, password: string | undefined, key: string): string {
  let url: URL;
  try {
    url = new URL(jdbc.slice('jdbc:'.length));
  } catch {
    throw new ConfigError(`${key}: "${jdbc}" is not a valid JDBC URL`);
  }
  if (user !== undefined) url.username = encodeURIComponent(user);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url.toString();
}
