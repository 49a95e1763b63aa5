/**
 * The commit protocol (ScalarDB's `CommitHandler`):
 *
 *   prepare-records   every written record CAS'd to PREPARED/DELETED by this transaction, grouped
 *                     by atomicity unit, conditional on the committed version read
 *   validate-records  SERIALIZABLE: re-read gets and scans (validation.ts)
 *   commit-state      put-if-not-exists COMMITTED in the coordinator table: THE commit point
 *   commit-records    PREPARED → COMMITTED, DELETED → deleted; best effort, readers finish the rest
 *   rollback          on failure before the commit point: ABORTED in the coordinator, then every
 *                     record this transaction prepared restored from its before image
 *
 * One-phase commit (ScalarDB §4.3): when every write falls in one atomicity unit and nothing needs
 * validation, one conditional storage mutate writes the records COMMITTED directly, with no
 * coordinator row; the mutate's atomicity is the commit point.
 *
 * Write-less transactions write nothing at all (no coordinator row), after validation if needed.
 *
 * Group commit (group-committer.ts): a two-phase commit takes a slot in the open group before
 * prepare, and its id becomes the slot's full id `<parent>$<id>`; commit-state waits for the
 * group's coordinator write instead of writing its own row. Aborts write ABORTED under the full id.
 */
import { InvalidOperationError, NotAppliedError, TransientStorageError, UnknownOutcomeError } from '../storage/errors.js';
import type { Mutation } from '../storage/types.js';
import { groupByAtomicityUnit, type MutationGroup } from './atomicity-units.js';
import { TxState } from './attributes.js';
import { execution, type TransactionServices } from './context.js';
import type { CrudHandler } from './crud.js';
import { ConflictError, UnknownTransactionOutcomeError } from './errors.js';
import { composeCommit, composeOnePhase, composePrepare, composeRollback, composeRollbackOfRecord } from './mutation-composers.js';
import type { GroupCommitSlot } from './group-committer.js';
import { firstFailure, runPhase, type TaskOutcome } from './parallel-executor.js';
import { txIdOf } from './record.js';
import { storageKeyOf } from './record-key.js';
import { describeRecord } from './recovery.js';
import type { WriteIntent } from './snapshot.js';
import { validateReads } from './validation.js';

interface PreparedWrite {
  readonly key: string;
  readonly intent: WriteIntent;
  readonly mutation: Mutation;
}

export class CommitHandler {
  /** This transaction's place in group commit, from the start of two-phase commit (group commit on). */
  private slot: GroupCommitSlot | null = null;

  /** `onGroupCommitId` learns the full id a group-commit slot gives this transaction before prepare. */
  constructor(
    private readonly services: TransactionServices,
    private transactionId: string,
    private readonly crud: CrudHandler,
    private readonly onGroupCommitId?: (fullId: string) => void,
  ) {}

  private get config() {
    return this.services.config;
  }

  async commit(): Promise<void> {
    const { snapshot } = this.crud;
    // With writes, this transaction may take a group-commit slot shortly: the open group waits for it.
    const leaveApproach = snapshot.writeSet.size > 0 ? this.services.groupCommitter?.approach() : undefined;
    let writes: { key: string; intent: WriteIntent }[];
    const validating = snapshot.validationRequired;
    try {
      await this.crud.readUnreadWrites();
      // Prepare conditions on the versions read; a record still being repaired would fail that
      // condition (rolled back) or leave a PREPARED before image (rolled forward). Validation, too,
      // must not see records this transaction's reads are settling.
      await this.crud.awaitRepairs(validating ? undefined : (key) => snapshot.writeSet.has(key));

      if (snapshot.writeSet.size === 0) {
        if (validating) await this.validateRecords([]);
        return;
      }
      writes = [...snapshot.writeSet].map(([key, intent]) => ({ key, intent }));
      if (this.config.onePhaseCommit && !validating) {
        const onePhase = this.onePhaseGroup(writes);
        if (onePhase) return await this.commitInOnePhase(onePhase);
      }
      this.takeGroupCommitSlot();
    } finally {
      leaveApproach?.();
    }

    let prepared: MutationGroup<PreparedWrite>[];
    let committedAtMs: number;
    try {
      prepared = await this.prepareRecords(writes);
      if (validating) await this.validateRecords(prepared);
      committedAtMs = await this.commitState(prepared);
    } catch (e) {
      // Whatever failed before the slot was ready, the group must not wait for this transaction.
      this.slot?.cancel();
      throw e;
    }
    await this.runHook(() => this.config.hooks.afterCommitState?.(this.transactionId));
    const commitRecords = this.commitRecords(prepared, committedAtMs);
    if (this.config.asyncCommit) this.services.trackBackground(commitRecords);
    else await commitRecords;
  }

  /** Joins the open group: from here on this transaction's id (in its records too) is the full id. */
  private takeGroupCommitSlot(): void {
    const committer = this.services.groupCommitter;
    if (!committer) return;
    this.slot = committer.reserve(this.transactionId);
    this.transactionId = this.slot.fullId;
    this.onGroupCommitId?.(this.slot.fullId);
  }

  // --- one-phase commit -----------------------------------------------------------------------

  /** The single group of one-phase mutations, or null when one phase would not be correct. */
  private onePhaseGroup(writes: { key: string; intent: WriteIntent }[]): MutationGroup<PreparedWrite> | null {
    const nowMs = Date.now();
    const items: PreparedWrite[] = [];
    for (const { key, intent } of writes) {
      const committed = this.crud.committedVersionOf(key, intent);
      // A delete of a missing record needs a tombstone to lock the key: two phases.
      if (intent.kind === 'delete' && !committed) return null;
      items.push({ key, intent, mutation: composeOnePhase(this.transactionId, intent, committed, nowMs) });
    }
    const groups = groupByAtomicityUnit(this.services.router, items, this.config.maxMutationsPerGroup);
    return groups.length === 1 ? groups[0] : null;
  }

  private async commitInOnePhase(group: MutationGroup<PreparedWrite>): Promise<void> {
    try {
      await group.storage.mutate(group.items.map((i) => i.mutation));
    } catch (e) {
      if (e instanceof NotAppliedError || e instanceof TransientStorageError) {
        throw new ConflictError(this.transactionId, 'one-phase-commit', { cause: e });
      }
      if (e instanceof InvalidOperationError) throw e;
      // The storage may or may not have applied the mutate, and no coordinator row will tell.
      throw new UnknownTransactionOutcomeError(this.transactionId, {
        detail: 'The one-phase commit write failed without a definite outcome.',
        cause: e,
      });
    }
  }

  // --- prepare --------------------------------------------------------------------------------

  private async prepareRecords(writes: { key: string; intent: WriteIntent }[]): Promise<MutationGroup<PreparedWrite>[]> {
    const preparedAtMs = Date.now();
    const items = writes.map(({ key, intent }) => ({
      key,
      intent,
      mutation: composePrepare(this.transactionId, intent, this.crud.committedVersionOf(key, intent), preparedAtMs),
    }));
    const groups = groupByAtomicityUnit(this.services.router, items, this.config.maxMutationsPerGroup);
    const outcomes = await runPhase(
      groups.map((g) => () => g.storage.mutate(g.items.map((i) => i.mutation))),
      execution(this.config, this.config.parallelPrepare),
    );
    const failure = firstFailure(outcomes);
    if (failure) {
      await this.abort(groups, outcomes);
      throw this.prepareFailure(failure.reason);
    }
    try {
      await this.config.hooks.afterPrepare?.(this.transactionId);
    } catch (e) {
      await this.abort(groups, outcomes);
      throw e;
    }
    return groups;
  }

  private prepareFailure(reason: unknown): unknown {
    if (reason instanceof NotAppliedError) {
      return new ConflictError(this.transactionId, 'prepare', {
        detail: 'A record written by this transaction was changed, or created, by another transaction since it was read.',
        cause: reason,
      });
    }
    // Nothing (transient) or possibly something (unknown outcome) was prepared; either way this
    // transaction is now aborted and rolled back, so a retry is safe.
    if (reason instanceof TransientStorageError || reason instanceof UnknownOutcomeError) {
      return new ConflictError(this.transactionId, 'prepare', { detail: reason.message, cause: reason });
    }
    return reason;
  }

  // --- validate -------------------------------------------------------------------------------

  private async validateRecords(groups: MutationGroup<PreparedWrite>[]): Promise<void> {
    try {
      await validateReads(this.transactionId, this.crud.snapshot, this.services);
      await this.config.hooks.afterValidate?.(this.transactionId);
    } catch (e) {
      // A write-less transaction has nothing to undo and, as it never wrote, no coordinator row.
      if (groups.length > 0) await this.abort(groups, allApplied(groups));
      if (e instanceof TransientStorageError) throw new ConflictError(this.transactionId, 'validate', { cause: e });
      throw e;
    }
  }

  // --- commit state ---------------------------------------------------------------------------

  /** Writes COMMITTED for this transaction (alone, or through its group); returns the commit time. */
  private async commitState(groups: MutationGroup<PreparedWrite>[]): Promise<number> {
    if (this.slot) return this.commitStateInGroup(groups, this.slot);
    const committedAtMs = Date.now();
    try {
      if (await this.services.coordinator.putState(this.transactionId, 'COMMITTED', committedAtMs)) return committedAtMs;
    } catch (e) {
      return this.commitStateFailed(groups, e);
    }
    return this.resolveCommitStateConflict(groups);
  }

  private async commitStateInGroup(groups: MutationGroup<PreparedWrite>[], slot: GroupCommitSlot): Promise<number> {
    const outcome = await slot.ready();
    switch (outcome.kind) {
      case 'committed':
        return outcome.committedAtMs;
      case 'row exists':
        return this.resolveCommitStateConflict(groups);
      case 'write failed':
        return this.commitStateFailed(groups, outcome.cause);
      case 'expired':
        throw new UnknownTransactionOutcomeError(this.transactionId, {
          detail: 'The group commit of this transaction did not finish within old_group_abort_timeout_millis.',
        });
      case 'abandoned':
        await this.abort(groups, allApplied(groups));
        throw new ConflictError(this.transactionId, 'commit-state', {
          detail: 'The group commit of this transaction was given up before the transaction was ready to commit.',
        });
    }
  }

  /**
   * A row for this transaction's commit state existed: our own earlier attempt (retried after an
   * unknown outcome), or a reader that found our records expired and aborted us (with group commit,
   * possibly only the parent id's ABORTED marker so far).
   */
  private async resolveCommitStateConflict(groups: MutationGroup<PreparedWrite>[]): Promise<number> {
    let state;
    try {
      state = await this.services.coordinator.getState(this.transactionId);
    } catch (e) {
      return this.commitStateFailed(groups, e);
    }
    if (state?.state === 'COMMITTED') return state.createdAtMs;
    // Nobody writes COMMITTED for this id any more: only this transaction would, and it gives up.
    if (state) await this.rollbackRecords(groups, allApplied(groups));
    else await this.abort(groups, allApplied(groups));
    throw new ConflictError(this.transactionId, 'commit-state', {
      detail:
        state?.state === 'ABORTED'
          ? 'The transaction took longer than its lifetime and was aborted by lazy recovery.'
          : 'The coordinator refused the commit state.',
    });
  }

  private async commitStateFailed(groups: MutationGroup<PreparedWrite>[], e: unknown): Promise<never> {
    if (e instanceof InvalidOperationError) {
      // Refused outright (e.g. no coordinator table): nothing was written, so the transaction is not committed.
      await this.abort(groups, allApplied(groups));
      throw e;
    }
    throw new UnknownTransactionOutcomeError(this.transactionId, { cause: e });
  }

  // --- commit records -------------------------------------------------------------------------

  private async commitRecords(groups: MutationGroup<PreparedWrite>[], committedAtMs: number): Promise<void> {
    const commitGroups = groups.map((g) => ({
      storage: g.storage,
      mutations: g.items.map((i) => composeCommit(this.transactionId, i.intent, committedAtMs)),
    }));
    await runPhase(
      commitGroups.map((g, index) => async () => {
        try {
          await g.storage.mutate(g.mutations);
        } catch (e) {
          // Committed already; a reader rolls these records forward.
          this.config.logger?.warn({ err: e, transactionId: this.transactionId }, 'commit-records failed; lazy recovery will finish');
          return;
        }
        await this.runHook(() => this.config.hooks.afterCommitRecordsGroup?.(this.transactionId, index, commitGroups.length));
      }),
      execution(this.config, this.config.parallelCommit),
    );
  }

  // --- abort ----------------------------------------------------------------------------------

  /**
   * Gives up after (part of) prepare: ABORTED in the coordinator first, so readers meeting our
   * records need not wait for them to expire, then the records rolled back.
   */
  private async abort(groups: MutationGroup<PreparedWrite>[], outcomes: readonly TaskOutcome<unknown>[]): Promise<void> {
    this.slot?.cancel();
    try {
      await this.services.coordinator.putState(this.transactionId, 'ABORTED', Date.now());
    } catch (e) {
      // No COMMITTED row can appear for us any more (only we write it), so rolling back is safe;
      // readers abort leftovers once they expire.
      this.config.logger?.warn({ err: e, transactionId: this.transactionId }, 'could not write ABORTED; rolling back anyway');
    }
    await this.rollbackRecords(groups, outcomes);
  }

  /**
   * Restores every record this transaction prepared. A group whose prepare succeeded is rolled
   * back from the versions read; one whose outcome is unknown is re-read first; one not applied
   * (or never sent) holds nothing of ours.
   */
  private async rollbackRecords(groups: MutationGroup<PreparedWrite>[], outcomes: readonly TaskOutcome<unknown>[]): Promise<void> {
    const mutations: { mutation: Mutation }[] = [];
    const rereads: PreparedWrite[] = [];
    groups.forEach((g, i) => {
      const o = outcomes[i];
      if (o.status === 'fulfilled') {
        for (const item of g.items) {
          // The version prepare replaced (null: it created the record, so rollback deletes it).
          const restore = this.crud.committedVersionOf(item.key, item.intent);
          const state = item.intent.kind === 'put' ? TxState.PREPARED : TxState.DELETED;
          const m = composeRollback(this.transactionId, item.intent.meta, item.intent.address, state, restore);
          mutations.push({ mutation: m });
        }
      } else if (o.status === 'rejected' && !(o.reason instanceof NotAppliedError) && !(o.reason instanceof TransientStorageError)) {
        rereads.push(...g.items);
      }
    });
    const parallel = execution(this.config, this.config.parallelRollback);
    if (rereads.length > 0) {
      const reread = await runPhase(
        rereads.map((item) => async () => {
          const raw = await this.services.router.storageFor(item.intent.address.namespace).get(storageKeyOf(item.intent.address));
          if (raw && txIdOf(raw) === this.transactionId) {
            const m = composeRollbackOfRecord(item.intent.meta, item.intent.address, raw);
            if (m) mutations.push({ mutation: m });
          }
        }),
        parallel,
      );
      const failure = firstFailure(reread);
      if (failure) this.config.logger?.warn({ err: failure.reason, transactionId: this.transactionId }, 'rollback could not re-read a record');
    }
    const rollbackGroups = groupByAtomicityUnit(this.services.router, mutations, this.config.maxMutationsPerGroup);
    await runPhase(
      rollbackGroups.map((g) => async () => {
        try {
          await g.storage.mutate(g.items.map((i) => i.mutation));
        } catch {
          // One record not as expected (already rolled back by a reader) fails the whole group:
          // retry record by record, ignoring records someone else settled.
          await runPhase(
            g.items.map((i) => async () => {
              try {
                await g.storage.mutate([i.mutation]);
              } catch (e) {
                if (!(e instanceof NotAppliedError)) {
                  this.config.logger?.warn({ err: e, record: describeRecord(addressOf(i.mutation)) }, 'rollback of a record failed; lazy recovery will finish');
                }
              }
            }),
            parallel,
          );
        }
      }),
      parallel,
    );
  }

  private async runHook(hook: () => void | Promise<void>): Promise<void> {
    try {
      await hook();
    } catch (e) {
      this.config.logger?.warn({ err: e, transactionId: this.transactionId }, 'commit hook failed after the commit point');
    }
  }
}

function allApplied(groups: readonly unknown[]): TaskOutcome<void>[] {
  return groups.map(() => ({ status: 'fulfilled', value: undefined }));
}

function addressOf(m: Mutation) {
  return { namespace: m.namespace, table: m.table, partitionKey: m.partitionKey, clusteringKey: m.clusteringKey ?? [] };
}

