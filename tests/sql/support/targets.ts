/**
 * The two sides of a differential test, behind one interface: a real PostgreSQL reached with `pg`,
 * and polygres. Each statement's outcome is reduced to what a client sees: command tag, column
 * names and type OIDs, rows as text, or the error's SQLSTATE and message.
 *
 * polygres is reached either over TCP (the real server, with the same client as PostgreSQL) or
 * in-process through its Backend (exactly the calls the wire layer makes: parse, prepare, execute,
 * sync, with values formatted by the text codecs the wire uses).
 */
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import { SingleStorageRouter } from '../../../src/storage/multi.js';
import { ConsensusCommitManager } from '../../../src/txn/index.js';
import { createSqlBackend, type SqlBackendOptions } from '../../../src/planner/backend.js';
import type { Backend, BackendSession } from '../../../src/wire/backend.js';
import { formatText, parseText, type CodecContext } from '../../../src/types/codec.js';
import { SqlError } from '../../../src/errors.js';

export interface StatementOutcome {
  readonly sql: string;
  readonly command: string | null;
  readonly fields: ReadonlyArray<{ readonly name: string; readonly typeOid: number }>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly error: { readonly code: string; readonly message: string; readonly detail?: string } | null;
  readonly notices: readonly string[];
}

export interface SqlTarget {
  readonly name: string;
  /** Runs one query string (simple-query semantics: statements run in one implicit transaction). */
  run(sql: string): Promise<StatementOutcome[]>;
  close(): Promise<void>;
}

const textParsers = { getTypeParser: () => (v: string) => v };

/** A session of a server that speaks the PostgreSQL protocol (PostgreSQL itself, or polygres over TCP). */
export class PostgresTarget implements SqlTarget {
  private readonly notices: string[] = [];
  /** Full CommandComplete tags ("CREATE TABLE"); pg's Result keeps only the first word. */
  private readonly tags: string[] = [];
  private constructor(
    private readonly client: pg.Client,
    readonly name: string,
  ) {
    client.on('notice', (n) => this.notices.push(`${n.code ?? ''} ${n.message}`));
    const connection = (client as unknown as { connection: { on(event: 'commandComplete', f: (m: { text: string }) => void): void } }).connection;
    connection.on('commandComplete', (m) => this.tags.push(m.text));
  }

  static async connect(url: string, name = 'postgresql'): Promise<PostgresTarget> {
    const client = new pg.Client({ connectionString: url, types: textParsers });
    await client.connect();
    return new PostgresTarget(client, name);
  }

  async run(sql: string): Promise<StatementOutcome[]> {
    this.notices.length = 0;
    this.tags.length = 0;
    try {
      const r = (await this.client.query({ text: sql, rowMode: 'array' })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
      const results = Array.isArray(r) ? r : [r];
      return results.map((x, i) => ({
        sql,
        command: this.tags[i] ?? (x.command === null ? null : tagOf(x)),
        fields: x.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
        rows: x.rows.map((row) => row.map((v) => (v === null ? null : String(v)))),
        error: null,
        notices: [...this.notices],
      }));
    } catch (e) {
      const err = e as pg.DatabaseError;
      return [{ sql, command: null, fields: [], rows: [], error: { code: err.code ?? 'XX000', message: err.message, detail: err.detail }, notices: [...this.notices] }];
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function tagOf(r: pg.QueryArrayResult): string {
  const cmd = r.command;
  if (cmd === 'INSERT') return `INSERT 0 ${r.rowCount}`;
  if (['SELECT', 'UPDATE', 'DELETE', 'MOVE', 'FETCH', 'COPY', 'MERGE'].includes(cmd)) return `${cmd} ${r.rowCount}`;
  return cmd;
}

/** polygres in this process: the Backend over Consensus Commit over a SQLite file. */
export class PolygresInProcessTarget implements SqlTarget {
  readonly name = 'polygres';
  private readonly notices: string[] = [];
  private constructor(
    private readonly session: BackendSession,
    private readonly cleanup: () => Promise<void>,
  ) {
    session.onNotice((n) => this.notices.push(`${n.code} ${n.message}`));
  }

  /** A fresh polygres on a new SQLite file (or the given backend). */
  static async open(shared?: PolygresInstance, database = 'postgres'): Promise<PolygresInProcessTarget> {
    const instance = shared ?? (await PolygresInstance.start());
    const session = await instance.backend.openSession({ user: 'postgres', database, parameters: new Map(), backendPid: 4242, ssl: false });
    return new PolygresInProcessTarget(session, async () => {
      await session.close();
      if (!shared) await instance.close();
    });
  }

  private codec(): CodecContext {
    const own = this.session.codecContext?.();
    if (own) return own;
    return {
      dateStyle: this.session.setting('DateStyle') ?? 'ISO, MDY',
      timeZone: this.session.setting('TimeZone') ?? 'Etc/UTC',
      intervalStyle: this.session.setting('IntervalStyle') ?? 'postgres',
      extraFloatDigits: Number(this.session.setting('extra_float_digits') ?? '1'),
      byteaOutput: this.session.setting('bytea_output') ?? 'hex',
    };
  }

  async run(sql: string): Promise<StatementOutcome[]> {
    this.notices.length = 0;
    const out: StatementOutcome[] = [];
    try {
      const statements = this.session.parse(sql);
      for (const s of statements) {
        if (s.empty) {
          out.push({ sql: s.sql, command: null, fields: [], rows: [], error: null, notices: [] });
          continue;
        }
        try {
          const prepared = await this.session.prepare(s, []);
          const exec = await this.session.execute(prepared, []);
          if (exec.kind === 'rows') {
            const rows: Array<Array<string | null>> = [];
            for (;;) {
              const r = await exec.next(0);
              const codec = this.codec();
              for (const row of r.rows) rows.push(row.map((v, i) => (v === null ? null : formatText(exec.fields[i]!.typeOid, v, codec))));
              if (r.done) break;
            }
            out.push({ sql: s.sql, command: exec.tag(), fields: exec.fields.map((f) => ({ name: f.name, typeOid: f.typeOid })), rows, error: null, notices: [...this.notices] });
          } else if (exec.kind === 'command') {
            out.push({ sql: s.sql, command: exec.tag, fields: [], rows: [], error: null, notices: [...this.notices] });
          } else if (exec.kind === 'copyIn') {
            // COPY FROM STDIN with no data, as a client that has none sends it.
            out.push({ sql: s.sql, command: await exec.finish(), fields: [], rows: [], error: null, notices: [...this.notices] });
          } else {
            while ((await exec.next()) !== null);
            out.push({ sql: s.sql, command: exec.tag(), fields: [], rows: [], error: null, notices: [...this.notices] });
          }
        } catch (e) {
          const err = e instanceof SqlError ? e : new SqlError('XX000', String((e as Error)?.stack ?? e));
          this.session.fail(err);
          await this.session.sync().catch(() => {});
          out.push({ sql: s.sql, command: null, fields: [], rows: [], error: { code: err.code, message: err.message, detail: err.detail }, notices: [...this.notices] });
          return out;
        }
      }
      try {
        await this.session.sync();
      } catch (e) {
        // The wire reports a failed commit in place of the last statement's CommandComplete.
        const err = e instanceof SqlError ? e : new SqlError('XX000', String((e as Error)?.stack ?? e));
        const last = out.pop();
        out.push({ sql: last?.sql ?? sql, command: null, fields: [], rows: [], error: { code: err.code, message: err.message, detail: err.detail }, notices: [...this.notices] });
      }
    } catch (e) {
      const err = e instanceof SqlError ? e : new SqlError('XX000', String((e as Error)?.stack ?? e));
      out.push({ sql, command: null, fields: [], rows: [], error: { code: err.code, message: err.message, detail: err.detail }, notices: [...this.notices] });
    }
    return out;
  }

  /**
   * One statement through the extended protocol's calls with text parameters (each read as the
   * type polygres inferred for it), as a driver with bind parameters sends it.
   */
  async query(sql: string, params: readonly string[]): Promise<StatementOutcome> {
    const [statement] = this.session.parse(sql);
    try {
      const prepared = await this.session.prepare(statement!, []);
      const codec = this.codec();
      const values = params.map((p, i) => parseText(prepared.paramTypes[i]!, p, -1, codec));
      const exec = await this.session.execute(prepared, values);
      const rows: Array<Array<string | null>> = [];
      let fields: Array<{ name: string; typeOid: number }> = [];
      let command: string | null = null;
      if (exec.kind === 'rows') {
        fields = exec.fields.map((f) => ({ name: f.name, typeOid: f.typeOid }));
        for (;;) {
          const r = await exec.next(0);
          for (const row of r.rows) rows.push(row.map((v, i) => (v === null ? null : formatText(exec.fields[i]!.typeOid, v, codec))));
          if (r.done) break;
        }
        command = exec.tag();
      } else if (exec.kind === 'command') command = exec.tag;
      await this.session.sync();
      return { sql, command, fields, rows, error: null, notices: [] };
    } catch (e) {
      const err = e instanceof SqlError ? e : new SqlError('XX000', String((e as Error)?.stack ?? e));
      this.session.fail(err);
      await this.session.sync().catch(() => {});
      return { sql, command: null, fields: [], rows: [], error: { code: err.code, message: err.message, detail: err.detail }, notices: [] };
    }
  }

  get backendSession(): BackendSession {
    return this.session;
  }

  async close(): Promise<void> {
    await this.cleanup();
  }
}

/** One polygres engine over a temporary SQLite file; several sessions may share it. */
export class PolygresInstance {
  private constructor(
    readonly backend: Backend,
    private readonly txm: ConsensusCommitManager,
    private readonly router: SingleStorageRouter,
    private readonly dir: string,
  ) {}

  static async start(options: Partial<Omit<SqlBackendOptions, 'transactionManager'>> = {}): Promise<PolygresInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'polygres-sql-'));
    const router = new SingleStorageRouter(new SqliteStorage({ path: join(dir, 'db.sqlite'), synchronous: 'NORMAL' }));
    const txm = new ConsensusCommitManager(router);
    const backend = await createSqlBackend({ transactionManager: txm, ...options });
    return new PolygresInstance(backend, txm, router, dir);
  }

  async close(): Promise<void> {
    await this.txm.close();
    await this.router.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
