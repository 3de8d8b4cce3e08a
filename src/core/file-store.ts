import { ErrorCode, FileError } from './errors.ts';
import type { ObjectPin, OpenedFile } from './ingest.ts';
import type { RejectedCsvOptions, RejectedSink } from './rejected-csv.ts';
import type { Report } from './report.ts';

/**
 * The port between `runFile` and where a file lives: S3 (src/aws/s3-file-store.ts: the Lambda,
 * `csv2ddb ingest s3://…`, `replay --table`) or the local disk (src/cli/local-file-store.ts:
 * `csv2ddb ingest file.csv`). `runFile` names what it wants; the store decides where it is.
 */
export type FileStore = {
  /** The handle for one file: `bucket` and `key` name it (a local store ignores `bucket`), `rest` names its outputs. */
  readonly file: (ref: FileRef) => StoredFile;
};

export type FileRef = { readonly bucket: string; readonly key: string; readonly rest: string };

/** Rejected rows written as they come; `close` and `abort` say whether the output exists afterwards. */
export type RejectedRowsSink = RejectedSink & {
  /** Finishes the output; resolves to whether any row was rejected into it. */
  close(): Promise<boolean>;
  /** The file failed for good: S3 drops the upload (false); a local file keeps what was written (true if any). */
  abort(): Promise<boolean>;
};

export type StoredFile = {
  /** Where the report goes; unset when the store keeps none (the CLI prints it instead). */
  readonly reportName?: string;
  /** The file's rejected-rows CSV (its parts, while the file is continued, are named from it). */
  readonly rejectedName: string;
  /**
   * The bytes from `offset` on, pinned to `pin` (the version the first read saw) when given, with the
   * pin of what was read. A file replaced since the pin was taken fails with `FILE_CHANGED`.
   */
  open(pin: ObjectPin, offset: number): Promise<OpenedFile>;
  /** True for an error from reading that says the file (or its pinned version) is gone or replaced. */
  isGone(error: unknown): boolean;
  /**
   * A sink for rejected rows under `name`: the rejected-rows file itself or one of its parts, written in
   * `csv` (the upload's delimiter and encoding; gzip for a `.gz` upload's own file, never for a part).
   */
  rejectedRows(name: string, csv?: RejectedCsvOptions): RejectedRowsSink;
  putReport(report: Report): Promise<void>;
  /** Removes an output (a stale rejected-rows file, a part); a missing one is fine. */
  remove(name: string): Promise<void>;
  /** Renames an output: the first invocation's rejected rows become part 1 once the file is continued. */
  move(from: string, to: string): Promise<void>;
  /**
   * Joins the parts, in order, into the rejected-rows file under one header (written in `csv`, gzip'd
   * when it says so; a gzip'd part 1 is read through gunzip), then removes them. `joinId` (the file's
   * chain) marks the joined file, so that a retry after the parts were partly removed does not join again.
   */
  joinParts(
    parts: readonly string[],
    header: readonly string[],
    csv?: RejectedCsvOptions,
    joinId?: string,
  ): Promise<void>;
};

/** The file was replaced or deleted under a pinned read (`how` says what showed it). */
export const fileChanged = (how: string): FileError =>
  new FileError(
    ErrorCode.FILE_CHANGED,
    `the object was deleted or replaced while it was being processed (${how}); upload it again to process the new version`,
  );
