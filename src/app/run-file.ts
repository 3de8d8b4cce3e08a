import { type FileTask, rejectedPartKey } from '../core/continuation.ts';
import { decodeInput } from '../core/decode.ts';
import { type CsvDialect, DEFAULT_DIALECT } from '../core/dialect.ts';
import type { FileError } from '../core/errors.ts';
import { fileChanged, type RejectedRowsSink, type StoredFile } from '../core/file-store.ts';
import {
  abortedError,
  type Counts,
  fileErrorEntry,
  ingest,
  type ObjectPin,
  type ReportedError,
} from '../core/ingest.ts';
import { addStats, buildReport } from '../core/report.ts';
import type { ColumnTypes } from '../core/type-tally.ts';
import type { FileContext, ProcessDeps, ProcessedFile } from './file-types.ts';
import type { FileDialect } from './schema-source.ts';

export type FileOutcome =
  | ({ readonly kind: 'finished' } & ProcessedFile)
  /** Stopped at a record boundary: `next` is where the next invocation goes on. */
  | { readonly kind: 'stopped'; readonly next: FileTask }
  /**
   * S3 or DynamoDB failed past their retries: `report` (written best effort) says how far the file got;
   * the caller throws `cause` (the Lambda's retry) or prints the report (the local CLI).
   */
  | ({ readonly kind: 'aborted'; readonly cause: unknown } & ProcessedFile)
  /**
   * The file's ledger claim was lost (`signal` aborted, or `beforeFinish` said no): it stopped with
   * no report, its rejected rows aborted and its parts removed; the newer upload writes its own.
   */
  | { readonly kind: 'withdrawn' };

export type RunOptions = {
  /**
   * Asked after each record, with how long the writes outstanding take at the current pace: true
   * stops the file there, once the writes in flight are done.
   */
  readonly shouldStop?: (drainMs: number) => boolean;
  /** After each record: the counts so far and the bytes of the (decompressed) file consumed. */
  readonly onProgress?: (counts: Readonly<Counts>, offset: number) => void;
  /** The file's ledger claim: aborted, it cancels the writes and the file ends `withdrawn`. */
  readonly signal?: AbortSignal;
  /** Asked before a finished file's report is written: false ends it `withdrawn` instead. */
  readonly beforeFinish?: () => Promise<boolean>;
};

/** How far a file got, for its report. */
type Progress = {
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  readonly header?: readonly string[];
  readonly failed: boolean;
  readonly types?: ColumnTypes;
};

const ZERO: Counts = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };

const withError = (errors: readonly ReportedError[], error: FileError): ReportedError[] => [
  ...errors,
  fileErrorEntry(error),
];

const pinOf = (ref: ObjectPin): ObjectPin => ({
  ...(ref.versionId !== undefined && { versionId: ref.versionId }),
  ...(ref.eTag !== undefined && { eTag: ref.eTag }),
});

/** Ends a file that lost its claim: its parts go (best effort), and no report is written. */
const withdraw = async (file: StoredFile, parts: readonly string[]): Promise<FileOutcome> => {
  await Promise.all(parts.map((part) => file.remove(part).catch(() => undefined)));
  return { kind: 'withdrawn' };
};

/**
 * Removes a stopped file's rejected-rows parts: its handover was refused (a newer upload asked it
 * to stop), so no invocation will join them.
 */
export const dropParts = async (deps: ProcessDeps, task: FileTask): Promise<void> => {
  const file = storedFile(deps, task);
  await withdraw(
    file,
    task.parts.map((n) => rejectedPartKey(file.rejectedName, n, task.chain)),
  );
};

const storedFile = (deps: ProcessDeps, task: FileTask): StoredFile =>
  deps.store.file({ bucket: task.bucket, key: task.key, rest: task.rest });

/** The file's dialect (of the schema version a continued file started with), and that version. */
const dialectOf = (deps: ProcessDeps, task: FileTask): Promise<FileDialect> =>
  deps.dialect ? deps.dialect(task.key, task.schemaVersion) : Promise.resolve({ dialect: DEFAULT_DIALECT });

/** A sink opened at its first row (so that it is written in the encoding the file turned out to be read in). */
const lazySink = (open: () => RejectedRowsSink): RejectedRowsSink => {
  let sink: RejectedRowsSink | undefined;
  return {
    add: (header, row) => {
      sink ??= open();
      return sink.add(header, row);
    },
    close: () => sink?.close() ?? Promise.resolve(false),
    abort: () => sink?.abort() ?? Promise.resolve(false),
  };
};

/** The dialect a file is read in: UTF-16 when one declared UTF-8 starts with a UTF-16 byte order mark. */
const readIn = async (file: StoredFile, task: FileTask, dialect: CsvDialect): Promise<CsvDialect> => {
  if (dialect.encoding !== 'utf-8') return dialect;
  const input = decodeInput((await file.open(pinOf(task), 0)).body, { gzip: task.gzip });
  try {
    return { ...dialect, encoding: await input.fileEncoding };
  } finally {
    input.destroy();
  }
};

/**
 * Ends a file: its rejected-rows file (the parts of a continued file joined into one, or an
 * earlier run's file removed when no row was rejected), then its report.
 */
const finishFile = async (
  deps: ProcessDeps,
  file: StoredFile,
  task: FileTask,
  progress: Progress,
  dialect: CsvDialect = DEFAULT_DIALECT,
): Promise<ProcessedFile> => {
  const header = progress.header ?? task.resume?.header;
  if (task.parts.length > 0 && header) {
    await file.joinParts(
      task.parts.map((invocation) => rejectedPartKey(file.rejectedName, invocation, task.chain)),
      header,
      { ...dialect, gzip: task.gzip },
      task.chain,
    );
  } else if (progress.counts.rowsRejected === 0 && !progress.failed) {
    await file.remove(file.rejectedName);
  }
  const processed = reportFor(deps, file, task, progress, file.rejectedName);
  await file.putReport(processed.report);
  return processed;
};

/** The report of a file as far as `progress` goes, and where it is written. */
const reportFor = (
  deps: ProcessDeps,
  file: StoredFile,
  task: FileTask,
  progress: Progress,
  rejectedRowsKey?: string,
): ProcessedFile => ({
  ...(file.reportName !== undefined && { reportKey: file.reportName }),
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
    ...(progress.types && { types: progress.types }),
  }),
});

/** Fails a file with the counts its invocations (`task.invocations` of them) reached. */
export const failFile = async (
  deps: ProcessDeps,
  task: FileTask,
  error: FileError,
): Promise<ProcessedFile> => {
  const progress = {
    counts: task.resume?.counts ?? ZERO,
    errors: withError(task.resume?.errors ?? [], error),
    failed: true,
    ...(task.resume?.types && { types: task.resume.types }),
  };
  // Only a continued file's parts need the dialect (to join them); a schema outage must not block its report.
  const file = storedFile(deps, task);
  const { dialect } =
    task.parts.length > 0 ? await dialectOf(deps, task).catch(() => ({ dialect: DEFAULT_DIALECT })) : {};
  const read = dialect && (await readIn(file, task, dialect).catch(() => dialect));
  return finishFile(deps, file, task, progress, read);
};

/**
 * One invocation's turn at a file: reads on from `task.resume` (or the start) until the file ends
 * or `shouldStop` says so. A file that ends gets its report; a stopped one gives the task for the
 * next invocation. The first invocation writes rejected rows straight to the rejected-rows file;
 * once a file is continued, each invocation writes a part, and the last one joins them.
 * Bad data ends in the report; S3 or DynamoDB failures past their retries end `aborted`, after a
 * best-effort `failed` report that says how far the file got.
 */
export const runFile = async (
  deps: ProcessDeps,
  task: FileTask,
  options: RunOptions = {},
): Promise<FileOutcome> => {
  const file = storedFile(deps, task);
  const invocation = task.invocations + 1;
  const { rejectedName } = file;
  // SPEC: rejected rows are written in the upload's dialect, so that they can be uploaded again as they are.
  const found = await dialectOf(deps, task);
  const { dialect } = found;
  const schemaVersion = task.schemaVersion ?? found.schemaVersion;
  // The dialect the file is read in: a UTF-16 byte order mark in a file declared UTF-8 says UTF-16 (ingest tells).
  let read = dialect;
  // SPEC: a `.gz` upload's rejected rows are gzip'd. Parts after the first are plain: the join gzips.
  // Opened at the first rejected row, when the file's encoding is known.
  const rejected = lazySink(() =>
    file.rejectedRows(
      invocation === 1 ? rejectedName : rejectedPartKey(rejectedName, invocation, task.chain),
      { ...read, gzip: invocation === 1 && task.gzip },
    ),
  );
  const context: FileContext = {
    bucket: task.bucket,
    key: task.key,
    now: new Date(task.startedAt),
    // The plan uses the schema version the dialect came from (a continued file's: the one it started with).
    ...(schemaVersion !== undefined && { schemaVersion }),
  };

  const result = await ingest({
    // A gzip stream cannot be entered midway: it is read from the start and skipped ahead.
    open: (offset) => file.open(pinOf(task), task.gzip ? 0 : offset),
    gzip: task.gzip,
    dialect,
    plan: (header) => deps.plan(header, context),
    write: options.signal ? { ...deps.write, signal: options.signal } : deps.write,
    rejected,
    onEncoding: (encoding) => {
      read = { ...dialect, encoding };
    },
    ...(task.resume && { resume: task.resume }),
    ...(options.shouldStop && { shouldStop: options.shouldStop }),
    ...(options.onProgress && { onProgress: options.onProgress }),
    ...(deps.csvParser && { parser: deps.csvParser }),
  });
  // The next invocation of this file reads the same version, with the same schema version.
  const after: FileTask = {
    ...task,
    ...(result.pin && pinOf(result.pin)),
    ...(result.schemaVersion !== undefined && { schemaVersion: result.schemaVersion }),
    invocations: invocation,
    writes: addStats(task.writes, result.writes),
  };

  const partNames = (parts: readonly number[]) =>
    parts.map((n) => rejectedPartKey(rejectedName, n, task.chain));
  if (options.signal?.aborted) {
    await rejected.abort().catch(() => undefined);
    return withdraw(file, partNames(task.parts));
  }
  if (result.outcome === 'aborted') {
    const kept = await rejected.abort();
    if (file.isGone(result.cause)) {
      // A newer upload replaced the object: its own run may hold the key now, and writes the report.
      if (options.beforeFinish && !(await options.beforeFinish()))
        return withdraw(file, partNames(task.parts));
      const changed = fileChanged((result.cause as Error).name);
      const progress = { ...result, errors: withError(result.errors, changed), failed: true };
      return { kind: 'finished', ...(await finishFile(deps, file, after, progress, read)) };
    }
    // The report is best effort; Lambda's retry of this invocation must not be blocked by it.
    const errors = [...result.errors, abortedError(result.cause)];
    const progress = { ...result, errors, failed: true };
    const processed = reportFor(deps, file, after, progress, kept ? rejectedName : undefined);
    await file.putReport(processed.report).catch(() => undefined);
    return { kind: 'aborted', cause: result.cause, ...processed };
  }

  const wrote = await rejected.close();
  let parts = wrote && invocation > 1 ? [...task.parts, invocation] : task.parts;
  if (result.outcome === 'stopped') {
    if (invocation === 1 && wrote) {
      await file.move(rejectedName, rejectedPartKey(rejectedName, 1, task.chain));
      parts = [1];
    }
    return { kind: 'stopped', next: { ...after, resume: result.resume, parts } };
  }
  const progress = { ...result, failed: result.outcome === 'failed' };
  if (options.beforeFinish && !(await options.beforeFinish())) return withdraw(file, partNames(parts));
  return { kind: 'finished', ...(await finishFile(deps, file, { ...after, parts }, progress, read)) };
};

/**
 * Runs a file to its end in this invocation, however long it takes (no `shouldStop`).
 * A dependency failure throws, after the best-effort report.
 */
export const runToEnd = async (deps: ProcessDeps, task: FileTask): Promise<ProcessedFile> => {
  const outcome = await runFile(deps, task);
  if (outcome.kind === 'stopped') throw new Error(`${task.key} stopped although nothing asked it to`);
  if (outcome.kind === 'aborted') throw outcome.cause;
  if (outcome.kind === 'withdrawn') throw new Error(`${task.key} withdrawn although it holds no claim`);
  return { report: outcome.report, ...(outcome.reportKey !== undefined && { reportKey: outcome.reportKey }) };
};
