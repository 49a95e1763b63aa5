/**
 * Point reads of the PostgreSQL storage on a few long-lived pipelined connections (pg's `pipeline`
 * mode: a query is sent without waiting for the one before it to finish, each with its own Sync, so a
 * failing query fails alone). The reads requested during one turn of the event loop leave in one
 * socket write per connection: the connection's stream is corked at the first of them and uncorked
 * at the next turn (setImmediate). With many sessions that read at about the same time this saves
 * most of the write system calls, which cost more than anything else here; PostgreSQL, too, reads
 * several queries at once.
 *
 * Only point reads (by primary key) go here: they return one row and do not wait for row locks
 * (MVCC), so a query rarely holds up the ones queued behind it (only a table lock of DDL could).
 * Scans, which may be long, and writes, which wait for row locks and for their commit to be flushed,
 * use the pool.
 */
import pg from 'pg';

interface Connection {
  readonly client: pg.Client;
  /** Settles when the connection is open (rejects when it could not be opened). */
  readonly opened: Promise<void>;
  inFlight: number;
  corked: boolean;
  /** The connection failed or ended: it takes no more queries and is replaced. */
  broken: boolean;
}

/** A connection of the pipeline could not be opened (the read was never sent). */
export class PipelineConnectError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PipelineConnectError';
  }
}

export class PointReadPipeline {
  readonly #connections: (Connection | undefined)[];
  #closed = false;

  /** `brokenBy` tells the errors after which a connection is not used again. */
  constructor(
    private readonly config: pg.ClientConfig,
    size: number,
    private readonly brokenBy: (e: unknown) => boolean,
  ) {
    this.#connections = new Array<Connection | undefined>(Math.max(1, size));
  }

  /**
   * Runs `execute` on the least busy connection (opened, or opened again, if needed). The query it
   * sends leaves in one write with the others of this turn of the event loop.
   */
  async run<T>(execute: (client: pg.Client) => Promise<T>): Promise<T> {
    const c = this.#leastBusy();
    // Counted from here, so that reads waiting for a connection to open spread over the others.
    c.inFlight++;
    try {
      try {
        await c.opened;
      } catch (e) {
        throw new PipelineConnectError(e);
      }
      if (!c.corked) {
        c.corked = true;
        const stream = c.client.connection.stream;
        stream.cork();
        setImmediate(() => {
          c.corked = false;
          stream.uncork();
        });
      }
      return await execute(c.client);
    } catch (e) {
      // Learnt before the connection's own 'error' or 'end' event, so that the next read goes elsewhere.
      if (this.brokenBy(e)) c.broken = true;
      throw e;
    } finally {
      c.inFlight--;
    }
  }

  /** Connections with a query in flight. */
  busyConnections(): number {
    let busy = 0;
    for (const c of this.#connections) if (c && c.inFlight > 0) busy++;
    return busy;
  }

  #leastBusy(): Connection {
    let best: Connection | undefined;
    for (let i = 0; i < this.#connections.length; i++) {
      let c = this.#connections[i];
      if (!c || c.broken) this.#connections[i] = c = this.#open();
      if (!best || c.inFlight < best.inFlight) best = c;
    }
    return best!;
  }

  /** Marks a connection unusable (its session broke, or it holds too many prepared statements). */
  retire(client: pg.Client): void {
    const c = this.#connections.find((x) => x?.client === client);
    if (!c || c.broken) return;
    c.broken = true;
    // Queries already sent still get their answers; the connection ends once they have.
    void c.opened.then(
      () => this.#endWhenIdle(c),
      () => {},
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#connections.map((c) => c?.client.end()));
  }

  #open(): Connection {
    if (this.#closed) throw new Error('the read pipeline is closed');
    const client = new pg.Client({ ...this.config, pipeline: true });
    const opened = client.connect().then(
      () => undefined,
      (e: unknown) => {
        c.broken = true;
        throw e;
      },
    );
    // Read when a query needs it; until then a failure to connect must not count as unhandled.
    opened.catch(() => {});
    const c: Connection = { client, opened, inFlight: 0, corked: false, broken: false };
    // A broken connection is replaced at the next read; without a listener the error would crash the process.
    client.on('error', () => {
      c.broken = true;
    });
    client.on('end', () => {
      c.broken = true;
    });
    return c;
  }

  #endWhenIdle(c: Connection): void {
    if (c.inFlight > 0) {
      setTimeout(() => this.#endWhenIdle(c), 10).unref();
      return;
    }
    c.client.end().catch(() => {});
  }
}
