import type { Readable } from 'node:stream';
import { BatchWriter } from './batch-writer.ts';
import { asDataError, decodeInput, needsHead, readHead } from './decode.ts';
import { type CsvDialect, DEFAULT_DIALECT, type Encoding } from './dialect.ts';
import { ErrorCode, FileError } from './errors.ts';
import { readHeader, rejectedColumnsIn } from './header.ts';
import type { ItemPlan } from './item-plan.ts';
import { type CsvParser, parseCsvChunks } from './parse-chunks.ts';
import type { RejectedRow, RejectedSink } from './rejected-csv.ts';
import { type IngestWriteOptions, modeWriter, type RowWriter, toEntry } from './row-writer.ts';
import { isPlainPut } from './schema/write-block.ts';
import { type ColumnTypes, createTypeTally } from './type-tally.ts';
import type { WriteEntry, WriterStats } from './write-contract.ts';

export type { IngestWriteOptions };

export const MAX_REPORTED_ERRORS = 100;

export type ReportedError = { readonly row?: number; readonly message: string; readonly code?: string };

/** The report entry for a file that stopped because a dependency failed (`aborted`). */
export const abortedError = (cause: unknown): ReportedError => {
  const error = cause as { name?: string; message?: string };
  return {
    message: `processing stopped: ${error.name ?? 'Error'}: ${error.message ?? String(cause)}`,
    code: ErrorCode.WRITE_FAILED,
  };
};

/**
 * A file-level error as the report lists it: after the (at most 100) rejections, never instead of one.
 * A row goes with it when the error knows one, or when the caller does (`row`).
 */
export const fileErrorEntry = (error: FileError, row = error.context.row): ReportedError => ({
  ...(row ? { row } : {}),
  message: error.message,
  code: error.code,
});

export type Counts = {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Write modes: rows whose condition did not hold, and deletes (SPEC); absent counts 0. */
  rowsSkipped?: number;
  rowsDeleted?: number;
};

/** Where a stopped file goes on: a record boundary, with everything learnt so far. */
export type ResumePoint = {
  /** The header as read: a rejected-rows file's `_row`, `_error` included, so that a resumed read leaves them out too. */
  readonly header: readonly string[];
  /** Bytes of the decompressed file consumed: the next record starts here. */
  readonly offset: number;
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  /** Per inferred column, the rows that gave each type so far (the report's `warnings`). */
  readonly types?: ColumnTypes;
};

/** Which version of the file was read: every later read is pinned to it (S3: version id, else ETag). */
export type ObjectPin = { readonly versionId?: string; readonly eTag?: string };

/** A file's bytes from some offset on, and the version they belong to. */
export type OpenedFile = { readonly body: Readable; readonly pin?: ObjectPin };

export type IngestOptions = {
  /** Opens the file's bytes from an offset (plain files) or from its start (gzip, which is skipped ahead). */
  readonly open: (offset: number) => Promise<OpenedFile>;
  readonly gzip: boolean;
  /** The delimiter and encoding (the schema's `csv` block, a tab for `.tsv` keys: `dialectFor`); default `,` and UTF-8. */
  readonly dialect?: CsvDialect;
  /** Builds the item plan from the header; throws a `FileError` for a header it cannot use. */
  readonly plan: (header: readonly string[]) => ItemPlan | Promise<ItemPlan>;
  readonly write: IngestWriteOptions;
  readonly rejected: RejectedSink;
  /** Told the encoding the file is read in (UTF-16 by its byte order mark, when declared UTF-8) before any row is rejected. */
  readonly onEncoding?: (encoding: Encoding) => void;
  readonly resume?: ResumePoint;
  /**
   * Asked after each record, with how long the writes outstanding take at the current pace
   * (`BatchWriter.drainMs`): true stops reading at that record boundary.
   */
  readonly shouldStop?: (drainMs: number) => boolean;
  readonly onProgress?: (counts: Readonly<Counts>, offset: number) => void;
  /** CSV_PARSER: `chunked` (default) or `csv-parse` for every record (`parseCsvChunks`). */
  readonly parser?: CsvParser;
};

type IngestProgress = {
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  readonly header?: readonly string[];
  readonly writes: WriterStats;
  /** Per inferred column, the rows that gave each type (with those of earlier invocations). */
  readonly types: ColumnTypes;
  /** The version of the file that was read (from `open`), when the store tells. */
  readonly pin?: ObjectPin;
  /** The column schema version the item plan came from (from `plan`): a continued file keeps to it. */
  readonly schemaVersion?: string;
};

export type IngestResult =
  | (IngestProgress & { readonly outcome: 'complete' })
  /** Stopped at a record boundary (`shouldStop`): `resume` says where the file goes on. */
  | (IngestProgress & { readonly outcome: 'stopped'; readonly resume: ResumePoint })
  /** The data is bad: the report says why. */
  | (IngestProgress & { readonly outcome: 'failed'; readonly fileError: FileError })
  /** A dependency failed past its retries: the caller reports how far the file got, then throws `cause`. */
  | (IngestProgress & { readonly outcome: 'aborted'; readonly cause: unknown });

/**
 * Reads one CSV file and writes its rows: each row is written, or rejected with a reason,
 * or the file fails with counts that say how far it got. It does not throw: a dependency failure is
 * the `aborted` outcome, with the counts so far, for the caller to report and rethrow.
 */
export const ingest = async (options: IngestOptions): Promise<IngestResult> => {
  const { resume } = options;
  const counts: Counts = resume ? { ...resume.counts } : { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  const errors: ReportedError[] = resume ? [...resume.errors] : [];
  // A re-uploaded rejected-rows file: its `_row`, `_error` columns are left out (a resume point keeps the header as read).
  let recordHeader: readonly string[] | undefined = resume?.header;
  let leftOut = recordHeader ? rejectedColumnsIn(recordHeader) : 0;
  let header: readonly string[] | undefined = recordHeader?.slice(leftOut);
  const dialect = options.dialect ?? DEFAULT_DIALECT;
  const tally = createTypeTally(resume?.types);
  const report = (error: ReportedError) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(error);
  };
  const reject = async (row: RejectedRow, code: string) => {
    counts.rowsRejected++;
    report({ row: row.row, message: row.reason, code });
    await options.rejected.add(header ?? [], row);
  };
  const callbacks = {
    onWritten: (rows: number) => {
      counts.rowsWritten += rows;
    },
    onSkipped: (rows: number) => {
      counts.rowsSkipped = (counts.rowsSkipped ?? 0) + rows;
    },
    onDeleted: (rows: number) => {
      counts.rowsDeleted = (counts.rowsDeleted ?? 0) + rows;
    },
    onRejected: (entry: WriteEntry, reason: string) =>
      reject({ row: entry.row, reason, fields: entry.fields }, ErrorCode.ITEM_REFUSED),
  };
  // The writer follows the plan: a plain put goes the BatchWriteItem path, a write mode the mode writer.
  let writer: RowWriter = new BatchWriter({ ...options.write, ...callbacks });
  const writerFor = (next: ItemPlan): ItemPlan => {
    if (next.write && !isPlainPut(next.write.spec)) writer = modeWriter(options.write, next.write, callbacks);
    return next;
  };

  let offset = resume?.offset ?? 0;
  let stopped = false;
  let pin: ObjectPin | undefined;
  let plan: ItemPlan | undefined;
  // What the file's reads and plan learnt, for every outcome.
  const learnt = () => ({
    ...(header && { header }),
    writes: writer.stats,
    types: tally.snapshot(),
    ...(pin && { pin }),
    ...(plan?.schemaVersion !== undefined && { schemaVersion: plan.schemaVersion }),
  });
  try {
    plan = header ? writerFor(await options.plan(header)) : undefined;
    // Resuming a plain file past its byte order mark: read it, since it may say UTF-16.
    const head = needsHead({ gzip: options.gzip, encoding: dialect.encoding }, offset)
      ? await readHead((await options.open(0)).body)
      : undefined;
    const opened = await options.open(offset);
    pin = opened.pin;
    const body = opened.body;
    const input = decodeInput(body, {
      gzip: options.gzip,
      ...(options.gzip ? { skip: offset } : {}),
      startOffset: offset,
      encoding: dialect.encoding,
      ...(head && { head }),
    });
    const parseOptions = {
      startOffset: offset,
      delimiter: dialect.delimiter,
      encoding: input.encoding,
      ...(options.parser && { parser: options.parser }),
    };
    let told = false;
    reading: for await (const records of parseCsvChunks(input, parseOptions)) {
      if (!told) {
        told = true;
        options.onEncoding?.(await input.fileEncoding);
      }
      for (const record of records) {
        if (!plan) {
          if (record.problem !== undefined) {
            throw new FileError(
              ErrorCode.CSV_MALFORMED_HEADER,
              `the header cannot be read: ${record.problem}`,
            );
          }
          recordHeader = readHeader(record.fields);
          leftOut = rejectedColumnsIn(recordHeader);
          header = recordHeader.slice(leftOut);
          plan = writerFor(await options.plan(header));
        } else {
          const row = ++counts.rowsRead;
          const fields = leftOut > 0 ? record.fields.slice(leftOut) : record.fields;
          if (record.problem !== undefined) {
            await reject({ row, reason: record.problem, fields }, ErrorCode.ROW_MALFORMED);
          } else {
            const waiting = toEntry(plan, fields, row, writer, reject, tally);
            if (waiting) await waiting;
          }
        }
        offset = record.end;
        options.onProgress?.(counts, offset);
        if (options.shouldStop?.(writer.drainMs())) {
          stopped = true;
          break reading;
        }
      }
    }
    if (!plan) throw new FileError(ErrorCode.FILE_EMPTY, 'the file is empty: it has no header');
    await writer.flush();
  } catch (caught) {
    const error = asDataError(caught);
    // The rows read before bad data are good: write them, so that the counts say exactly how far the file got.
    const cause =
      error instanceof FileError ? await writer.flush().catch((failure: unknown) => failure) : error;
    // A write the role may not perform (WRITE_DENIED) fails the file, like bad data: no retry mends it.
    if (cause !== undefined && !(cause instanceof FileError)) {
      await writer.settle();
      return { outcome: 'aborted', counts, errors, ...learnt(), cause };
    }
    await writer.settle();
    const fileError = (cause ?? error) as FileError;
    // Every record before bad bytes or an oversized record was read: the problem is in the next row.
    const inNextRow =
      fileError.code === ErrorCode.FILE_NOT_UTF8 || fileError.code === ErrorCode.CSV_RECORD_TOO_LARGE;
    const row = fileError.context.row || (header && inNextRow ? counts.rowsRead + 1 : undefined);
    // A file-level error is always reported, however many row errors came first.
    errors.push(fileErrorEntry(fileError, row));
    return { outcome: 'failed', counts, errors, ...learnt(), fileError };
  }
  const base = { counts, errors, ...learnt() };
  if (!stopped || !header) return { outcome: 'complete', ...base };
  return {
    outcome: 'stopped',
    ...base,
    resume: {
      header: recordHeader ?? header,
      offset,
      counts: { ...counts },
      errors: [...errors],
      types: base.types,
    },
  };
};
