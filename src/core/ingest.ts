import type { Readable } from 'node:stream';
import { BatchWriter, type BatchWriterOptions, type WriterStats } from './batch-writer.ts';
import { asDataError, decodeInput } from './decode.ts';
import { ErrorCode, FileError, RowError } from './errors.ts';
import { readHeader } from './header.ts';
import type { ItemPlan } from './item-plan.ts';
import { parseCsv } from './parse.ts';
import type { RejectedRow, RejectedSink } from './rejected-csv.ts';
import { toItem } from './to-item.ts';

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

export type Counts = { rowsRead: number; rowsWritten: number; rowsRejected: number };

/** Where a stopped file goes on: a record boundary, with everything learnt so far. */
export type ResumePoint = {
  readonly header: readonly string[];
  /** Bytes of the decompressed file consumed: the next record starts here. */
  readonly offset: number;
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
};

export type IngestOptions = {
  /** Opens the file's bytes from an offset (plain files) or from its start (gzip, which is skipped ahead). */
  readonly open: (offset: number) => Promise<Readable>;
  readonly gzip: boolean;
  /** Builds the item plan from the header; throws a `FileError` for a header it cannot use. */
  readonly plan: (header: readonly string[]) => ItemPlan | Promise<ItemPlan>;
  readonly write: Omit<BatchWriterOptions, 'onWritten' | 'onRejected'>;
  readonly rejected: RejectedSink;
  readonly resume?: ResumePoint;
  /** Asked after each record: true stops reading at that record boundary. */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (counts: Readonly<Counts>, offset: number) => void;
};

export type IngestResult = {
  /** `failed`: the data is bad (`fileError`); `aborted`: a dependency failed (`cause`), and the caller throws. */
  readonly outcome: 'complete' | 'stopped' | 'failed' | 'aborted';
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  readonly header?: readonly string[];
  /** Set when the outcome is `stopped`. */
  readonly resume?: ResumePoint;
  readonly fileError?: FileError;
  readonly cause?: unknown;
  readonly writes: WriterStats;
};

/**
 * Reads one CSV file and writes its rows: each row is written, or rejected with a reason,
 * or the file fails with counts that say how far it got. It does not throw: a dependency failure is
 * the `aborted` outcome, with the counts so far, for the caller to report and rethrow.
 */
export const ingest = async (options: IngestOptions): Promise<IngestResult> => {
  const { resume } = options;
  const counts: Counts = resume ? { ...resume.counts } : { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  const errors: ReportedError[] = resume ? [...resume.errors] : [];
  let header: readonly string[] | undefined = resume?.header;
  const report = (error: ReportedError) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(error);
  };
  const reject = async (row: RejectedRow, code: string) => {
    counts.rowsRejected++;
    report({ row: row.row, message: row.reason, code });
    await options.rejected.add(header ?? [], row);
  };
  const writer = new BatchWriter({
    ...options.write,
    onWritten: (rows) => {
      counts.rowsWritten += rows;
    },
    onRejected: (entry, reason) =>
      reject({ row: entry.row, reason, fields: entry.fields }, ErrorCode.ITEM_REFUSED),
  });

  let offset = resume?.offset ?? 0;
  let stopped = false;
  try {
    let plan = header ? await options.plan(header) : undefined;
    const body = await options.open(offset);
    const input = decodeInput(body, {
      gzip: options.gzip,
      ...(options.gzip ? { skip: offset } : {}),
      startOffset: offset,
    });
    for await (const record of parseCsv(input, { startOffset: offset })) {
      if (!plan) {
        if (record.problem !== undefined) {
          throw new FileError(ErrorCode.CSV_MALFORMED_HEADER, `the header cannot be read: ${record.problem}`);
        }
        header = readHeader(record.fields);
        plan = await options.plan(header);
      } else {
        const row = ++counts.rowsRead;
        if (record.problem !== undefined) {
          await reject({ row, reason: record.problem, fields: record.fields }, ErrorCode.ROW_MALFORMED);
        } else {
          const waiting = toEntry(plan, record.fields, row, writer, reject);
          if (waiting) await waiting;
        }
      }
      offset = record.end;
      options.onProgress?.(counts, offset);
      if (options.shouldStop?.()) {
        stopped = true;
        break;
      }
    }
    if (!plan) throw new FileError(ErrorCode.FILE_EMPTY, 'the file is empty: it has no header');
    await writer.flush();
  } catch (caught) {
    const error = asDataError(caught);
    // The rows read before bad data are good: write them, so that the counts say exactly how far the file got.
    const cause =
      error instanceof FileError ? await writer.flush().catch((failure: unknown) => failure) : error;
    if (cause !== undefined) {
      await writer.settle();
      return {
        outcome: 'aborted',
        counts,
        errors,
        ...(header && { header }),
        cause,
        writes: writer.stats,
      };
    }
    const fileError = error as FileError;
    // Every record before bad bytes or an oversized record was read: the problem is in the next row.
    const inNextRow =
      fileError.code === ErrorCode.FILE_NOT_UTF8 || fileError.code === ErrorCode.CSV_RECORD_TOO_LARGE;
    const row = fileError.context.row || (header && inNextRow ? counts.rowsRead + 1 : undefined);
    // A file-level error is always reported, however many row errors came first.
    errors.push(fileErrorEntry(fileError, row));
    return {
      outcome: 'failed',
      counts,
      errors,
      ...(header && { header }),
      fileError,
      writes: writer.stats,
    };
  }
  const base = { counts, errors, ...(header && { header }), writes: writer.stats };
  if (!stopped || !header) return { outcome: 'complete', ...base };
  return {
    outcome: 'stopped',
    ...base,
    resume: { header, offset, counts: { ...counts }, errors: [...errors] },
  };
};

/** Turns a record into an entry for the writer, or rejects it; a promise only when the caller must wait. */
const toEntry = (
  plan: ItemPlan,
  fields: string[],
  row: number,
  writer: BatchWriter,
  reject: (row: RejectedRow, code: string) => Promise<void>,
): Promise<void> | undefined => {
  let entry: ReturnType<typeof toItem>;
  try {
    entry = toItem(plan, fields, row);
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    return reject({ row, reason: error.message, fields }, error.code);
  }
  return writer.put({ item: entry.item, keyId: entry.keyId, row, fields });
};
