import type { Readable } from 'node:stream';
import { type CsvError, type InfoRecord, type Options, parse } from 'csv-parse';

/** One CSV record, or a span the parser could not read as one. */
export type CsvRecord =
  | { readonly fields: string[]; readonly end: number; readonly problem?: undefined }
  | { readonly fields: string[]; readonly end: number; readonly problem: string };

export type ParseOptions = {
  /** The offset of the first byte of `input` in the whole file: records report absolute `end` offsets. */
  readonly startOffset?: number;
};

/** A record larger than this cannot become an item (400 KB) and would hold memory hostage. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

const describeCsvError = (error: CsvError): string => {
  const line = /at line (\d+)/.exec(error.message)?.[1];
  const where = line ? ` (line ${line})` : '';
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted field is never closed${where}: the rest of the file was read as that field`;
    case 'CSV_MAX_RECORD_SIZE':
      return `record is larger than ${MAX_RECORD_BYTES} bytes${where}`;
    default:
      return `malformed record${where}: ${error.message}`;
  }
};

/**
 * Streams RFC 4180 records (`,`, `"`, `""`, CRLF or LF, newlines in quotes) with csv-parse.
 * Blank lines are skipped; a BOM at the very start is removed; each record carries the byte
 * offset just past it, so that reading can resume there.
 */
export async function* parseCsv(
  input: Readable,
  { startOffset }: ParseOptions = {},
): AsyncGenerator<CsvRecord> {
  const base = startOffset ?? 0;
  const options: Options<CsvRecord, string[]> = {
    bom: base === 0,
    record_delimiter: ['\r\n', '\n'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (fields: string[], context: InfoRecord): CsvRecord => ({ fields, end: base + context.bytes }),
    on_skip: (error) => {
      if (error) parser.push({ fields: [], end: base + parser.info.bytes, problem: describeCsvError(error) });
      return undefined;
    },
  };
  // csv-parse types on_record as returning the record type only when `columns` is set.
  const parser = parse(options as unknown as Options);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser) yield record as CsvRecord;
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}
