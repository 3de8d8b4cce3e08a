import { Readable } from 'node:stream';
import { Splitter } from './csv-splitter.ts';
import type { DecodedInput } from './decode.ts';
import { type CsvRecord, type ParseOptions, parseCsv } from './parse.ts';

/** `chunked` (default): quote-free records split directly, the rest by csv-parse; `csv-parse`: every record by csv-parse. */
export const CSV_PARSERS = ['chunked', 'csv-parse'] as const;
export type CsvParser = (typeof CSV_PARSERS)[number];

export type ChunkParseOptions = ParseOptions & { readonly parser?: CsvParser };

/** The bytes after `first`: `first`, then the rest of `chunks`, or `failure` where they failed. */
async function* rest(
  first: Buffer,
  chunks: AsyncIterator<Buffer>,
  failure: { readonly error: unknown } | undefined,
): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  if (failure) throw failure.error;
  for (;;) {
    const step = await chunks.next();
    if (step.done) return;
    yield step.value;
  }
}

/**
 * The records of `parseCsv`, the same fields, offsets and problems, a chunk of input at a time: no
 * promise per record. UTF-16 (and `parser: 'csv-parse'`) take `parseCsv` itself.
 */
export async function* parseCsvChunks(
  input: Readable,
  options: ChunkParseOptions = {},
): AsyncGenerator<readonly CsvRecord[]> {
  const encoding = (await (options.encoding ?? (input as Partial<DecodedInput>).encoding)) ?? 'utf8';
  const startOffset = options.startOffset ?? 0;
  const delimiter = options.delimiter ?? ',';
  const full = (from: Readable, offset: number, line = 1) =>
    parseCsv(from, { startOffset: offset, delimiter, encoding, line });
  if (options.parser === 'csv-parse' || encoding === 'utf16le') {
    for await (const record of full(input, startOffset)) yield [record];
    return;
  }
  const splitter = new Splitter(startOffset, delimiter, encoding);
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let failure: { readonly error: unknown } | undefined;
  try {
    for (;;) {
      let step: IteratorResult<Buffer>;
      try {
        step = await chunks.next();
      } catch (error) {
        failure = { error };
        break;
      }
      const records: CsvRecord[] = [];
      if (!step.done) splitter.add(step.value);
      const ok = splitter.take(step.done === true, records);
      if (records.length > 0) yield records;
      if (!ok) break;
      if (step.done) return;
    }
    // csv-parse reads on from the last record given: what it reads from there is what parseCsv would.
    const from = Readable.from(rest(splitter.pending, chunks, failure));
    for await (const record of full(from, splitter.base, splitter.lines + 1)) yield [record];
  } finally {
    input.destroy();
  }
}
