/**
 * Session settings (PostgreSQL's GUCs) as SET, SHOW, RESET, set_config() and current_setting() see
 * them. Each setting is declared once in SETTING_DEFINITIONS: its canonical name, default, whether a
 * change is reported to the client (ParameterStatus), and how a new value is checked and displayed.
 * Values are kept as their display strings, exactly what SHOW prints.
 */
import { SqlError, SqlState } from '../errors.js';
import { quoteIdent } from '../catalog/names.js';
import { timeZoneFor } from '../types/timezone.js';

export type SettingContext = 'user' | 'internal';

export interface SettingDefinition {
  /** The name as SHOW ALL prints it (e.g. "TimeZone"); lookups are case-insensitive. */
  readonly name: string;
  readonly defaultValue: string;
  /** PostgreSQL's GUC_REPORT: a change is sent to the client as ParameterStatus. */
  readonly reported: boolean;
  /** 'internal' settings are read-only (server_version, integer_datetimes...). */
  readonly context: SettingContext;
  /** Checks a new value and returns its display form; throws 22023 for a bad value. */
  readonly canonicalize?: (value: string) => string;
}

function invalidValue(name: string, value: string, detail?: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, detail ? { detail } : {});
}

function boolSetting(name: string): (v: string) => string {
  return (v) => {
    const s = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n', 'of'].includes(s)) return 'off';
    throw new SqlError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

function enumSetting(name: string, values: readonly string[]): (v: string) => string {
  return (v) => {
    const s = v.trim().toLowerCase();
    const found = values.find((x) => x === s);
    if (found === undefined) {
      throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`, {
        hint: `Available values: ${values.join(', ')}.`,
      });
    }
    return found;
  };
}

function intSetting(name: string, min: number, max: number): (v: string) => string {
  return (v) => {
    const t = v.trim();
    if (!/^[+-]?\d+$/.test(t)) throw invalidValue(name, v);
    const n = Number(t);
    if (n < min || n > max) {
      throw new SqlError(SqlState.invalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
    }
    return String(n);
  };
}

const TIME_UNITS_MS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** A duration in milliseconds, accepting PostgreSQL's units; shown in the largest unit that divides it. */
function durationMsSetting(name: string): (v: string) => string {
  return (v) => {
    const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    if (!m) throw invalidValue(name, v);
    const unit = (m[2] ?? '').toLowerCase();
    const factor = unit === '' ? 1 : unit === 'us' ? 0.001 : TIME_UNITS_MS.find(([u]) => u === unit)?.[1];
    if (factor === undefined) {
      throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`, {
        hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
      });
    }
    const ms = roundHalfEven(Number(m[1]) * factor);
    if (ms < 0 || ms > 2147483647) {
      throw new SqlError(SqlState.invalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`);
    }
    return formatDurationMs(ms);
  };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of TIME_UNITS_MS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Reads back a duration setting's display form in milliseconds (0 = disabled). */
export function durationSettingMs(display: string): number {
  if (display === '0') return 0;
  const m = /^(\d+)([a-z]+)$/.exec(display);
  if (!m) return 0;
  const factor = TIME_UNITS_MS.find(([u]) => u === m[2])?.[1] ?? 1;
  return Number(m[1]) * factor;
}

/**
 * TimeZone: an IANA zone name (checked against the platform's zone database), shown with the
 * zone database's spelling when only letter case differs, as PostgreSQL does; or a numeric offset
 * in hours, shown in POSIX form ("<-05>+05").
 */
function canonicalTimeZone(v: string): string {
  const s = v.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) {
    const hours = Number(s);
    if (Math.abs(hours) > 15) throw invalidValue('TimeZone', v);
    const label = formatOffsetLabel(hours);
    return `<${label}>${formatOffsetLabel(-hours)}`;
  }
  if (s.toLowerCase() === 'local' || s.toLowerCase() === 'default') return SETTING_DEFAULT_TIME_ZONE;
  // A POSIX offset zone with its abbreviation, as SET TIME ZONE INTERVAL names it: <+05:30>-05:30.
  if (s.startsWith('<') && timeZoneFor(s)) return s;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: s }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === s.toLowerCase() ? resolved : s;
  } catch {
    throw invalidValue('TimeZone', v);
  }
}

function formatOffsetLabel(hours: number): string {
  const sign = hours < 0 ? '-' : '+';
  const abs = Math.abs(hours);
  const h = Math.trunc(abs);
  const minutes = Math.round((abs - h) * 60);
  const hh = String(h).padStart(2, '0');
  return minutes === 0 ? `${sign}${hh}` : `${sign}${hh}:${String(minutes).padStart(2, '0')}`;
}

const DATE_STYLE_OUTPUTS: Readonly<Record<string, string>> = { iso: 'ISO', sql: 'SQL', postgres: 'Postgres', german: 'German' };

/** DateStyle: an output style and a field order, each optional, merged with the current value. */
function canonicalDateStyle(current: string): (v: string) => string {
  return (v) => {
    let [style, order] = current.split(',').map((x) => x.trim()) as [string, string];
    let orderGiven = false;
    for (const raw of v.split(',')) {
      const w = raw.trim().toLowerCase();
      if (w === '') continue;
      if (DATE_STYLE_OUTPUTS[w] !== undefined) {
        style = DATE_STYLE_OUTPUTS[w]!;
        if (w === 'german' && !orderGiven) order = 'DMY';
      } else if (['mdy', 'us', 'noneuropean', 'non-european'].includes(w)) {
        order = 'MDY';
        orderGiven = true;
      } else if (['dmy', 'euro', 'european'].includes(w)) {
        order = 'DMY';
        orderGiven = true;
      } else if (w === 'ymd') {
        order = 'YMD';
        orderGiven = true;
      } else if (w === 'default') {
        [style, order] = ['ISO', 'MDY'];
      } else {
        throw invalidValue('DateStyle', v, `Unrecognized key word: "${raw.trim()}".`);
      }
    }
    return `${style}, ${order}`;
  };
}

/** search_path: a list of schema names, shown with identifiers quoted where PostgreSQL quotes them. */
export function canonicalSearchPath(v: string): string {
  return parseSearchPath(v)
    .map((name) => quoteIdent(name))
    .join(', ');
}

/** Splits a search_path value into schema names, unquoting quoted identifiers and folding the rest. */
export function parseSearchPath(v: string): string[] {
  const names: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s][^,]*?))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < v.length && (m = re.exec(v)) !== null) {
    if (m[1] !== undefined) names.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) names.push(m[2].toLowerCase());
    if (m[0] === '') break;
  }
  return names;
}

export { quoteIdent as quoteIdentifierIfNeeded } from '../catalog/names.js';

export const SETTING_DEFAULT_TIME_ZONE = 'Etc/UTC';

/** PostgreSQL's cant_change_runtime_param (not in src/errors.ts's table). */
const CANT_CHANGE_RUNTIME_PARAM = '55P02';

const ISOLATION_LEVELS = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'] as const;
export type IsolationLevelName = (typeof ISOLATION_LEVELS)[number];

export function isIsolationLevelName(v: string): v is IsolationLevelName {
  return (ISOLATION_LEVELS as readonly string[]).includes(v);
}

function clientEncoding(v: string): string {
  const s = v.trim().toLowerCase().replace(/[-_]/g, '');
  if (s === 'utf8' || s === 'unicode') return 'UTF8';
  // Only UTF8 is implemented; reporting any other encoding would make clients mis-decode text.
  throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "client_encoding": "${v}"`, {
    detail: 'polygres supports only the UTF8 client encoding.',
  });
}

function defaultTablespace(v: string): string {
  const name = v.trim();
  if (name !== '' && name !== 'pg_default') {
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "default_tablespace": "${v}"`, { detail: `Tablespace "${name}" does not exist.` });
  }
  return name;
}

/** Values a deployment may change per node (server_version, defaults chosen by the operator). */
export interface SettingOverrides {
  readonly serverVersion?: string;
  readonly defaults?: Readonly<Record<string, string>>;
}

export function settingDefinitions(overrides: SettingOverrides = {}): ReadonlyMap<string, SettingDefinition> {
  const serverVersion = overrides.serverVersion ?? '15.0';
  const [major = '15', minor = '0'] = serverVersion.split(/[.\s]/);
  const defs: SettingDefinition[] = [
    { name: 'application_name', defaultValue: '', reported: true, context: 'user', canonicalize: (v) => v.replace(/[^\x20-\x7e]/g, '?') },
    { name: 'client_encoding', defaultValue: 'UTF8', reported: true, context: 'user', canonicalize: clientEncoding },
    { name: 'DateStyle', defaultValue: 'ISO, MDY', reported: true, context: 'user' },
    { name: 'default_transaction_read_only', defaultValue: 'off', reported: true, context: 'user', canonicalize: boolSetting('default_transaction_read_only') },
    { name: 'in_hot_standby', defaultValue: 'off', reported: true, context: 'internal' },
    { name: 'integer_datetimes', defaultValue: 'on', reported: true, context: 'internal' },
    { name: 'IntervalStyle', defaultValue: 'postgres', reported: true, context: 'user', canonicalize: enumSetting('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) },
    { name: 'is_superuser', defaultValue: 'on', reported: true, context: 'internal' },
    // PostgreSQL 16 reports it (libpq's \password hashes with it); 15 has no such setting.
    ...(Number(major) >= 16 ? [{ name: 'scram_iterations', defaultValue: '4096', reported: true, context: 'user' as const, canonicalize: intSetting('scram_iterations', 1, 2147483647) }] : []),
    { name: 'server_encoding', defaultValue: 'UTF8', reported: true, context: 'internal' },
    { name: 'server_version', defaultValue: serverVersion, reported: true, context: 'internal' },
    { name: 'server_version_num', defaultValue: `${major}${minor.padStart(4, '0')}`, reported: false, context: 'internal' },
    { name: 'session_authorization', defaultValue: 'postgres', reported: true, context: 'user' },
    { name: 'standard_conforming_strings', defaultValue: 'on', reported: true, context: 'user', canonicalize: boolSetting('standard_conforming_strings') },
    { name: 'TimeZone', defaultValue: SETTING_DEFAULT_TIME_ZONE, reported: true, context: 'user', canonicalize: canonicalTimeZone },
    { name: 'search_path', defaultValue: '"$user", public', reported: false, context: 'user', canonicalize: canonicalSearchPath },
    { name: 'statement_timeout', defaultValue: '0', reported: false, context: 'user', canonicalize: durationMsSetting('statement_timeout') },
    { name: 'lock_timeout', defaultValue: '0', reported: false, context: 'user', canonicalize: durationMsSetting('lock_timeout') },
    { name: 'idle_in_transaction_session_timeout', defaultValue: '0', reported: false, context: 'user', canonicalize: durationMsSetting('idle_in_transaction_session_timeout') },
    { name: 'idle_session_timeout', defaultValue: '0', reported: false, context: 'user', canonicalize: durationMsSetting('idle_session_timeout') },
    // polygres runs every transaction SERIALIZABLE unless asked otherwise (DESIGN.md, "Isolation").
    { name: 'default_transaction_isolation', defaultValue: 'serializable', reported: false, context: 'user', canonicalize: enumSetting('default_transaction_isolation', ISOLATION_LEVELS) },
    { name: 'default_transaction_deferrable', defaultValue: 'off', reported: false, context: 'user', canonicalize: boolSetting('default_transaction_deferrable') },
    { name: 'extra_float_digits', defaultValue: '1', reported: false, context: 'user', canonicalize: intSetting('extra_float_digits', -15, 3) },
    { name: 'client_min_messages', defaultValue: 'notice', reported: false, context: 'user', canonicalize: enumSetting('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
    { name: 'bytea_output', defaultValue: 'hex', reported: false, context: 'user', canonicalize: enumSetting('bytea_output', ['escape', 'hex']) },
    { name: 'max_identifier_length', defaultValue: '63', reported: false, context: 'internal' },
    { name: 'lc_collate', defaultValue: 'C.UTF-8', reported: false, context: 'internal' },
    { name: 'lc_ctype', defaultValue: 'C.UTF-8', reported: false, context: 'internal' },
    { name: 'lc_messages', defaultValue: 'C.UTF-8', reported: false, context: 'user' },
    { name: 'lc_monetary', defaultValue: 'C.UTF-8', reported: false, context: 'user' },
    { name: 'lc_numeric', defaultValue: 'C.UTF-8', reported: false, context: 'user' },
    { name: 'lc_time', defaultValue: 'C.UTF-8', reported: false, context: 'user' },
    { name: 'block_size', defaultValue: '8192', reported: false, context: 'internal' },
    { name: 'max_connections', defaultValue: '100', reported: false, context: 'internal' },
    { name: 'escape_string_warning', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('escape_string_warning') },
    { name: 'array_nulls', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('array_nulls') },
    { name: 'row_security', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('row_security') },
    { name: 'synchronous_commit', defaultValue: 'on', reported: false, context: 'user', canonicalize: enumSetting('synchronous_commit', ['local', 'remote_write', 'remote_apply', 'on', 'off']) },
    { name: 'timezone_abbreviations', defaultValue: 'Default', reported: false, context: 'user' },
    { name: 'jit', defaultValue: 'off', reported: false, context: 'user', canonicalize: boolSetting('jit') },
    { name: 'xmloption', defaultValue: 'content', reported: false, context: 'user', canonicalize: enumSetting('xmloption', ['content', 'document']) },
    { name: 'work_mem', defaultValue: '4MB', reported: false, context: 'user' },
    { name: 'maintenance_work_mem', defaultValue: '64MB', reported: false, context: 'user' },
    { name: 'plan_cache_mode', defaultValue: 'auto', reported: false, context: 'user', canonicalize: enumSetting('plan_cache_mode', ['auto', 'force_generic_plan', 'force_custom_plan']) },
    { name: 'check_function_bodies', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('check_function_bodies') },
    { name: 'quote_all_identifiers', defaultValue: 'off', reported: false, context: 'user', canonicalize: boolSetting('quote_all_identifiers') },
    { name: 'default_table_access_method', defaultValue: 'heap', reported: false, context: 'user' },
    // pg_dump's scripts set it before each CREATE TABLE; polygres has only the default tablespace.
    { name: 'default_tablespace', defaultValue: '', reported: false, context: 'user', canonicalize: defaultTablespace },
    { name: 'search_path_warning', defaultValue: 'off', reported: false, context: 'internal' },
    { name: 'transaction_isolation', defaultValue: 'serializable', reported: false, context: 'user' },
    { name: 'transaction_read_only', defaultValue: 'off', reported: false, context: 'user' },
    { name: 'transaction_deferrable', defaultValue: 'off', reported: false, context: 'user' },
    { name: 'max_parallel_workers_per_gather', defaultValue: '2', reported: false, context: 'user' },
    { name: 'enable_seqscan', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('enable_seqscan') },
    // pg_dump turns it off; polygres scans have no shared position to synchronize.
    { name: 'synchronize_seqscans', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('synchronize_seqscans') },
    { name: 'geqo', defaultValue: 'on', reported: false, context: 'user', canonicalize: boolSetting('geqo') },
    { name: 'log_statement', defaultValue: 'none', reported: false, context: 'user', canonicalize: enumSetting('log_statement', ['none', 'ddl', 'mod', 'all']) },
    { name: 'password_encryption', defaultValue: 'scram-sha-256', reported: false, context: 'user', canonicalize: enumSetting('password_encryption', ['md5', 'scram-sha-256']) },
    { name: 'cursor_tuple_fraction', defaultValue: '0.1', reported: false, context: 'user' },
    { name: 'data_directory_mode', defaultValue: '0700', reported: false, context: 'internal' },
    { name: 'server_encoding_num', defaultValue: '6', reported: false, context: 'internal' },
    { name: 'wal_level', defaultValue: 'replica', reported: false, context: 'internal' },
    { name: 'max_index_keys', defaultValue: '32', reported: false, context: 'internal' },
    { name: 'edb_redwood_date', defaultValue: 'off', reported: false, context: 'user' },
    // How REPEATABLE READ runs: 'serializable' (default; prevents read skew as PostgreSQL does) or
    // 'snapshot' (Consensus Commit SNAPSHOT: fewer aborts, but read skew is possible).
    { name: 'polygres.repeatable_read_as', defaultValue: 'serializable', reported: false, context: 'user', canonicalize: enumSetting('polygres.repeatable_read_as', ['serializable', 'snapshot']) },
  ];
  const map = new Map<string, SettingDefinition>();
  for (const d of defs) {
    const def = overrides.defaults?.[d.name] !== undefined ? { ...d, defaultValue: (d.canonicalize ?? ((x: string) => x))(overrides.defaults[d.name]!) } : d;
    map.set(d.name.toLowerCase(), def);
  }
  return map;
}

/**
 * One session's settings. Transaction semantics as in PostgreSQL: SET inside a transaction that
 * rolls back is undone; SET LOCAL lasts until the end of the transaction.
 */
export class SessionSettings {
  private readonly values = new Map<string, string>();
  /** SET LOCAL values, cleared at transaction end. */
  private readonly local = new Map<string, string>();
  /** Values at transaction start, for rollback; null outside a transaction that changed settings. */
  private atTransactionStart: Map<string, string> | null = null;
  private inTransaction = false;
  private readonly listeners: Array<(name: string, value: string) => void> = [];

  constructor(private readonly definitions: ReadonlyMap<string, SettingDefinition>, startup: ReadonlyMap<string, string>) {
    for (const [key, def] of definitions) this.values.set(key, def.defaultValue);
    for (const [name, value] of startup) {
      try {
        this.set(name, value, { local: false, fromStartup: true });
      } catch {
        // PostgreSQL refuses a connection with a bad startup option; a driver's unknown extra
        // parameter is more common than a real mistake, so it is ignored here.
      }
    }
  }

  onChange(listener: (name: string, value: string) => void): void {
    this.listeners.push(listener);
  }

  /** The definition's display name, or undefined for an unknown non-placeholder setting. */
  private definition(name: string): SettingDefinition | undefined {
    return this.definitions.get(name.toLowerCase());
  }

  displayName(name: string): string {
    return this.definition(name)?.name ?? name.toLowerCase();
  }

  /** SHOW's value; throws 42704 for an unknown setting unless `missingOk`. */
  get(name: string, missingOk = false): string | undefined {
    const key = name.toLowerCase();
    const v = this.local.get(key) ?? this.values.get(key);
    if (v === undefined && !missingOk) {
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    return v;
  }

  set(name: string, value: string, options: { local: boolean; fromStartup?: boolean }): void {
    const key = name.toLowerCase();
    const def = this.definition(key);
    if (def === undefined && !key.includes('.')) {
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    if (def?.context === 'internal') {
      throw new SqlError(CANT_CHANGE_RUNTIME_PARAM, `parameter "${def.name}" cannot be changed`);
    }
    let display = value;
    if (def?.name === 'DateStyle') display = canonicalDateStyle(this.get(key) ?? 'ISO, MDY')(value);
    else if (def?.canonicalize) display = def.canonicalize(value);
    if (options.local && !this.inTransaction) return; // PostgreSQL warns (25P01) and ignores; the caller reports.
    this.rememberForRollback();
    const before = this.get(key, true);
    if (options.local) {
      this.local.set(key, display);
    } else {
      this.local.delete(key);
      this.values.set(key, display);
    }
    if (before !== display) this.changed(key);
  }

  reset(name: string): void {
    const def = this.definition(name);
    if (def === undefined) {
      if (name.includes('.')) {
        this.rememberForRollback();
        this.values.delete(name.toLowerCase());
        return;
      }
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    if (def.context === 'internal') throw new SqlError(CANT_CHANGE_RUNTIME_PARAM, `parameter "${def.name}" cannot be changed`);
    this.set(def.name, def.defaultValue, { local: false });
  }

  resetAll(): void {
    for (const def of this.definitions.values()) {
      if (def.context === 'user' && !def.name.startsWith('transaction_')) this.set(def.name, def.defaultValue, { local: false });
    }
  }

  /** All settings in name order, for SHOW ALL. */
  all(): Array<[string, string]> {
    return [...this.definitions.values()].map((d) => [d.name, this.get(d.name) ?? ''] as [string, string]).sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
  }

  reported(): Map<string, string> {
    const out = new Map<string, string>();
    for (const def of this.definitions.values()) if (def.reported) out.set(def.name, this.get(def.name) ?? '');
    return out;
  }

  beginTransaction(): void {
    this.inTransaction = true;
    this.atTransactionStart = null;
  }

  /** Ends the transaction: keeps SET values on commit, restores them on rollback; drops SET LOCAL values. */
  endTransaction(committed: boolean): void {
    const changedKeys = new Set<string>(this.local.keys());
    this.local.clear();
    if (!committed && this.atTransactionStart) {
      for (const [k, v] of this.atTransactionStart) {
        if (this.values.get(k) !== v) changedKeys.add(k);
        this.values.set(k, v);
      }
      for (const k of [...this.values.keys()]) {
        if (!this.atTransactionStart.has(k)) this.values.delete(k);
      }
    }
    this.atTransactionStart = null;
    this.inTransaction = false;
    for (const k of changedKeys) this.changed(k);
  }

  private rememberForRollback(): void {
    if (this.inTransaction && this.atTransactionStart === null) this.atTransactionStart = new Map(this.values);
  }

  private changed(key: string): void {
    const def = this.definition(key);
    if (!def?.reported) return;
    const value = this.get(key, true) ?? '';
    for (const l of this.listeners) l(def.name, value);
  }
}
