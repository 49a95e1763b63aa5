/**
 * Access rules in the spirit of pg_hba.conf: an ordered list, the first rule matching the
 * connection type, database, user and client address decides the authentication method; no match
 * means the connection is refused (28000).
 */
import { BlockList, isIP } from 'node:net';
import { SqlError, SqlState } from '../errors.js';

export type AuthMethod = 'trust' | 'reject' | 'password' | 'md5' | 'scram-sha-256';
const AUTH_METHODS: readonly AuthMethod[] = ['trust', 'reject', 'password', 'md5', 'scram-sha-256'];

export interface AccessRule {
  /** host: TLS or not; hostssl: only over TLS; hostnossl: only without TLS. */
  readonly type: 'host' | 'hostssl' | 'hostnossl';
  /** Database names, 'all', or 'sameuser' (the database named like the user). */
  readonly databases: readonly string[] | 'all';
  /** User names or 'all'. */
  readonly users: readonly string[] | 'all';
  /** 'all', an address, or a CIDR block ("10.0.0.0/8", "::1/128"). */
  readonly address: string;
  readonly method: AuthMethod;
}

export interface ConnectionIdentity {
  readonly remoteAddress: string | undefined;
  readonly ssl: boolean;
  readonly user: string;
  readonly database: string;
}

interface CompiledRule {
  readonly rule: AccessRule;
  /** null matches every address. */
  readonly block: BlockList | null;
}

/** An IPv4-mapped IPv6 address ("::ffff:127.0.0.1") compares as the IPv4 address it carries. */
function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped ? mapped[1]! : address;
  const v = isIP(a);
  return v === 4 ? { address: a, family: 'ipv4' } : v === 6 ? { address: a, family: 'ipv6' } : null;
}

function compileAddress(address: string): BlockList | null {
  if (address === 'all' || address === '0.0.0.0/0' || address === '::/0') return null;
  const [host, bits] = address.split('/');
  const normalized = host === undefined ? null : normalizeAddress(host);
  if (!normalized) throw new Error(`invalid address in access rule: "${address}"`);
  const maxBits = normalized.family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? maxBits : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxBits) throw new Error(`invalid CIDR mask in access rule: "${address}"`);
  const block = new BlockList();
  block.addSubnet(normalized.address, prefix, normalized.family);
  return block;
}

export class AccessRules {
  private readonly compiled: readonly CompiledRule[];

  /** Throws on an invalid rule, so a bad configuration fails at startup. */
  constructor(rules: readonly AccessRule[]) {
    this.compiled = rules.map((rule) => {
      if (!AUTH_METHODS.includes(rule.method)) throw new Error(`invalid authentication method "${rule.method}"`);
      if (!['host', 'hostssl', 'hostnossl'].includes(rule.type)) throw new Error(`invalid connection type "${rule.type}"`);
      return { rule, block: compileAddress(rule.address) };
    });
  }

  /** The first matching rule, or null. */
  match(c: ConnectionIdentity): AccessRule | null {
    const client = c.remoteAddress === undefined ? null : normalizeAddress(c.remoteAddress);
    for (const { rule, block } of this.compiled) {
      if (rule.type === 'hostssl' && !c.ssl) continue;
      if (rule.type === 'hostnossl' && c.ssl) continue;
      if (rule.databases !== 'all') {
        const ok = rule.databases.some((d) => d === c.database || (d === 'sameuser' && c.database === c.user));
        if (!ok) continue;
      }
      if (rule.users !== 'all' && !rule.users.includes(c.user)) continue;
      if (block !== null && (client === null || !block.check(client.address, client.family))) continue;
      return rule;
    }
    return null;
  }

  /** The method for this connection; throws FATAL 28000 with PostgreSQL's message when refused. */
  methodFor(c: ConnectionIdentity): Exclude<AuthMethod, 'reject'> {
    const rule = this.match(c);
    const what = `host "${c.remoteAddress ?? 'local'}", user "${c.user}", database "${c.database}", ${c.ssl ? 'SSL encryption' : 'no encryption'}`;
    if (rule === null) {
      throw new SqlError(SqlState.invalidAuthorizationSpecification, `no pg_hba.conf entry for ${what}`, { severity: 'FATAL' });
    }
    if (rule.method === 'reject') {
      throw new SqlError(SqlState.invalidAuthorizationSpecification, `pg_hba.conf rejects connection for ${what}`, { severity: 'FATAL' });
    }
    return rule.method;
  }
}

/**
 * Parses pg_hba-style lines ("host|hostssl|hostnossl DATABASE USER ADDRESS METHOD"), separated by
 * newlines or ';'; '#' starts a comment. DATABASE and USER are 'all' or comma-separated names;
 * ADDRESS is 'all', an address or a CIDR block. Throws with the offending line on a mistake.
 */
export function parseAccessRules(text: string): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const rawLine of text.split(/[\n;]/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 5) throw new Error(`invalid access rule (expected 5 fields): "${line}"`);
    const [type, databases, users, address, method] = fields as [string, string, string, string, string];
    if (type !== 'host' && type !== 'hostssl' && type !== 'hostnossl') throw new Error(`invalid connection type in access rule: "${line}"`);
    if (!(AUTH_METHODS as readonly string[]).includes(method)) throw new Error(`invalid authentication method in access rule: "${line}"`);
    const list = (v: string): readonly string[] | 'all' => (v === 'all' ? 'all' : v.split(',').filter((x) => x !== ''));
    rules.push({ type, databases: list(databases), users: list(users), address, method: method as AuthMethod });
  }
  new AccessRules(rules);
  return rules;
}
