/**
 * Runs the storage operations of one protocol phase (ScalarDB's `ParallelExecutor`): in parallel
 * up to a bound, or one after another. After the first failure no further task starts, and the call
 * returns only when every started task has settled, so that a rollback never races a prepare still
 * in flight.
 */
export type TaskOutcome<T> =
  | { readonly status: 'fulfilled'; readonly value: T }
  | { readonly status: 'rejected'; readonly reason: unknown }
  | { readonly status: 'skipped' };

export interface PhaseExecution {
  readonly parallel: boolean;
  readonly maxConcurrent: number;
}

export async function runPhase<T>(tasks: readonly (() => Promise<T>)[], execution: PhaseExecution): Promise<TaskOutcome<T>[]> {
  const outcomes: TaskOutcome<T>[] = tasks.map(() => ({ status: 'skipped' }));
  let failed = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      const i = next++;
      try {
        outcomes[i] = { status: 'fulfilled', value: await tasks[i]() };
      } catch (reason) {
        outcomes[i] = { status: 'rejected', reason };
        failed = true;
      }
    }
  };
  const workers = execution.parallel ? Math.max(1, Math.min(execution.maxConcurrent, tasks.length)) : 1;
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
}

/** The first failure of a phase, if any. */
export function firstFailure<T>(outcomes: readonly TaskOutcome<T>[]): { reason: unknown } | undefined {
  for (const o of outcomes) if (o.status === 'rejected') return { reason: o.reason };
  return undefined;
}

/** Runs independent tasks and throws the first failure after all have settled. */
export async function runAllOrThrow<T>(tasks: readonly (() => Promise<T>)[], execution: PhaseExecution): Promise<T[]> {
  const outcomes = await runPhase(tasks, execution);
  const failure = firstFailure(outcomes);
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as { value: T }).value);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
