import { createSendBatch } from '../aws/dynamodb-table.ts';
import { joinRejectedParts, moveObject } from '../aws/rejected-parts.ts';
import { createS3RejectedRows, deleteObject, putReport } from '../aws/s3-outputs.ts';
import { isObjectGone, type ObjectRef, openObject } from '../aws/s3-source.ts';
import { type FileTask, rejectedPartKey } from '../core/continuation.ts';
import { ErrorCode, FileError } from '../core/errors.ts';
import { abortedError, type Counts, fileErrorEntry, ingest, type ReportedError } from '../core/ingest.ts';
import { keyIdOf } from '../core/key-schema.ts';
import { rejectedKeyFor, reportKeyFor } from '../core/object-key.ts';
import { addStats, buildReport } from '../core/report.ts';
import type { FileContext, ProcessDeps, ProcessedFile } from './file-types.ts';

export type FileOutcome =
  | ({ readonly kind: 'finished' } & ProcessedFile)
  /** Stopped at a record boundary: `next` is where the next invocation goes on. */
  | { readonly kind: 'stopped'; readonly next: FileTask };

export type RunOptions = {
  /** Asked after each record: true stops the file there, once the writes in flight are done. */
  readonly shouldStop?: () => boolean;
};

/** How far a file got, for its report. */
type Progress = {
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  readonly header?: readonly string[];
  readonly failed: boolean;
};

const ZERO: Counts = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };

const withError = (errors: readonly ReportedError[], error: FileError): ReportedError[] => [
  ...errors,
  fileErrorEntry(error),
];

const pinOf = (ref: { readonly versionId?: string; readonly eTag?: string }) => ({
  ...(ref.versionId !== undefined && { versionId: ref.versionId }),
  ...(ref.eTag !== undefined && { eTag: ref.eTag }),
});

/**
 * Ends a file: its rejected-rows file (the parts of a continued file joined into one, or an
 * earlier run's file removed when no row was rejected), then its report.
 */
const finishFile = async (deps: ProcessDeps, task: FileTask, progress: Progress): Promise<ProcessedFile> => {
  const rejectedKey = rejectedKeyFor(task.rest, deps.prefixes);
  const header = progress.header ?? task.resume?.header;
  if (task.parts.length > 0 && header) {
    await joinRejectedParts(deps.s3, task.bucket, {
      parts: task.parts.map((invocation) => rejectedPartKey(rejectedKey, invocation)),
      key: rejectedKey,
      header,
    });
  } else if (progress.counts.rowsRejected === 0 && !progress.failed) {
    await deleteObject(deps.s3, task.bucket, rejectedKey);
  }
  const processed = reportFor(deps, task, progress, rejectedKey);
  await putReport(deps.s3, task.bucket, processed.reportKey, processed.report);
  return processed;
};

/** The report of a file as far as `progress` goes, and where it is written. */
const reportFor = (
  deps: ProcessDeps,
  task: FileTask,
  progress: Progress,
  rejectedRowsKey?: string,
): ProcessedFile => ({
  reportKey: reportKeyFor(task.rest, deps.prefixes),
  report: buildReport({
    source: task,
    counts: progress.counts,
    errors: progress.errors,
    failed: progress.failed,
    ...(rejectedRowsKey !== undefined && { rejectedRowsKey }),
    startedAt: new Date(task.startedAt),
    finishedAt: (deps.now ?? (() => new Date()))(),
    invocations: task.invocations,
    writes: task.writes,
  }),
});

/** Fails a file with the counts its invocations (`task.invocations` of them) reached. */
export const failFile = (deps: ProcessDeps, task: FileTask, error: FileError): Promise<ProcessedFile> =>
  finishFile(deps, task, {
    counts: task.resume?.counts ?? ZERO,
    errors: withError(task.resume?.errors ?? [], error),
    failed: true,
  });

const fileChanged = (how: string) =>
  new FileError(
    ErrorCode.FILE_CHANGED,
    `the object was deleted or replaced while it was being processed (${how}); upload it again to process the new version`,
  );

/**
 * One invocation's turn at a file: reads on from `task.resume` (or the start) until the file ends
 * or `shouldStop` says so. A file that ends gets its report; a stopped one gives the task for the
 * next invocation. The first invocation writes rejected rows straight to the rejected-rows file;
 * once a file is continued, each invocation writes a part, and the last one joins them.
 * Bad data ends in the report; S3 or DynamoDB failures past their retries throw, after a
 * best-effort `failed` report that says how far the file got.
 */
export const runFile = async (
  deps: ProcessDeps,
  task: FileTask,
  options: RunOptions = {},
): Promise<FileOutcome> => {
  const invocation = task.invocations + 1;
  const rejectedKey = rejectedKeyFor(task.rest, deps.prefixes);
  const rejected = createS3RejectedRows(
    deps.s3,
    task.bucket,
    invocation === 1 ? rejectedKey : rejectedPartKey(rejectedKey, invocation),
  );
  let source: ObjectRef = { bucket: task.bucket, key: task.key, ...pinOf(task) };
  const context: FileContext = {
    bucket: task.bucket,
    key: task.key,
    now: new Date(task.startedAt),
    ...(task.schemaVersion !== undefined && { schemaVersion: task.schemaVersion }),
  };
  // The schema version the plan came from: the next invocation of this file asks for the same one.
  let schemaVersion = task.schemaVersion;

  const result = await ingest({
    open: async (offset) => {
      // A gzip stream cannot be entered midway: it is read from the start and skipped ahead.
      const opened = await openObject(deps.s3, source, task.gzip ? 0 : offset);
      // S3 answers a changed object with 412 (If-Match); a store that ignores If-Match is caught here.
      if (source.eTag !== undefined && opened.eTag !== undefined && opened.eTag !== source.eTag) {
        opened.body.destroy();
        throw fileChanged(`its ETag is now ${opened.eTag}, not ${source.eTag}`);
      }
      source = { ...source, ...pinOf(opened) };
      return opened.body;
    },
    gzip: task.gzip,
    plan: async (header) => {
      const plan = await deps.plan(header, context);
      schemaVersion = plan.schemaVersion;
      return plan;
    },
    write: {
      send: createSendBatch(deps.dynamodb, deps.tableName),
      keyIdOf: (item) => keyIdOf(item, deps.table.keySchema),
      concurrency: deps.writeConcurrency,
      maxAttempts: deps.maxWriteAttempts,
      ...(deps.pacer && { pacer: deps.pacer }),
    },
    rejected,
    ...(task.resume && { resume: task.resume }),
    ...(options.shouldStop && { shouldStop: options.shouldStop }),
  });
  const after: FileTask = {
    ...task,
    ...pinOf(source),
    ...(schemaVersion !== undefined && { schemaVersion }),
    invocations: invocation,
    writes: addStats(task.writes, result.writes),
  };

  if (result.outcome === 'aborted') {
    await rejected.abort();
    if (isObjectGone(result.cause)) {
      const changed = fileChanged((result.cause as Error).name);
      const progress = { ...result, errors: withError(result.errors, changed), failed: true };
      return { kind: 'finished', ...(await finishFile(deps, after, progress)) };
    }
    // The report is best effort; Lambda's retry of this invocation must not be blocked by it.
    const errors = [...result.errors, abortedError(result.cause)];
    const { report, reportKey } = reportFor(deps, after, { ...result, errors, failed: true });
    await putReport(deps.s3, task.bucket, reportKey, report).catch(() => undefined);
    throw result.cause;
  }

  const wrote = await rejected.close();
  let parts = wrote && invocation > 1 ? [...task.parts, invocation] : task.parts;
  if (result.outcome === 'stopped' && result.resume) {
    if (invocation === 1 && wrote) {
      await moveObject(deps.s3, task.bucket, rejectedKey, rejectedPartKey(rejectedKey, 1));
      parts = [1];
    }
    return { kind: 'stopped', next: { ...after, resume: result.resume, parts } };
  }
  const progress = { ...result, failed: result.outcome === 'failed' };
  return { kind: 'finished', ...(await finishFile(deps, { ...after, parts }, progress)) };
};

/** Runs a file to its end in this invocation, however long it takes (no `shouldStop`). */
export const runToEnd = async (deps: ProcessDeps, task: FileTask): Promise<ProcessedFile> => {
  const outcome = await runFile(deps, task);
  if (outcome.kind === 'stopped') throw new Error(`${task.key} stopped although nothing asked it to`);
  return { report: outcome.report, reportKey: outcome.reportKey };
};
