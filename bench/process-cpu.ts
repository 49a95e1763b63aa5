/**
 * CPU time of processes, for benchmarks that report CPU per transaction: a polygres server's, and
 * the PostgreSQL backends serving a database. Linux only (read from /proc).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { postgresAdminUrl } from '../tests/support/storages.js';

/** /proc/PID/stat counts in USER_HZ ticks, 100 per second on Linux. */
const MS_PER_TICK = 10;

/** User + system CPU of a process in ms (0 when it is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: fields are counted after its closing ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return 0;
  }
}

/** The PIDs of the PostgreSQL backends connected to a database now. */
export async function postgresBackendPids(database: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}
