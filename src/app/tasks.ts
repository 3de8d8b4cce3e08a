import type { InvokeSelf } from '../aws/continuation.ts';
import {
  type ContinuationPayload,
  type FileTask,
  isContinuation,
  readContinuation,
  startTask,
  toContinuation,
} from '../core/continuation.ts';
import { ErrorCode, FileError } from '../core/errors.ts';
import { classifyKey, type Prefixes } from '../core/object-key.ts';
import type { ProcessDeps, ProcessedFile } from './file-types.ts';
import { failFile, runFile, runToEnd } from './run-file.ts';
import { type Skipped, selectJobs } from './select-jobs.ts';

export type TaskResult =
  | ({ readonly kind: 'finished'; readonly task: FileTask } & ProcessedFile)
  /** The file goes on in a new invocation: `task` says from where. */
  | { readonly kind: 'continued'; readonly task: FileTask }
  /** The invocation had no time left for the file: a new one starts it. */
  | { readonly kind: 'deferred'; readonly task: FileTask };

export type Turns = {
  readonly remainingMs: () => number;
  /** Below this much time left, a file stops at the next record and continues in a new invocation. */
  readonly marginMs: number;
  /** Without it (outside Lambda) a file is never stopped. */
  readonly invoke?: InvokeSelf;
};

/**
 * The files an event asks for: the one file of a continuation payload, or the new files of an
 * S3 event. A continuation is held to the same rules as an S3 record (bucket, prefixes, suffix).
 */
export const selectTasks = (
  event: unknown,
  settings: { readonly sourceBucket: string; readonly prefixes: Prefixes },
  now: Date,
): { tasks: FileTask[]; skipped: Skipped[] } => {
  if (!isContinuation(event)) {
    const { jobs, skipped } = selectJobs(event, settings.sourceBucket, settings.prefixes);
    return { tasks: jobs.map((job) => startTask(job, now)), skipped };
  }
  const task = readContinuation(event);
  const decision = classifyKey(task.key, settings.prefixes);
  if (task.bucket !== settings.sourceBucket || !decision.process || decision.rest !== task.rest) {
    const reason = decision.process ? 'continuation is not for a file of this function' : decision.reason;
    return { tasks: [], skipped: [{ bucket: task.bucket, key: task.key, reason }] };
  }
  return { tasks: [task], skipped: [] };
};

const noTime = (remainingMs: number, marginMs: number) =>
  new FileError(
    ErrorCode.FILE_NO_PROGRESS,
    `the invocation started with ${remainingMs} ms left, not more than CONTINUATION_MARGIN_MS (${marginMs} ms): ` +
      'it could make no progress; raise the function timeout or lower CONTINUATION_MARGIN_MS',
  );

const stuck = (invocation: number) =>
  new FileError(
    ErrorCode.FILE_NO_PROGRESS,
    `invocation ${invocation} ran out of time before it got past its first record (opening the object, or ` +
      'skipping ahead in a gzip file, took all its time): handing it on would make no progress',
  );

/**
 * Works through the files of one invocation while time lasts. When less than `marginMs` is left,
 * the current file stops at a record boundary and goes on in a new invocation of this function,
 * and files not yet started are handed over whole. Loops are cut short: an invocation that starts
 * without time to spare, or runs out before it gets past its first record, fails its file.
 */
export async function* runTasks(
  deps: ProcessDeps,
  tasks: readonly FileTask[],
  turns: Turns,
): AsyncGenerator<TaskResult> {
  const { invoke, marginMs } = turns;
  const timeLeft = () => turns.remainingMs() > marginMs;
  const atStart = turns.remainingMs();
  const startedInTime = atStart > marginMs;
  for (const [index, task] of tasks.entries()) {
    if (!invoke) {
      yield { kind: 'finished', task, ...(await runToEnd(deps, task)) };
      continue;
    }
    if (!startedInTime) {
      yield {
        kind: 'finished',
        task,
        ...(await failFile(deps, { ...task, invocations: task.invocations + 1 }, noTime(atStart, marginMs))),
      };
      continue;
    }
    // Only a file behind another one is handed over whole: the first one would meet the same clock again.
    if (index > 0 && !timeLeft()) {
      await invoke(toContinuation(task));
      yield { kind: 'deferred', task };
      continue;
    }
    let records = 0;
    const outcome = await runFile(deps, task, {
      shouldStop: () => {
        records++;
        return !timeLeft();
      },
    });
    if (outcome.kind === 'aborted') throw outcome.cause;
    if (outcome.kind === 'finished') {
      const { kind: _kind, ...processed } = outcome;
      yield { kind: 'finished', task, ...processed };
      continue;
    }
    const { next } = outcome;
    if (records <= 1) {
      yield { kind: 'finished', task: next, ...(await failFile(deps, next, stuck(next.invocations))) };
      continue;
    }
    let payload: ContinuationPayload;
    try {
      payload = toContinuation(next);
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      yield { kind: 'finished', task: next, ...(await failFile(deps, next, error)) };
      continue;
    }
    await invoke(payload);
    yield { kind: 'continued', task: next };
  }
}
