import { PassThrough, pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify';
import { stringify as stringifyText } from 'csv-stringify/sync';
import { encodeText } from './codecs.ts';
import { DEFAULT_DIALECT, type Delimiter, type Encoding } from './dialect.ts';
import { REJECTED_COLUMNS } from './header.ts';

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

/** How the rejected-rows file is written: in the upload's delimiter and encoding, gzip-compressed when it was. */
export type RejectedCsvOptions = {
  readonly delimiter?: Delimiter;
  readonly encoding?: Encoding;
  readonly gzip?: boolean;
};

/** UTF-16 files get a byte order mark, so that they read back (and open in Excel) without being told. */
const withBom = (encoding: Encoding): boolean => encoding === 'utf-16le' || encoding === 'utf-16be';

/** Text → bytes in the file's encoding, a byte order mark first where the encoding wants one. */
class Encoder extends Transform {
  private first = true;

  constructor(private readonly encoding: Encoding) {
    super({ decodeStrings: false });
  }

  override _transform(chunk: string | Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = (this.first && withBom(this.encoding) ? '\uFEFF' : '') + chunk.toString();
    this.first = false;
    callback(null, encodeText(text, this.encoding));
  }
}

/**
 * The first line of a rejected-rows file, byte for byte as `createRejectedCsv` writes it
 * (uncompressed): for joining the parts of a continued file, which each start with it.
 */
export const rejectedHeaderBytes = (header: readonly string[], options: RejectedCsvOptions = {}): Buffer => {
  const encoding = options.encoding ?? DEFAULT_DIALECT.encoding;
  const line = stringifyText([[...REJECTED_COLUMNS, ...header]], {
    eof: true,
    delimiter: options.delimiter ?? DEFAULT_DIALECT.delimiter,
  });
  return encodeText((withBom(encoding) ? '\uFEFF' : '') + line, encoding);
};

/**
 * The rejected-rows CSV: `_row`, `_error`, then the original header; each rejected record
 * keeps its original fields, so a user can fix it and upload it again as it is (a file whose
 * header begins with `_row`, `_error` is read without them). It is written in the upload's
 * delimiter and encoding, and gzip-compressed when asked (a `.gz` upload).
 */
export const createRejectedCsv = (options: RejectedCsvOptions = {}) => {
  const encoding = options.encoding ?? DEFAULT_DIALECT.encoding;
  const stringifier = stringify({ eof: true, delimiter: options.delimiter ?? DEFAULT_DIALECT.delimiter });
  const stages: NodeJS.ReadWriteStream[] = [];
  if (encoding !== 'utf-8') stages.push(new Encoder(encoding));
  if (options.gzip) stages.push(createGzip());
  let stream: Readable = stringifier;
  if (stages.length > 0) {
    const out = new PassThrough();
    // pipeline() destroys every stage with an error, so whoever reads `stream` sees it.
    pipeline([stringifier, ...stages, out] as unknown as [Readable, PassThrough], () => undefined);
    stream = out;
  }
  let started = false;
  return {
    stream,
    /** Writes one record; resolves when the stream can take more. */
    add(header: readonly string[], row: RejectedRow): Promise<void> | undefined {
      if (!started) {
        started = true;
        stringifier.write([...REJECTED_COLUMNS, ...header]);
      }
      const more = stringifier.write([String(row.row), row.reason, ...row.fields]);
      return more ? undefined : new Promise((resolve) => stringifier.once('drain', resolve));
    },
    get started() {
      return started;
    },
    end: () => stringifier.end(),
  };
};
