/**
 * Sequence values. The state of a sequence (last value handed out, is_called) is one transactional
 * record; a node takes values in blocks, each block in its own short transaction, never in the
 * user's: as in PostgreSQL, nextval() is not undone by a rollback and two sessions inserting rows
 * never conflict over the sequence. Values within a node's block are consecutive; a restarted node
 * or a second node skips to its own block, which PostgreSQL's sequence cache does as well.
 */
import { SqlError, SqlState } from '../errors.js';
import type { TransactionManager } from '../txn/api.js';
import type { SequenceInfo } from './model.js';
import { SEQUENCE_VALUES_TABLE } from './store.js';

interface Block {
  /** The next value to hand out, and the last value of the block (inclusive). */
  next: bigint;
  readonly last: bigint;
}

/** Retries of a block allocation that met a concurrent allocation (each one short). */
const MAX_ALLOCATION_ATTEMPTS = 50;

export class SequenceAllocator {
  private readonly blocks = new Map<number, Block>();

  constructor(
    private readonly txm: TransactionManager,
    private readonly systemNamespace: string,
    /** Values reserved per allocation transaction. */
    private readonly blockSize: number,
  ) {}

  private key(oid: number): { namespace: string; table: string; partitionKey: [bigint] } {
    return { namespace: this.systemNamespace, table: SEQUENCE_VALUES_TABLE, partitionKey: [BigInt(oid)] };
  }

  /** Sets the state of a new or restarted sequence (its own transaction). */
  async reset(seq: SequenceInfo, value: bigint = BigInt(seq.start), isCalled = false): Promise<void> {
    this.blocks.delete(seq.oid);
    await this.runShort(async (tx) => {
      await tx.get(this.key(seq.oid));
      await tx.put({ ...this.key(seq.oid), values: { last_value: value, is_called: isCalled } });
    });
  }

  /**
   * What `SELECT last_value, is_called FROM seq` reads: the stored state, read in its own short
   * transaction. Past the first nextval() it is the last value of the newest block handed to any
   * node, so it is never below a value already used (pg_dump's setval restores it safely).
   */
  async state(seq: SequenceInfo): Promise<{ lastValue: bigint; isCalled: boolean }> {
    return this.runShort(async (tx) => {
      const state = await tx.get(this.key(seq.oid));
      return state ? { lastValue: state.last_value as bigint, isCalled: state.is_called as boolean } : { lastValue: BigInt(seq.start), isCalled: false };
    });
  }

  forget(oid: number): void {
    this.blocks.delete(oid);
  }

  async nextval(seq: SequenceInfo): Promise<bigint> {
    const block = this.blocks.get(seq.oid);
    const inc = BigInt(seq.increment);
    if (block && (inc > 0n ? block.next <= block.last : block.next >= block.last)) {
      const v = block.next;
      block.next += inc;
      return v;
    }
    const fresh = await this.allocate(seq);
    const v = fresh.next;
    fresh.next += inc;
    this.blocks.set(seq.oid, fresh);
    return v;
  }

  async setval(seq: SequenceInfo, value: bigint, isCalled: boolean): Promise<bigint> {
    const min = BigInt(seq.min);
    const max = BigInt(seq.max);
    if (value < min || value > max) {
      throw new SqlError(SqlState.numericValueOutOfRange, `setval: value ${value} is out of bounds for sequence "${seq.name}" (${min}..${max})`);
    }
    await this.reset(seq, value, isCalled);
    return value;
  }

  private async allocate(seq: SequenceInfo): Promise<Block> {
    const inc = BigInt(seq.increment);
    const min = BigInt(seq.min);
    const max = BigInt(seq.max);
    return this.runShort(async (tx) => {
      const state = await tx.get(this.key(seq.oid));
      const last = state ? (state.last_value as bigint) : BigInt(seq.start);
      const called = state ? (state.is_called as boolean) : false;
      let first = called ? last + inc : last;
      if (first > max || first < min) {
        if (!seq.cycle) {
          const bound = inc > 0n ? 'maximum' : 'minimum';
          throw new SqlError('2200H', `nextval: reached ${bound} value of sequence "${seq.name}" (${inc > 0n ? max : min})`);
        }
        first = inc > 0n ? min : max;
      }
      let end = first + inc * BigInt(this.blockSize - 1);
      if (inc > 0n && end > max) end = max - ((max - first) % inc);
      if (inc < 0n && end < min) end = min + ((first - min) % -inc);
      await tx.put({ ...this.key(seq.oid), values: { last_value: end, is_called: true } });
      return { next: first, last: end };
    });
  }

  private async runShort<T>(work: (tx: ReturnType<TransactionManager['begin']>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const tx = this.txm.begin({ isolation: 'SERIALIZABLE' });
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (e) {
        await tx.abort();
        if (!(e instanceof SqlError && e.code === SqlState.serializationFailure) || attempt >= MAX_ALLOCATION_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2) * Math.random()));
      }
    }
  }
}
