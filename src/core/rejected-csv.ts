import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

export type RejectedRow = {
  readonly row: number;
  readonly reason: string;
  readonly fields: readonly string[];
};

/** Where rejected rows go: the S3 adapter uploads them, the CLI writes them next to the input. */
export type RejectedSink = {
  /** May return a promise to slow the reader down. */
  add(header: readonly string[], row: RejectedRow): void | Promise<void>;
};

/**
 * The rejected-rows CSV: `_row`, `_error`, then the original header; each rejected record
 * keeps its original fields, so a user can fix it, drop two columns and upload it again.
 */
export const createRejectedCsv = () => {
  const stream = stringify({ eof: true });
  let started = false;
  return {
    stream: stream as Readable,
    /** Writes one record; resolves when the stream can take more. */
    add(header: readonly string[], row: RejectedRow): Promise<void> | undefined {
      if (!started) {
        started = true;
        stream.write(['_row', '_error', ...header]);
      }
      const more = stream.write([String(row.row), row.reason, ...row.fields]);
      return more ? undefined : new Promise((resolve) => stream.once('drain', resolve));
    },
    get started() {
      return started;
    },
    end: () => stream.end(),
  };
};
