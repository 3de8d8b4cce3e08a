import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { FileStore, RejectedRowsSink } from '../core/file-store.ts';
import { createRejectedCsv } from '../core/rejected-csv.ts';

/** `data.csv` → `data.csv.rejected.csv`; a `.gz` input's rejected rows are plain CSV. */
export const rejectedPathFor = (path: string): string => `${path.replace(/\.gz$/, '')}.rejected.csv`;

/** Rejected rows into a file created at the first one; what was written is kept, whatever the outcome. */
const fileSink = (path: string): RejectedRowsSink => {
  const csv = createRejectedCsv();
  let output: ReturnType<typeof createWriteStream> | undefined;
  const close = async () => {
    if (!output) return false;
    csv.end();
    await finished(output);
    return true;
  };
  return {
    add(header, row) {
      if (!output) {
        output = createWriteStream(path);
        csv.stream.pipe(output);
      }
      return csv.add(header, row);
    },
    close,
    abort: close,
  };
};

/**
 * The file store of `csv2ddb ingest file.csv`: a file is a path (the key); its rejected rows go next to
 * it, and it keeps no report (the CLI prints it). A local file is read in one go, never continued, so
 * parts are never asked for. `onOpen` sees each stream opened (the progress bar counts a gzip file's
 * compressed bytes).
 */
export const createLocalFileStore = (options: { onOpen?: (stream: ReadStream) => void } = {}): FileStore => ({
  file: ({ key: path }) => ({
    rejectedName: rejectedPathFor(path),
    open: async (_pin, offset) => {
      const body = createReadStream(path, { start: offset });
      options.onOpen?.(body);
      return { body };
    },
    isGone: () => false,
    rejectedRows: fileSink,
    putReport: async () => undefined,
    remove: (name) => rm(name, { force: true }),
    move: async () => {
      throw new Error('a local file is never continued');
    },
    joinParts: async () => {
      throw new Error('a local file is never continued');
    },
  }),
});
