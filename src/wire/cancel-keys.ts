/**
 * BackendKeyData keys and the registry that turns a CancelRequest into a cancel.
 *
 * A CancelRequest arrives on a new connection, which a TCP load balancer may send to any polygres
 * node. So the pid says which node owns the session: pid = nodeId << 21 | localId, with a 10-bit
 * node id (0..1023) and a 21-bit per-node counter, which keeps the pid a positive int32 as
 * pg_backend_pid() and every driver expect. A node that receives a CancelRequest for another node
 * hands it to `forward` (the server wires that to a connection to the owning node, which replays
 * the same 16-byte CancelRequest there); the secret is checked only by the owner.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const NODE_ID_BITS = 10;
export const LOCAL_ID_BITS = 21;
export const MAX_NODE_ID = (1 << NODE_ID_BITS) - 1;
const LOCAL_ID_MASK = (1 << LOCAL_ID_BITS) - 1;

export interface BackendKey {
  readonly pid: number;
  readonly secret: number;
}

export interface CancelTarget {
  cancel(): void;
}

/** The node that issued a pid. */
export function nodeIdOfPid(pid: number): number {
  return (pid >>> LOCAL_ID_BITS) & MAX_NODE_ID;
}

export class CancelKeyRegistry {
  private readonly sessions = new Map<number, { secret: Buffer; target: CancelTarget }>();
  private nextLocalId = 1;

  constructor(
    readonly nodeId: number,
    /** Receives CancelRequests whose pid belongs to another node. */
    private readonly forward?: (request: { nodeId: number; pid: number; secret: number }) => void,
  ) {
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > MAX_NODE_ID) {
      throw new RangeError(`node id must be an integer from 0 to ${MAX_NODE_ID}`);
    }
  }

  /** A fresh key for a new session; the pid is unique among this node's live sessions. */
  allocate(target: CancelTarget): BackendKey {
    if (this.sessions.size >= LOCAL_ID_MASK) throw new Error('no free backend pid');
    let local = this.nextLocalId;
    while (this.sessions.has(this.pidOf(local))) local = local >= LOCAL_ID_MASK ? 1 : local + 1;
    this.nextLocalId = local >= LOCAL_ID_MASK ? 1 : local + 1;
    const pid = this.pidOf(local);
    const secretBytes = randomBytes(4);
    this.sessions.set(pid, { secret: secretBytes, target });
    return { pid, secret: secretBytes.readInt32BE(0) };
  }

  release(pid: number): void {
    this.sessions.delete(pid);
  }

  /**
   * Handles a CancelRequest: cancels the session when pid and secret match, forwards it when the
   * pid belongs to another node, ignores it otherwise (PostgreSQL says nothing either way).
   */
  cancel(pid: number, secret: number): 'cancelled' | 'forwarded' | 'ignored' {
    const owner = nodeIdOfPid(pid);
    if (owner !== this.nodeId) {
      if (!this.forward) return 'ignored';
      this.forward({ nodeId: owner, pid, secret });
      return 'forwarded';
    }
    const entry = this.sessions.get(pid);
    if (!entry) return 'ignored';
    const given = Buffer.alloc(4);
    given.writeInt32BE(secret, 0);
    if (!timingSafeEqual(given, entry.secret)) return 'ignored';
    entry.target.cancel();
    return 'cancelled';
  }

  private pidOf(local: number): number {
    return ((this.nodeId << LOCAL_ID_BITS) | local) >>> 0;
  }
}
