/**
 * A scripted protocol fixture implementing Backend: NOT a SQL engine. It recognizes a fixed set of
 * statements (by regular expression) and answers them deterministically, so the wire protocol can
 * be tested with real clients before src/planner exists.
 *
 *   SELECT <int>                              one int4 row
 *   SELECT * FROM series(N|$1)                N rows (n int4, label text, big int8, even bool), table 16384
 *   SELECT n FROM series(N|$1)                N rows of n
 *   SELECT $1::type [AS a], $2 ...            echoes its parameters (untyped $n: text)
 *   SELECT all_types()                        one row with a value of every supported type
 *   SELECT sleep_until_cancelled()            waits for cancel() → 57014
 *   SELECT sleep(ms)                          waits ms (cancellable)
 *   SELECT fail('SQLSTATE', 'message')        error with that code, position at "fail"
 *   SELECT 1/0                                22012
 *   SELECT fail_commit()                      the next commit (Sync, or COMMIT) fails with 40001
 *   SELECT notice('text')                     raises a NOTICE, returns one row
 *   SELECT pg_backend_pid() | current_user | ssl_in_use()
 *   INSERT INTO t ...                         INSERT 0 1
 *   BEGIN | START TRANSACTION | COMMIT | END | ROLLBACK | ABORT
 *   SET name = value | SET name TO value | SET TIME ZONE 'x' | RESET name | SHOW name
 *   COPY sink FROM STDIN [CSV]                counts rows into backend.sink
 *   COPY series(N) TO STDOUT [CSV]            N rows "n\trow n"
 *   SELEC ...                                 42601 syntax error (from parse)
 */
import { SqlError, SqlState } from '../../src/errors.js';
import { Numeric } from '../../src/types/numeric.js';
import { Oid } from '../../src/types/oids.js';
import { Jsonb, SqlArray, type SqlValue } from '../../src/types/values.js';
import type {
  Backend,
  BackendSession,
  CopyIn,
  CopyOut,
  Execution,
  FieldDescription,
  Notice,
  ParsedStatement,
  PreparedStatement,
  RowStream,
  SessionStartup,
  TransactionStatus,
} from '../../src/wire/backend.js';

export const SERIES_TABLE_OID = 16384;

const TYPE_SIZES: Record<number, number> = {
  [Oid.bool]: 1,
  [Oid.int2]: 2,
  [Oid.int4]: 4,
  [Oid.int8]: 8,
  [Oid.float4]: 4,
  [Oid.float8]: 8,
  [Oid.oid]: 4,
  [Oid.date]: 4,
  [Oid.time]: 8,
  [Oid.timestamp]: 8,
  [Oid.timestamptz]: 8,
  [Oid.interval]: 16,
  [Oid.uuid]: 16,
  [Oid.name]: 64,
};

const TYPE_NAMES: Record<string, number> = {
  bool: Oid.bool,
  boolean: Oid.bool,
  int2: Oid.int2,
  smallint: Oid.int2,
  int4: Oid.int4,
  int: Oid.int4,
  integer: Oid.int4,
  int8: Oid.int8,
  bigint: Oid.int8,
  float4: Oid.float4,
  real: Oid.float4,
  float8: Oid.float8,
  numeric: Oid.numeric,
  text: Oid.text,
  varchar: Oid.varchar,
  bpchar: Oid.bpchar,
  bytea: Oid.bytea,
  date: Oid.date,
  time: Oid.time,
  timestamp: Oid.timestamp,
  timestamptz: Oid.timestamptz,
  interval: Oid.interval,
  uuid: Oid.uuid,
  json: Oid.json,
  jsonb: Oid.jsonb,
  oid: Oid.oid,
  name: Oid.name,
  'int4[]': Oid._int4,
  'int8[]': Oid._int8,
  'text[]': Oid._text,
};

export function field(name: string, typeOid: number, tableOid = 0, columnNumber = 0): FieldDescription {
  return { name, typeOid, tableOid, columnNumber, typeSize: TYPE_SIZES[typeOid] ?? -1, typeModifier: -1 };
}

/** One value of each type, with PostgreSQL's text output for it (DateStyle ISO, TimeZone UTC). */
export const ALL_TYPES: ReadonlyArray<{ name: string; oid: number; value: SqlValue; text: string }> = [
  { name: 'bool', oid: Oid.bool, value: true, text: 't' },
  { name: 'int2', oid: Oid.int2, value: -32768, text: '-32768' },
  { name: 'int4', oid: Oid.int4, value: 2147483647, text: '2147483647' },
  { name: 'int8', oid: Oid.int8, value: 9007199254740993n, text: '9007199254740993' },
  { name: 'float4', oid: Oid.float4, value: 1.5, text: '1.5' },
  { name: 'float8', oid: Oid.float8, value: 0.1, text: '0.1' },
  { name: 'numeric', oid: Oid.numeric, value: Numeric.of(-1234567890123456789012345n, 5), text: '-12345678901234567890.12345' },
  { name: 'text', oid: Oid.text, value: 'héllo, "wörld"', text: 'héllo, "wörld"' },
  { name: 'varchar', oid: Oid.varchar, value: 'v', text: 'v' },
  { name: 'bpchar', oid: Oid.bpchar, value: 'ab  ', text: 'ab  ' },
  { name: 'bytea', oid: Oid.bytea, value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), text: '\\xdeadbeef' },
  { name: 'date', oid: Oid.date, value: 19723, text: '2024-01-01' },
  { name: 'time', oid: Oid.time, value: 45296789000n, text: '12:34:56.789' },
  { name: 'timestamp', oid: Oid.timestamp, value: 1704112496789000n, text: '2024-01-01 12:34:56.789' },
  { name: 'timestamptz', oid: Oid.timestamptz, value: 1704112496789000n, text: '2024-01-01 12:34:56.789+00' },
  { name: 'interval', oid: Oid.interval, value: { months: 14, days: 3, micros: 4_005_000_000n }, text: '1 year 2 mons 3 days 01:06:45' },
  { name: 'uuid', oid: Oid.uuid, value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', text: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
  { name: 'json', oid: Oid.json, value: '{"b": 1, "a": [true]}', text: '{"b": 1, "a": [true]}' },
  {
    name: 'jsonb',
    oid: Oid.jsonb,
    value: new Jsonb({ kind: 'object', entries: [['a', [true]], ['b', Numeric.of(1n, 0)]] }),
    text: '{"a": [true], "b": 1}',
  },
  { name: 'oid', oid: Oid.oid, value: 4294967295, text: '4294967295' },
  { name: 'name', oid: Oid.name, value: 'pg_class', text: 'pg_class' },
  { name: 'int4_array', oid: Oid._int4, value: new SqlArray(Oid.int4, [1, null, 3]), text: '{1,NULL,3}' },
  { name: 'text_array', oid: Oid._text, value: new SqlArray(Oid.text, ['a b', 'c"d', '']), text: '{"a b","c\\"d",""}' },
];

/** Reported settings and their defaults (names as PostgreSQL spells them). */
const REPORTED_DEFAULTS: ReadonlyArray<[string, string]> = [
  ['application_name', ''],
  ['client_encoding', 'UTF8'],
  ['DateStyle', 'ISO, MDY'],
  ['default_transaction_read_only', 'off'],
  ['in_hot_standby', 'off'],
  ['integer_datetimes', 'on'],
  ['IntervalStyle', 'postgres'],
  ['is_superuser', 'on'],
  ['server_encoding', 'UTF8'],
  ['server_version', '16.4'],
  ['session_authorization', ''],
  ['standard_conforming_strings', 'on'],
  ['TimeZone', 'Etc/UTC'],
];
const OTHER_DEFAULTS: ReadonlyArray<[string, string]> = [
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
  ['idle_session_timeout', '0'],
  ['idle_in_transaction_session_timeout', '0'],
  ['statement_timeout', '0'],
];

function syntaxError(token: string, position: number): SqlError {
  return new SqlError(SqlState.syntaxError, `syntax error at or near "${token}"`, { position });
}

export interface CopySink {
  rows: number;
  bytes: number;
  lastRow: string;
}

export class FixtureBackend implements Backend {
  readonly sessions: FixtureSession[] = [];
  readonly sink: CopySink = { rows: 0, bytes: 0, lastRow: '' };
  /** Statements executed, in order, by all sessions. */
  readonly executed: string[] = [];
  /** Statements prepared (Parse, or each statement of a simple query), in order. */
  readonly prepared: string[] = [];
  /** The maxRows of every RowStream.next() call, in order. */
  readonly fetchSizes: number[] = [];

  async openSession(startup: SessionStartup): Promise<BackendSession> {
    if (startup.database === 'nosuchdb') {
      throw new SqlError(SqlState.invalidCatalogName, `database "${startup.database}" does not exist`);
    }
    const session = new FixtureSession(this, startup);
    this.sessions.push(session);
    return session;
  }
}

interface Plan {
  readonly run: (params: readonly SqlValue[]) => Promise<Execution>;
}

export class FixtureSession implements BackendSession {
  private readonly settings = new Map<string, [string, string]>();
  private readonly plans = new WeakMap<PreparedStatement, Plan>();
  private parameterListeners: Array<(name: string, value: string) => void> = [];
  private noticeListeners: Array<(notice: Notice) => void> = [];
  private status: TransactionStatus = 'I';
  private implicitFailed = false;
  private commitWillFail = false;
  private cancelWaiters: Array<(e: SqlError) => void> = [];
  private cancelRequested = false;
  closed = false;
  cancelCount = 0;

  constructor(
    private readonly backend: FixtureBackend,
    readonly startup: SessionStartup,
  ) {
    for (const [name, value] of [...REPORTED_DEFAULTS, ...OTHER_DEFAULTS]) this.settings.set(name.toLowerCase(), [name, value]);
    this.put('session_authorization', startup.user);
    if (startup.serverVersion) this.put('server_version', startup.serverVersion);
    for (const [name, value] of startup.parameters) if (this.settings.has(name.toLowerCase())) this.put(name, value);
  }

  get transactionStatus(): TransactionStatus {
    return this.status;
  }

  private put(name: string, value: string): void {
    const entry = this.settings.get(name.toLowerCase());
    if (!entry) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    entry[1] = value;
    if (REPORTED_DEFAULTS.some(([n]) => n === entry[0])) for (const l of this.parameterListeners) l(entry[0], value);
  }

  /** Errors the fixture raises itself fail the transaction, as a real engine's would. */
  private failing<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      this.fail();
      throw e;
    }
  }

  private async failingAsync<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      this.fail();
      throw e;
    }
  }

  parse(sql: string): ParsedStatement[] {
    return this.failing(() => this.split(sql));
  }

  private split(sql: string): ParsedStatement[] {
    const out: ParsedStatement[] = [];
    let start = 0;
    let quoted = false;
    for (let i = 0; i <= sql.length; i++) {
      const c = sql[i];
      if (c === "'") quoted = !quoted;
      if ((c === ';' && !quoted) || i === sql.length) {
        const piece = sql.slice(start, i);
        const lead = /^(?:\s|\/\*.*?\*\/)*/s.exec(piece)![0].length;
        const text = piece.slice(lead).trim();
        if (/^selec\b/i.test(text)) throw syntaxError(text.slice(0, 5), start + lead + 1);
        out.push({ sql: text, offset: start + lead, empty: text === '' });
        start = i + 1;
      }
    }
    return out;
  }

  prepare(statement: ParsedStatement, paramTypes: readonly number[]): Promise<PreparedStatement> {
    return this.failingAsync(async () => this.prepareNow(statement, paramTypes));
  }

  private prepareNow(statement: ParsedStatement, paramTypes: readonly number[]): PreparedStatement {
    const sql = statement.sql;
    if (this.status === 'E' && !/^(commit|end|rollback|abort)\b/i.test(sql)) {
      throw new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    this.backend.prepared.push(sql);
    const { prepared, plan } = this.plan(sql, paramTypes);
    this.plans.set(prepared, plan);
    return prepared;
  }

  async execute(statement: PreparedStatement, params: readonly SqlValue[]): Promise<Execution> {
    const plan = this.plans.get(statement);
    if (!plan) throw new Error('statement was not prepared by this session');
    this.cancelRequested = false;
    this.backend.executed.push(statement.sql);
    return this.failingAsync(() => plan.run(params));
  }

  async sync(): Promise<void> {
    if (this.status !== 'I') return;
    const failed = this.implicitFailed;
    this.implicitFailed = false;
    if (!failed && this.commitWillFail) {
      this.commitWillFail = false;
      throw serializationFailure();
    }
  }

  fail(): void {
    if (this.status === 'T') this.status = 'E';
    else if (this.status === 'I') this.implicitFailed = true;
  }

  reportedParameters(): ReadonlyMap<string, string> {
    return new Map(REPORTED_DEFAULTS.map(([n]) => [n, this.settings.get(n.toLowerCase())![1]]));
  }

  setting(name: string): string | undefined {
    return this.settings.get(name.toLowerCase())?.[1];
  }

  onParameterChange(listener: (name: string, value: string) => void): void {
    this.parameterListeners.push(listener);
  }

  onNotice(listener: (notice: Notice) => void): void {
    this.noticeListeners.push(listener);
  }

  cancel(): void {
    this.cancelCount++;
    this.cancelRequested = true;
    const waiters = this.cancelWaiters;
    this.cancelWaiters = [];
    for (const w of waiters) w(canceled());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
  }

  // -------------------------------------------------------------------------------------------

  private notice(message: string, severity: 'NOTICE' | 'WARNING', code: string): void {
    const n = new SqlError(code, message, { severity });
    for (const l of this.noticeListeners) l(n);
  }

  /** Waits `ms` (forever when null) unless cancel() comes first. */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = ms === null ? undefined : setTimeout(() => {
        this.cancelWaiters = this.cancelWaiters.filter((w) => w !== onCancel);
        resolve();
      }, ms);
      const onCancel = (e: SqlError): void => {
        clearTimeout(timer);
        reject(e);
      };
      if (this.cancelRequested) onCancel(canceled());
      else this.cancelWaiters.push(onCancel);
    });
  }

  private rows(fields: FieldDescription[], count: number, row: (i: number) => SqlValue[], tagFor = (n: number) => `SELECT ${n}`): RowStream {
    let produced = 0;
    let open = true;
    return {
      kind: 'rows',
      fields,
      next: (maxRows) => this.failingAsync(async () => {
        if (this.cancelRequested) throw canceled();
        if (!open) throw new Error('stream closed');
        this.backend.fetchSizes.push(maxRows);
        const end = maxRows === 0 ? count : Math.min(count, produced + maxRows);
        const rows: SqlValue[][] = [];
        for (; produced < end; produced++) rows.push(row(produced + 1));
        return { rows, done: produced >= count };
      }),
      tag: () => tagFor(produced),
      close: async () => {
        open = false;
      },
    };
  }

  private command(tag: string): Execution {
    return { kind: 'command', tag };
  }

  private plan(sql: string, paramTypes: readonly number[]): { prepared: PreparedStatement; plan: Plan } {
    const make = (fields: FieldDescription[] | null, run: Plan['run'], types: readonly number[] = []): { prepared: PreparedStatement; plan: Plan } => ({
      prepared: { sql, paramTypes: types, fields },
      plan: { run },
    });
    let m: RegExpExecArray | null;

    if ((m = /^select\s+(-?\d+)$/i.exec(sql))) {
      const v = Number(m[1]);
      const fields = [field('?column?', Oid.int4)];
      return make(fields, async () => this.rows(fields, 1, () => [v]));
    }
    if ((m = /^select\s+(\*|n)\s+from\s+series\((\d+|\$1)\)$/i.exec(sql))) {
      const all = m[1] === '*';
      const fields = all
        ? [
            field('n', Oid.int4, SERIES_TABLE_OID, 1),
            field('label', Oid.text, SERIES_TABLE_OID, 2),
            field('big', Oid.int8, SERIES_TABLE_OID, 3),
            field('even', Oid.bool, SERIES_TABLE_OID, 4),
          ]
        : [field('n', Oid.int4, SERIES_TABLE_OID, 1)];
      const literal = m[2] === '$1' ? null : Number(m[2]);
      return make(
        fields,
        async (params) => {
          const count = literal ?? Number(params[0]);
          return this.rows(fields, count, (i) => (all ? [i, `row ${i}`, BigInt(i) * 10_000_000_000n, i % 2 === 0] : [i]));
        },
        literal === null ? [paramTypes[0] || Oid.int4] : [],
      );
    }
    if ((m = /^select\s+(\$\d+.*)$/is.exec(sql))) {
      const items = m[1]!.split(',').map((s) => s.trim());
      const fields: FieldDescription[] = [];
      const types: number[] = [];
      for (const item of items) {
        const im = /^\$(\d+)(?:::([a-z0-9_]+(?:\[\])?))?(?:\s+as\s+(\w+))?$/i.exec(item);
        if (!im) throw syntaxError(item, sql.indexOf(item) + 1);
        const index = Number(im[1]) - 1;
        const cast = im[2] === undefined ? undefined : TYPE_NAMES[im[2].toLowerCase()];
        if (im[2] !== undefined && cast === undefined) {
          throw new SqlError(SqlState.undefinedObject, `type "${im[2]}" does not exist`, { position: sql.indexOf(im[2]) + 1 });
        }
        const oid = cast ?? (paramTypes[index] || Oid.text);
        types[index] = oid;
        fields.push(field(im[3] ?? (im[2] === undefined ? '?column?' : im[2].replace('[]', '')), oid));
      }
      for (let i = 0; i < types.length; i++) types[i] ??= paramTypes[i] || Oid.text;
      const order = items.map((item) => Number(/^\$(\d+)/.exec(item)![1]) - 1);
      return make(fields, async (params) => this.rows(fields, 1, () => order.map((i) => params[i] ?? null)), types);
    }
    if (/^select\s+all_types\(\)$/i.test(sql)) {
      const fields = ALL_TYPES.map((t) => field(t.name, t.oid));
      return make(fields, async () => this.rows(fields, 1, () => ALL_TYPES.map((t) => t.value)));
    }
    if (/^select\s+sleep_until_cancelled\(\)$/i.test(sql)) {
      const fields = [field('sleep_until_cancelled', Oid.bool)];
      return make(fields, async () => {
        await this.sleep(60_000);
        return this.rows(fields, 1, () => [true]);
      });
    }
    if ((m = /^select\s+sleep\((\d+)\)$/i.exec(sql))) {
      const ms = Number(m[1]);
      const fields = [field('sleep', Oid.bool)];
      return make(fields, async () => {
        await this.sleep(ms);
        return this.rows(fields, 1, () => [true]);
      });
    }
    if ((m = /^select\s+fail\('(\w{5})',\s*'([^']*)'\)$/i.exec(sql))) {
      const error = new SqlError(m[1]!, m[2]!, { position: sql.toLowerCase().indexOf('fail') + 1, detail: 'fixture detail', hint: 'fixture hint' });
      return make([field('fail', Oid.bool)], async () => {
        throw error;
      });
    }
    if (/^select\s+1\s*\/\s*0$/i.test(sql)) {
      return make([field('?column?', Oid.int4)], async () => {
        throw new SqlError(SqlState.divisionByZero, 'division by zero');
      });
    }
    if (/^select\s+fail_commit\(\)$/i.test(sql)) {
      const fields = [field('fail_commit', Oid.bool)];
      return make(fields, async () => {
        this.commitWillFail = true;
        return this.rows(fields, 1, () => [true]);
      });
    }
    if ((m = /^select\s+notice\('([^']*)'\)$/i.exec(sql))) {
      const text = m[1]!;
      const fields = [field('notice', Oid.text)];
      return make(fields, async () => {
        this.notice(text, 'NOTICE', SqlState.successfulCompletion);
        return this.rows(fields, 1, () => [text]);
      });
    }
    if (/^select\s+pg_backend_pid\(\)$/i.test(sql)) {
      const fields = [field('pg_backend_pid', Oid.int4)];
      return make(fields, async () => this.rows(fields, 1, () => [this.startup.backendPid]));
    }
    if (/^select\s+current_user$/i.test(sql)) {
      const fields = [field('current_user', Oid.text)];
      return make(fields, async () => this.rows(fields, 1, () => [this.startup.user]));
    }
    if (/^select\s+ssl_in_use\(\)$/i.test(sql)) {
      const fields = [field('ssl_in_use', Oid.bool)];
      return make(fields, async () => this.rows(fields, 1, () => [this.startup.ssl]));
    }
    if (/^insert\s+into\s+\w+/i.test(sql)) {
      const count = (sql.match(/\$\d+/g) ?? []).length;
      const types = Array.from({ length: count }, (_, i) => paramTypes[i] || Oid.text);
      return make(null, async () => this.command('INSERT 0 1'), types);
    }
    if (/^(begin|start\s+transaction)\b/i.test(sql)) {
      return make(null, async () => {
        if (this.status !== 'I') this.notice('there is already a transaction in progress', 'WARNING', SqlState.activeSqlTransaction);
        else this.status = 'T';
        return this.command(sql.toLowerCase().startsWith('start') ? 'START TRANSACTION' : 'BEGIN');
      });
    }
    if (/^(commit|end)$/i.test(sql)) {
      return make(null, async () => {
        const was = this.status;
        this.status = 'I';
        if (was === 'I') this.notice('there is no transaction in progress', 'WARNING', SqlState.noActiveSqlTransaction);
        if (was === 'E') return this.command('ROLLBACK');
        if (was === 'T' && this.commitWillFail) {
          this.commitWillFail = false;
          throw serializationFailure();
        }
        return this.command('COMMIT');
      });
    }
    if (/^(rollback|abort)$/i.test(sql)) {
      return make(null, async () => {
        if (this.status === 'I') this.notice('there is no transaction in progress', 'WARNING', SqlState.noActiveSqlTransaction);
        this.status = 'I';
        this.commitWillFail = false;
        return this.command('ROLLBACK');
      });
    }
    if ((m = /^set\s+(?:session\s+)?(?:time\s+zone\s+'([^']*)'|(\w+)\s*(?:=|to)\s*'?([^']*?)'?)$/i.exec(sql))) {
      const name = m[1] !== undefined ? 'TimeZone' : m[2]!;
      const value = m[1] ?? m[3]!;
      return make(null, async () => {
        this.put(name, value);
        return this.command('SET');
      });
    }
    if ((m = /^reset\s+(\w+)$/i.exec(sql))) {
      const name = m[1]!;
      return make(null, async () => {
        const d = [...REPORTED_DEFAULTS, ...OTHER_DEFAULTS].find(([n]) => n.toLowerCase() === name.toLowerCase());
        this.put(name, d?.[1] ?? '');
        return this.command('RESET');
      });
    }
    if ((m = /^show\s+(\w+)$/i.exec(sql))) {
      const name = m[1]!;
      const entry = this.settings.get(name.toLowerCase());
      if (!entry) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
      const fields = [field(name.toLowerCase(), Oid.text)];
      return make(fields, async () => this.rows(fields, 1, () => [entry[1]], () => 'SHOW'));
    }
    if ((m = /^copy\s+sink\s+from\s+stdin\b(.*)$/is.exec(sql))) {
      const csv = /\bcsv\b/i.test(m[1]!);
      return make(null, async () => this.copyIn(csv));
    }
    if ((m = /^copy\s+series\s*\(\s*(\d+)\s*\)\s+to\s+stdout\b(.*)$/is.exec(sql))) {
      const count = Number(m[1]);
      const csv = /\bcsv\b/i.test(m[2]!);
      return make(null, async () => this.copyOut(count, csv));
    }
    const word = /^\S+/.exec(sql)?.[0] ?? sql;
    throw syntaxError(word, 1);
  }

  private copyIn(csv: boolean): CopyIn {
    const sink = this.backend.sink;
    let rows = 0;
    let partial = '';
    let ended = false;
    const decoder = new TextDecoder();
    const line = (text: string): void => {
      if (ended) return;
      if (!csv && text === '\\.') {
        ended = true;
        return;
      }
      rows++;
      sink.lastRow = text;
    };
    return {
      kind: 'copyIn',
      format: csv ? 'csv' : 'text',
      columnFormats: [0, 0],
      write: async (chunk) => {
        if (this.cancelRequested) throw canceled();
        sink.bytes += chunk.byteLength;
        const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
        partial = lines.pop()!;
        for (const l of lines) line(l);
      },
      finish: async () => {
        if (partial !== '') line(partial);
        sink.rows += rows;
        return `COPY ${rows}`;
      },
      fail: async () => {
        partial = '';
      },
    };
  }

  private copyOut(count: number, csv: boolean): CopyOut {
    let i = 0;
    const encoder = new TextEncoder();
    return {
      kind: 'copyOut',
      format: csv ? 'csv' : 'text',
      columnFormats: [0, 0],
      next: async () => {
        if (this.cancelRequested) throw canceled();
        if (i >= count) return null;
        i++;
        return encoder.encode(csv ? `${i},row ${i}\n` : `${i}\trow ${i}\n`);
      },
      tag: () => `COPY ${i}`,
    };
  }
}

function canceled(): SqlError {
  return new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
}

function serializationFailure(): SqlError {
  return new SqlError(SqlState.serializationFailure, 'could not serialize access due to read/write dependencies among transactions', {
    detail: 'Reason code: Canceled on identification as a pivot, during commit attempt.',
    hint: 'The transaction might succeed if retried.',
  });
}
