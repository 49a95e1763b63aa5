/** information_schema's domains (sql_identifier, cardinal_number, ...), as pg_type lists them in PostgreSQL 15. */

export interface DomainType {
  readonly oid: number;
  readonly name: string;
  readonly baseType: number;
  readonly typmod: number;
  readonly arrayOid: number;
}

/** information_schema's domains, with PostgreSQL 15's OIDs. */
export const INFORMATION_SCHEMA_DOMAINS: readonly DomainType[] = [
  { oid: 13221, name: 'cardinal_number', baseType: 23, typmod: -1, arrayOid: 13220 },
  { oid: 13224, name: 'character_data', baseType: 1043, typmod: -1, arrayOid: 13223 },
  { oid: 13226, name: 'sql_identifier', baseType: 19, typmod: -1, arrayOid: 13225 },
  { oid: 13232, name: 'time_stamp', baseType: 1184, typmod: 2, arrayOid: 13231 },
  { oid: 13234, name: 'yes_or_no', baseType: 1043, typmod: 7, arrayOid: 13233 },
];

const domainsByOid = new Map(INFORMATION_SCHEMA_DOMAINS.map((d) => [d.oid, d]));

export function domainByOid(oid: number): DomainType | undefined {
  return domainsByOid.get(oid);
}

