/**
 * What every session of one backend shares: the transaction manager, the catalog cache, the
 * sequence allocator, the function library, and the caches of parsed and planned statements.
 */
import type { Node } from '@pgsql/types';
import { LRUCache } from 'lru-cache';
import { SqlError, SqlState } from '../errors.js';
import type { TransactionManager } from '../txn/api.js';
import type { CatalogStore } from '../catalog/store.js';
import type { SequenceAllocator } from '../catalog/sequences.js';
import type { StorageDirectory } from '../catalog/storages.js';
import type { SettingDefinition } from './settings.js';
import { parseSql, type SourceStatement } from './parser.js';
import { BUILTINS } from './functions/index.js';
import type { FunctionRegistry } from './functions/registry.js';
import type { SessionStatement } from './session.js';
import type { SessionActivity } from '../catalog/system/context.js';
import { nowMicros } from './context.js';

/** A session as pg_stat_activity lists it. */
export interface ActivitySource {
  activity(): SessionActivity;
}

/** Query strings longer than this are parsed each time (see Engine.queryStringCache). */
const MAX_CACHED_QUERY_STRING_CHARS = 16 * 1024;

export interface EngineLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface EngineParts {
  readonly txm: TransactionManager;
  readonly store: CatalogStore;
  readonly sequences: SequenceAllocator;
  readonly settingDefinitions: ReadonlyMap<string, SettingDefinition>;
  readonly logger: EngineLogger;
  readonly namespaceForSchema: (schema: string) => string;
  readonly storages: StorageDirectory;
  readonly planCacheSize: number;
  readonly parseCacheSize: number;
}

export class Engine {
  readonly registry: FunctionRegistry = BUILTINS;
  readonly txm: TransactionManager;
  readonly store: CatalogStore;
  readonly sequences: SequenceAllocator;
  readonly settingDefinitions: ReadonlyMap<string, SettingDefinition>;
  readonly logger: EngineLogger;
  readonly namespaceForSchema: (schema: string) => string;
  /** Which storage holds each namespace (capabilities, SHOW polygres.storages). */
  readonly storages: StorageDirectory;
  /** Planned statements by catalog version, search_path, given parameter types and text. */
  readonly planCache: LRUCache<string, SessionStatement>;
  /** Parse trees by statement text (a statement is parsed once at Parse and reused at prepare). */
  private readonly parseCache: LRUCache<string, { ast: Node | null }>;
  /**
   * Query strings already split and parsed, by their text: clients send the same statements over
   * and over (every Parse of an unnamed statement, every simple Query), and parsing is a WASM call
   * and a JSON decode each time. Parse trees are never changed after parsing, so they are shared.
   */
  private readonly queryStringCache: LRUCache<string, readonly SourceStatement[]>;
  /** The open sessions of this node (pg_stat_activity, pg_stat_ssl). */
  readonly sessions = new Set<ActivitySource>();
  /** When this engine started, µs since the epoch (pg_postmaster_start_time). */
  readonly startedMicros = nowMicros();

  constructor(parts: EngineParts) {
    this.txm = parts.txm;
    this.store = parts.store;
    this.sequences = parts.sequences;
    this.settingDefinitions = parts.settingDefinitions;
    this.logger = parts.logger;
    this.namespaceForSchema = parts.namespaceForSchema;
    this.storages = parts.storages;
    this.planCache = new LRUCache({ max: parts.planCacheSize });
    this.parseCache = new LRUCache({ max: parts.parseCacheSize });
    this.queryStringCache = new LRUCache({ max: parts.parseCacheSize });
  }

  /** Splits and parses a query string (parseSql), from the cache when it was seen before; a syntax error is not cached. */
  parseQueryString(sql: string): readonly SourceStatement[] {
    const hit = this.queryStringCache.get(sql);
    if (hit) return hit;
    const statements = parseSql(sql);
    for (const s of statements) if (s.ast) this.rememberParse(s.sql, s.ast);
    // Long strings (bulk INSERTs, generated scripts) are rarely repeated: they would only evict.
    if (sql.length <= MAX_CACHED_QUERY_STRING_CHARS) this.queryStringCache.set(sql, statements);
    return statements;
  }

  rememberParse(sql: string, ast: Node): void {
    this.parseCache.set(sql, { ast });
  }

  /** The parse tree of one statement (null when empty); more than one statement is an error. */
  parseOne(sql: string): Node | null {
    const hit = this.parseCache.get(sql);
    if (hit) return hit.ast;
    const parsed = parseSql(sql);
    if (parsed.length > 1) throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    const ast = parsed[0]?.ast ?? null;
    this.parseCache.set(sql, { ast });
    return ast;
  }
}
