/**
 * Text input and output of the object identifier types (regclass, regtype, regproc,
 * regprocedure, regnamespace, regrole, regoper) over the catalog snapshot of a statement: names
 * resolve through the search path as PostgreSQL resolves them, and print schema-qualified only
 * when the unqualified name would not find the object.
 */
import { SqlError, SqlState } from '../errors.js';
import { Oid } from '../types/oids.js';
import { parseTypeName } from '../types/registry.js';
import type { RegObjectResolver } from '../types/codec.js';
import { relationOid, type Catalog } from '../catalog/catalog.js';
import { quoteIdent, splitQualifiedName } from '../catalog/names.js';
import { allSchemas, roles } from '../catalog/system/facts.js';
import { formatCatalogType, relationDisplayName, typeOidFromName } from '../catalog/system/types.js';
import { procByOid, procCatalog, procsNamed } from './procs.js';

/** regclass input: a relation name (optionally schema-qualified, quoted) or a numeric OID. */
export function regclassFromText(text: string, catalog: Catalog, searchPath: readonly string[], user: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const parts = splitQualifiedName(t);
  if (parts.length > 3) throw new SqlError(SqlState.syntaxError, `improper relation name (too many dotted names): ${t}`);
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
  const rel = catalog.findRelation({ schema, name }, searchPath, user);
  if (!rel) throw new SqlError(SqlState.undefinedTable, `relation "${parts.join('.')}" does not exist`);
  return relationOid(rel);
}

/** regclass output: the name, schema-qualified when not visible on the search path. */
export function regclassText(oid: number, catalog: Catalog, searchPath: readonly string[], user: string): string {
  const r = catalog.relationByOid(oid);
  return r ? relationDisplayName(catalog, r, searchPath, user) : String(oid);
}

/** The function a regproc name means: exactly one function of that name, else 42883 / 42725. */
function procFromName(text: string): number {
  const parts = splitQualifiedName(text.trim());
  const name = parts[parts.length - 1] ?? '';
  const found = procsNamed(name);
  if (found.length === 0) throw new SqlError(SqlState.undefinedFunction, `function "${text.trim()}" does not exist`);
  if (found.length > 1) throw new SqlError(SqlState.ambiguousFunction, `more than one function named "${text.trim()}"`);
  return found[0]!.oid;
}

/** regprocedure input: `name(type, ...)`. */
function procFromSignature(text: string): number {
  const m = /^\s*(.+?)\s*\((.*)\)\s*$/.exec(text);
  if (!m) throw new SqlError(SqlState.invalidTextRepresentation, 'expected a left parenthesis');
  const parts = splitQualifiedName(m[1]!);
  const args = m[2]!.trim() === '' ? [] : m[2]!.split(',').map((a) => parseTypeName(a).oid);
  const found = procsNamed(parts[parts.length - 1] ?? '').find((p) => p.argTypes.length === args.length && p.argTypes.every((t, i) => t === args[i]));
  if (!found) throw new SqlError(SqlState.undefinedFunction, `function "${text.trim()}" does not exist`);
  return found.oid;
}

/** The reg* text I/O of the session's catalog (src/types/codec.ts calls it). */
export function catalogRegResolver(catalog: Catalog, searchPath: readonly string[], user: string): RegObjectResolver {
  return {
    nameOf(regType, oid) {
      switch (regType) {
        case Oid.regclass: {
          const r = catalog.relationByOid(oid);
          return r ? relationDisplayName(catalog, r, searchPath, user) : undefined;
        }
        case Oid.regtype: {
          const name = formatCatalogType(catalog, oid, undefined, searchPath, user);
          return name === '???' ? undefined : name;
        }
        case Oid.regnamespace: {
          const schema = allSchemas(catalog).find((s) => s.oid === oid);
          return schema ? quoteIdent(schema.name) : undefined;
        }
        case Oid.regproc: {
          const p = procByOid(oid);
          return p ? quoteIdent(p.name) : undefined;
        }
        case Oid.regprocedure: {
          const p = procByOid(oid);
          return p ? `${quoteIdent(p.name)}(${p.argTypes.map((t) => formatCatalogType(catalog, t, undefined, searchPath, user)).join(',')})` : undefined;
        }
        case Oid.regrole:
          return roles(catalog, user).find((r) => r.oid === oid)?.name;
        case Oid.regoper: {
          const o = procCatalog().operators.find((x) => x.oid === oid);
          return o?.name;
        }
        default:
          return undefined;
      }
    },
    oidOf(regType, name) {
      switch (regType) {
        case Oid.regclass:
          return regclassFromText(name, catalog, searchPath, user);
        case Oid.regtype:
          return typeOidFromName(catalog, name, searchPath, user);
        case Oid.regnamespace: {
          const parts = splitQualifiedName(name.trim());
          const schema = parts.length === 1 ? allSchemas(catalog).find((s) => s.name === parts[0]) : undefined;
          if (!schema) throw new SqlError(SqlState.undefinedObject, `schema "${parts.join('.')}" does not exist`);
          return schema.oid;
        }
        case Oid.regproc:
          return procFromName(name);
        case Oid.regprocedure:
          return procFromSignature(name);
        case Oid.regrole: {
          const role = roles(catalog, user).find((r) => r.name === splitQualifiedName(name.trim())[0]);
          if (!role) throw new SqlError(SqlState.undefinedObject, `role "${name.trim()}" does not exist`);
          return role.oid;
        }
        case Oid.regoper: {
          const ops = procCatalog().operators.filter((o) => o.name === name.trim());
          if (ops.length === 0) throw new SqlError(SqlState.undefinedFunction, `operator does not exist: ${name.trim()}`);
          if (ops.length > 1) throw new SqlError(SqlState.ambiguousFunction, `more than one operator named ${name.trim()}`);
          return ops[0]!.oid;
        }
        default:
          throw new SqlError(SqlState.undefinedObject, `cannot resolve "${name.trim()}"`);
      }
    },
  };
}
