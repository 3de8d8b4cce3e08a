import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { type CsvError, type InfoRecord, type Options, parse } from 'csv-parse';
import { parse as parseText } from 'csv-parse/sync';
import { fromWindows1252, type ParseEncoding } from './codecs.ts';
import type { DecodedInput } from './decode.ts';
import type { Delimiter } from './dialect.ts';
import { ErrorCode, FileError } from './errors.ts';

/** One CSV record, or a span the parser could not read as one. */
export type CsvRecord =
  | { readonly fields: string[]; readonly end: number; readonly problem?: undefined }
  | { readonly fields: string[]; readonly end: number; readonly problem: string };

export type ParseOptions = {
  /** The offset of the first byte of `input` in the whole file: records report absolute `end` offsets. */
  readonly startOffset?: number;
  /** `,` unless said otherwise; quoting is the same for every delimiter. */
  readonly delimiter?: Delimiter;
  /**
   * What the bytes are; default: the `encoding` of a `decodeInput` stream (it settles once the file's
   * start is seen: a UTF-16 byte order mark), else UTF-8.
   */
  readonly encoding?: ParseEncoding | Promise<ParseEncoding>;
  /** The line `input` starts on, as csv-parse counts lines (each line end; inside quotes each CR and LF), for messages; default 1. */
  readonly line?: number;
};

/** A record larger than this cannot become an item (400 KB) and would hold memory hostage. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** CRLF and LF as RFC 4180 says; a lone CR too, so that an old Mac file is not read as one long header. */
export const RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

/** One record as written (RFC 4180, with `delimiter`), after any blank lines (and the BOM) that came before it. */
const rfcRecord = (delimiter: Delimiter): RegExp => {
  const separator = delimiter === '|' ? '\\|' : delimiter === '\t' ? '\\t' : delimiter;
  // A field is plain text without quotes, or quoted text whose own quotes are doubled.
  const field = `(?:[^"${separator}\\r\\n]*|"[^"]*(?:""[^"]*)*")`;
  return new RegExp(`^\\uFEFF?[\\r\\n]*${field}(?:${separator}${field})*(?:\\r\\n|\\n|\\r)?$`);
};
const RFC_RECORDS = new Map<Delimiter, RegExp>();
export const rfcRecordFor = (delimiter: Delimiter): RegExp => {
  let pattern = RFC_RECORDS.get(delimiter);
  if (!pattern) {
    pattern = rfcRecord(delimiter);
    RFC_RECORDS.set(delimiter, pattern);
  }
  return pattern;
};
const AROUND_RECORD = /^\uFEFF?[\r\n]*|(?:\r\n|\n|\r)$/g;

export const MALFORMED_QUOTES =
  'malformed quoting: a quote (") must enclose the whole field, and a quote inside a quoted field must be doubled ("")';
const UNCLOSED_QUOTE = 'a quoted field is never closed: the rest of the file was read as part of this row';

/** An error that reaches the reader after every record read before it. */
const FAILURE = Symbol('failure');
type Failure = { readonly [FAILURE]: unknown };

/**
 * The bytes of the records being parsed (chunks are referenced, not copied), so that a record
 * whose quoting looks wrong can be checked against RFC 4180 as it was written.
 */
class RecordBytes {
  private chunks: Buffer[] = [];
  private first: number;
  /** The absolute offset just past the last byte added. */
  position: number;

  constructor(
    start: number,
    private readonly encoding: BufferEncoding,
  ) {
    this.first = start;
    this.position = start;
  }

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.position += chunk.length;
  }

  /** The text between two absolute offsets. */
  text(from: number, to: number): string {
    const parts: Buffer[] = [];
    let start = this.first;
    for (const chunk of this.chunks) {
      const stop = start + chunk.length;
      if (stop > from && start < to) parts.push(chunk.subarray(Math.max(0, from - start), to - start));
      start = stop;
    }
    return (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString(this.encoding);
  }

  /** Forgets every chunk that ends before `offset`. */
  release(offset: number): void {
    while (this.chunks.length > 0 && this.first + (this.chunks[0] as Buffer).length <= offset) {
      this.first += (this.chunks.shift() as Buffer).length;
    }
  }
}

/** The fields of a record whose quote never closes, read as if it closed at the end of the file. */
const unclosedFields = (text: string, delimiter: Delimiter): string[] => {
  try {
    const [fields] = parseText(`${text}"`, {
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
    }) as string[][];
    return fields ?? [text];
  } catch {
    return [text];
  }
};

/**
 * The options every csv-parse run here shares (`parseCsv`, and the chunked parser's records with
 * quotes, `csv-splitter.ts`): so that both read a record alike. `atStart`: the bytes begin the file.
 */
export const csvParseOptions = (delimiter: Delimiter, readAs: BufferEncoding, atStart: boolean) => ({
  // A UTF-8 or UTF-16LE byte order mark (UTF-16BE comes swapped); Latin-1 text has none.
  bom: atStart && readAs !== 'latin1',
  encoding: readAs,
  delimiter,
  record_delimiter: RECORD_DELIMITERS,
  // Lenient quoting keeps the parser on track after a stray quote; such records are checked by the caller.
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  max_record_size: MAX_RECORD_BYTES,
});

/**
 * Streams RFC 4180 records (`,` or another delimiter, `"`, `""`, CRLF or LF, newlines in quotes) with csv-parse.
 * Blank lines are skipped; a BOM at the very start is removed; each record carries the byte
 * offset just past it, so that reading can resume there. A record with malformed quoting comes
 * with a `problem` and its fields as read leniently; a record over 4 MB fails the file, since
 * the parser cannot find where the next one starts. An error of the input or the parser is
 * thrown after every complete record read before it, and a record it cut short is never given.
 */
export async function* parseCsv(
  input: Readable,
  { startOffset, delimiter = ',', encoding: encodingOption, line = 1 }: ParseOptions = {},
): AsyncGenerator<CsvRecord> {
  const base = startOffset ?? 0;
  const encoding = (await (encodingOption ?? (input as Partial<DecodedInput>).encoding)) ?? 'utf8';
  // windows-1252 is read as Latin-1, whose bytes and offsets are the same, and its 0x80–0x9F mapped after.
  const readAs: BufferEncoding = encoding === 'windows-1252' ? 'latin1' : encoding;
  const fix = encoding === 'windows-1252' ? fromWindows1252 : undefined;
  const unit = encoding === 'utf16le' ? 2 : 1;
  const rfcRecord = rfcRecordFor(delimiter);
  const bytes = new RecordBytes(base, readAs);
  let recordStart = base;
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    parser.push({ [FAILURE]: error } satisfies Failure);
  };
  // When the input fails, the parser is ended to read what came before; the last record, cut short, is dropped.
  let inputFailure: { readonly error: unknown } | undefined;
  const cutShort = (end: number) =>
    inputFailure !== undefined && end === bytes.position && !/[\r\n]/.test(bytes.text(end - unit, end));
  const options: Options<CsvRecord, string[]> = {
    ...csvParseOptions(delimiter, readAs, base === 0),
    on_record: (read: string[], context: InfoRecord): CsvRecord | undefined => {
      const end = base + context.bytes;
      if (failed || cutShort(end)) return undefined;
      const fields = fix ? read.map(fix) : read;
      // Only a quote inside a value can come from quoting that RFC 4180 does not allow.
      const suspect = fields.some((field) => field.includes('"'));
      const wellFormed = !suspect || rfcRecord.test(bytes.text(recordStart, end));
      recordStart = end;
      bytes.release(end);
      return wellFormed ? { fields, end } : { fields, end, problem: MALFORMED_QUOTES };
    },
    on_skip: (error) => {
      if (failed || inputFailure !== undefined) return undefined;
      if (error?.code === 'CSV_QUOTE_NOT_CLOSED') {
        const text = bytes.text(recordStart, bytes.position).replace(AROUND_RECORD, '');
        const fields = unclosedFields(text, delimiter);
        parser.push({ fields: fix ? fields.map(fix) : fields, end: bytes.position, problem: UNCLOSED_QUOTE });
      } else {
        fail(describeCsvError(error, line - 1));
      }
      return undefined;
    },
  };
  // csv-parse types on_record as returning the record type only when `columns` is set.
  const parser = parse(options as unknown as Options);
  const stop = new AbortController();
  const feed = async () => {
    try {
      for await (const chunk of input) {
        bytes.add(chunk as Buffer);
        if (!parser.write(chunk)) await once(parser, 'drain', { signal: stop.signal });
      }
      parser.end();
    } catch (error) {
      if (stop.signal.aborted || parser.destroyed) return;
      inputFailure = { error };
      parser.end();
    }
  };
  void feed();
  try {
    for await (const record of parser as AsyncIterable<CsvRecord | Failure>) {
      if (FAILURE in record) throw record[FAILURE];
      yield record;
    }
    if (inputFailure) throw inputFailure.error;
  } finally {
    stop.abort();
    input.destroy();
    parser.destroy();
  }
}

const describeCsvError = (error: CsvError | undefined, linesBefore: number): FileError => {
  const line = error && /at line (\d+)/.exec(error.message)?.[1];
  const where = line ? ` (line ${Number(line) + linesBefore})` : '';
  if (error?.code === 'CSV_MAX_RECORD_SIZE') {
    return new FileError(
      ErrorCode.CSV_RECORD_TOO_LARGE,
      `a record is larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB${where} (is a quoted field never closed?): the file cannot be read past it`,
    );
  }
  return new FileError(
    ErrorCode.CSV_MALFORMED,
    `the file is not valid CSV${where}: ${error?.message ?? 'unknown error'}`,
  );
};
