import type { InvokeSelf } from '../aws/continuation.ts';
import { type FileTurn, lossOf, type TurnSetup, takeTurn } from '../aws/file-turn.ts';
import {
  type ContinuationPayload,
  type FileTask,
  isContinuation,
  readContinuation,
  startTask,
  toContinuation,
} from '../core/continuation.ts';
import { ErrorCode, FileError } from '../core/errors.ts';
import type { ClaimRequest } from '../core/ledger-rules.ts';
import { classifyKey, type Prefixes } from '../core/object-key.ts';
import type { ProcessDeps, ProcessedFile } from './file-types.ts';
import { type Destination, NO_ROUTE, routeOf } from './routes.ts';
import { dropParts, failFile, runFile, runToEnd } from './run-file.ts';
import { type Skipped, selectJobs } from './select-jobs.ts';
import type { Settings } from './settings.ts';

export type TaskResult =
  | ({ readonly kind: 'finished'; readonly task: FileTask } & ProcessedFile)
  /** The file goes on in a new invocation: `task` says from where. */
  | { readonly kind: 'continued'; readonly task: FileTask }
  /** The invocation had no time left for the file: a new one starts it. */
  | { readonly kind: 'deferred'; readonly task: FileTask }
  /** Not this invocation's to process (the ledger says so): a duplicate delivery, or an older upload. */
  | {
      readonly kind: 'skipped';
      readonly task: FileTask;
      readonly outcome: 'duplicate' | 'superseded';
      readonly reason: string;
    };

export type Turns = {
  readonly remainingMs: () => number;
  /** Below this much time left, a file stops at the next record and continues in a new invocation. */
  readonly marginMs: number;
  /** Without it (outside Lambda) a file is never stopped. */
  readonly invoke?: InvokeSelf;
  /** The file ledger (LEDGER_TABLE): each file is claimed before it is processed. Unset: no ledger. */
  readonly ledger?: TurnSetup;
  /** This invocation's Lambda request id, its owner id in the ledger (Lambda's retry carries the same). */
  readonly requestId?: string;
};

/** What the ledger is asked for a task: a new upload's claim, or a continuation's turn in its chain. */
const claimRequest = (task: FileTask, requestId: string): ClaimRequest => ({
  ...(task.sequencer !== undefined && { seq: task.sequencer }),
  requestId,
  ...(task.chain !== undefined && { chain: task.chain }),
  ...(task.invocations > 0 &&
    task.chain !== undefined && { continuation: { chain: task.chain, step: task.invocations + 1 } }),
});

type Go = Extract<FileTurn, { kind: 'go' }>;

/** The file lost its claim: it has stopped; an `unconfirmed` loss fails the invocation, so that Lambda's retry takes the file over. */
const lost = async (turn: Go, task: FileTask): Promise<TaskResult> => {
  const loss = lossOf(turn.signal);
  await turn.end('stopped');
  if (loss === 'unconfirmed') {
    throw new Error(
      `${task.key}: the ledger could not renew the file's lease; it stopped so that a retry takes it over`,
    );
  }
  return {
    kind: 'skipped',
    task,
    outcome: 'superseded',
    reason: 'a newer upload of the key took the file over',
  };
};

/** The settings that choose an event's files: the bucket, the prefixes, and (with DATASETS) the routes. */
export type TaskSettings = { readonly sourceBucket: string; readonly prefixes: Prefixes } & Partial<
  Pick<Settings, 'tableName' | 'schema' | 'datasets'>
>;

/**
 * The files an event asks for: the one file of a continuation payload, or the new files of an
 * S3 event. A continuation is held to the same rules as an S3 record (bucket, prefixes, suffix).
 * With DATASETS, a key that no dataset takes is skipped when TABLE_NAME is not set.
 */
export const selectTasks = (
  event: unknown,
  settings: TaskSettings,
  now: Date,
): { tasks: FileTask[]; skipped: Skipped[] } => {
  const routed = (selected: { tasks: FileTask[]; skipped: Skipped[] }) => {
    if (settings.datasets === undefined) return selected;
    const tasks = selected.tasks.filter((task) => routeOf(task.rest, settings) !== undefined);
    const unrouted = selected.tasks.filter((task) => !tasks.includes(task));
    return {
      tasks,
      skipped: [
        ...selected.skipped,
        ...unrouted.map(({ bucket, key }) => ({ bucket, key, reason: `key ${NO_ROUTE}` })),
      ],
    };
  };
  if (!isContinuation(event)) {
    const { jobs, skipped } = selectJobs(event, settings.sourceBucket, settings.prefixes);
    return routed({ tasks: jobs.map((job) => startTask(job, now)), skipped });
  }
  const task = readContinuation(event);
  const decision = classifyKey(task.key, settings.prefixes);
  if (task.bucket !== settings.sourceBucket || !decision.process || decision.rest !== task.rest) {
    const reason = decision.process ? 'continuation is not for a file of this function' : decision.reason;
    return { tasks: [], skipped: [{ bucket: task.bucket, key: task.key, reason }] };
  }
  return routed({ tasks: [task], skipped: [] });
};

const rerouted = (started: string, table: string) =>
  new FileError(
    ErrorCode.DATASET_CHANGED,
    `DATASETS changed while this file was being processed: it started writing table ${started}, its key now goes to ${table}; upload it again to load it into ${table}`,
  );

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
  to: ProcessDeps | ((task: FileTask) => Promise<Destination>),
  tasks: readonly FileTask[],
  turns: Turns,
): AsyncGenerator<TaskResult> {
  const destinationOf = typeof to === 'function' ? to : async (): Promise<Destination> => ({ deps: to });
  const { invoke, marginMs } = turns;
  // A file whose share fell (more files started) may have more queued than the margin drains:
  // it stops reading once what is outstanding would leave less than half the margin.
  const timeLeft = (drainMs = 0) => {
    const remaining = turns.remainingMs();
    return remaining > marginMs && remaining - drainMs > marginMs / 2;
  };
  const atStart = turns.remainingMs();
  const startedInTime = atStart > marginMs;
  for (const [index, task] of tasks.entries()) {
    if (!invoke) {
      const { deps } = await destinationOf(task);
      yield { kind: 'finished', task, ...(await runToEnd(deps, task)) };
      continue;
    }
    if (!startedInTime) {
      const { deps } = await destinationOf(task);
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
    // The file's table: described on its first file, paced and shared (in the ledger) per table.
    const { deps, share, table } = await destinationOf(task);
    let turn: Go | undefined;
    if (turns.ledger) {
      const taken = await takeTurn(
        { ...turns.ledger, ...(share && { share }) },
        task,
        claimRequest(task, turns.requestId ?? 'unknown'),
        timeLeft,
      );
      if (taken.kind === 'skip') {
        // A continued file that a newer upload took over ends here: nobody will join its parts.
        if (taken.outcome === 'superseded') await dropParts(deps, task);
        yield { kind: 'skipped', task, outcome: taken.outcome, reason: taken.reason };
        continue;
      }
      if (taken.kind === 'defer') {
        await invoke(toContinuation(task));
        yield { kind: 'deferred', task };
        continue;
      }
      turn = taken;
    }
    // A turn that began late (after other files, or after waiting for an older upload to stop) and made
    // no progress is handed on: the next invocation starts with all its time. Only a turn that had
    // most of the invocation's time and still got nowhere fails as stuck.
    const fresh = (index === 0 && !turn) || turns.remainingMs() - marginMs >= (atStart - marginMs) / 2;
    try {
      if (task.table !== undefined && table !== undefined && task.table !== table) {
        // DATASETS changed under a continued file: its rest must not land in another table.
        const processed = await failFile(
          deps,
          { ...task, invocations: task.invocations + 1 },
          rerouted(task.table, table),
        );
        await turn?.end('done');
        yield { kind: 'finished', task, ...processed };
        continue;
      }
      // The table goes with the file's continuations.
      yield await runTurn(
        deps,
        table === undefined ? task : { ...task, table },
        invoke,
        timeLeft,
        turn,
        fresh,
      );
    } catch (error) {
      // The claim stays: Lambda's retry of this invocation (same request id) takes it over at once.
      await turn?.abandon();
      throw error;
    }
  }
}

/** One file's turn in this invocation, under its ledger claim when there is one. */
const runTurn = async (
  deps: ProcessDeps,
  task: FileTask,
  invoke: InvokeSelf,
  timeLeft: (drainMs?: number) => boolean,
  turn: Go | undefined,
  fresh: boolean,
): Promise<TaskResult> => {
  let records = 0;
  const outcome = await runFile(deps, task, {
    shouldStop: (drainMs) => {
      records++;
      return turn?.signal.aborted === true || !timeLeft(drainMs);
    },
    ...(turn && { signal: turn.signal, beforeFinish: turn.confirm }),
  });
  if (outcome.kind === 'aborted') throw outcome.cause;
  if (outcome.kind === 'withdrawn') return lost(turn as Go, task);
  if (outcome.kind === 'finished') {
    await turn?.end('done');
    const { kind: _kind, ...processed } = outcome;
    return { kind: 'finished', task, ...processed };
  }
  const { next } = outcome;
  const fail = async (error: FileError): Promise<TaskResult> => {
    const processed = await failFile(deps, next, error);
    await turn?.end('done');
    return { kind: 'finished', task: next, ...processed };
  };
  if (records <= 1 && fresh) return fail(stuck(next.invocations));
  let payload: ContinuationPayload;
  try {
    payload = toContinuation(next);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    return fail(error);
  }
  // The claim is released for the handover before the next invocation can ask for it.
  if (turn && !(await turn.end('handover'))) {
    await dropParts(deps, next);
    return {
      kind: 'skipped',
      task: next,
      outcome: 'superseded',
      reason: 'a newer upload asked the file to stop',
    };
  }
  await invoke(payload);
  return { kind: 'continued', task: next };
};
