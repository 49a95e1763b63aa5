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
import type { SettingDefinition } from './settings.js';
import { parseSql } from './parser.js';
import { BUILTINS } from './functions/index.js';
import type { FunctionRegistry } from './functions/registry.js';
import type { SessionStatement } from './session.js';

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
  /** Planned statements by catalog version, search_path, given parameter types and text. */
  readonly planCache: LRUCache<string, SessionStatement>;
  /** Parse trees by statement text (a statement is parsed once at Parse and reused at prepare). */
  private readonly parseCache: LRUCache<string, { ast: Node | null }>;

  constructor(parts: EngineParts) {
    this.txm = parts.txm;
    this.store = parts.store;
    this.sequences = parts.sequences;
    this.settingDefinitions = parts.settingDefinitions;
    this.logger = parts.logger;
    this.namespaceForSchema = parts.namespaceForSchema;
    this.planCache = new LRUCache({ max: parts.planCacheSize });
    this.parseCache = new LRUCache({ max: parts.parseCacheSize });
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
