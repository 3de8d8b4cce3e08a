import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { joinPartBytes } from '../aws/rejected-parts.ts';
import type { FileStore, RejectedRowsSink } from '../core/file-store.ts';
import { createRejectedCsv, type RejectedCsvOptions, rejectedHeaderBytes } from '../core/rejected-csv.ts';

/**
 * `data.csv` → `data.csv.rejected.csv`, `data.csv.gz` → `data.csv.rejected.csv.gz` (gzip'd, as the
 * input is), `data.tsv` → `data.tsv.rejected.tsv`: like the pipeline's, the rejected rows keep the
 * input's format and compression, so the file can be ingested again as it is.
 */
export const rejectedPathFor = (path: string): string => {
  const plain = path.replace(/\.gz$/, '');
  const extension = /\.tsv$/.test(plain) ? '.tsv' : '.csv';
  return `${plain}.rejected${extension}${plain === path ? '' : '.gz'}`;
};

/** Rejected rows into a file created at the first one; what was written is kept, whatever the outcome. */
export const fileSink = (path: string, options?: RejectedCsvOptions): RejectedRowsSink => {
  const csv = createRejectedCsv(options);
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
 * it, and it keeps no report (the CLI prints it). A run stopped by Ctrl-C and resumed (`--resume`) is a
 * continued file: its rejected rows are parts next to it, joined when the file is done. `onOpen` sees each stream opened (the progress bar counts a gzip file's
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
    move: (from, to) => rename(from, to),
    joinParts: async (parts, header, csv = {}) => {
      const open = async (part: string) => createReadStream(part);
      const plain = Readable.from(joinPartBytes(parts, rejectedHeaderBytes(header, csv), open));
      const output = createWriteStream(rejectedPathFor(path));
      await (csv.gzip ? pipeline(plain, createGzip(), output) : pipeline(plain, output));
      await Promise.all(parts.map((part) => rm(part, { force: true })));
    },
  }),
});
