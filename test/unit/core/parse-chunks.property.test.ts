import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParseEncoding } from '../../../src/core/codecs.ts';
import { DELIMITERS, type Delimiter } from '../../../src/core/dialect.ts';
import { type CsvRecord, parseCsv } from '../../../src/core/parse.ts';
import { parseCsvChunks } from '../../../src/core/parse-chunks.ts';

/** What a parser gave: every record, then the error it threw (code and message), if any. */
type Outcome = { readonly records: CsvRecord[]; readonly error?: { code?: unknown; message: string } };

const BROKEN = new Error('the connection was cut');

/** `bytes` in chunks cut at `cuts` (any byte: a character may be split), failing after them when `fail`. */
const source = (bytes: Buffer, cuts: readonly number[], fail: boolean): Readable => {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  async function* produce() {
    for (const chunk of chunks) yield chunk;
    if (fail) throw BROKEN;
  }
  return Readable.from(produce());
};

const outcomeOf = async (records: AsyncIterable<CsvRecord | readonly CsvRecord[]>): Promise<Outcome> => {
  const read: CsvRecord[] = [];
  try {
    for await (const item of records) {
      if (Array.isArray(item)) read.push(...(item as CsvRecord[]));
      else read.push(item as CsvRecord);
    }
  } catch (caught) {
    const error = caught as { code?: unknown; message: string };
    return { records: read, error: { code: error.code, message: error.message } };
  }
  return { records: read };
};

const text = (delimiter: Delimiter) =>
  fc
    .array(
      fc.constantFrom(
        'a',
        'b7',
        ' ',
        'é',
        'ß€',
        '😀',
        '"',
        '""',
        delimiter,
        ',',
        ';',
        '|',
        '\t',
        '\r',
        '\n',
        '\r\n',
        '\x80',
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(''));

/** A field: plain text, or quoted with its quotes doubled (well-formed), or raw tokens (anything goes). */
const field = (delimiter: Delimiter) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9 éü€😀]{0,6}$/u) },
    {
      weight: 2,
      arbitrary: text(delimiter).map((value) => `"${value.replaceAll('"', '""')}"`),
    },
    { weight: 1, arbitrary: text(delimiter) },
  );

const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\n\r\n');

const csvFile = fc
  .constantFrom(...DELIMITERS)
  .chain((delimiter) =>
    fc.record({
      delimiter: fc.constant(delimiter),
      bom: fc.boolean(),
      records: fc.array(
        fc.record({ fields: fc.array(field(delimiter), { minLength: 1, maxLength: 4 }), end: lineEnd }),
        { maxLength: 12 },
      ),
      lastEnd: fc.boolean(),
      encoding: fc.constantFrom<ParseEncoding>('utf8', 'utf8', 'latin1', 'windows-1252'),
      cuts: fc.array(fc.nat(), { maxLength: 8 }),
      fail: fc.boolean(),
    }),
  )
  .map(({ bom, records, lastEnd, encoding, ...rest }) => {
    const lines = records.map(
      ({ fields, end }, index) =>
        fields.join(rest.delimiter) + (index < records.length - 1 || lastEnd ? end : ''),
    );
    const body = (bom ? '\uFEFF' : '') + lines.join('');
    return { ...rest, encoding, bytes: Buffer.from(body, encoding === 'utf8' ? 'utf8' : 'latin1') };
  });

describe('parseCsvChunks()', () => {
  it('gives the records, offsets, problems and errors of parseCsv (csv-parse) on random CSV', async () => {
    await fc.assert(
      fc.asyncProperty(csvFile, async ({ delimiter, bytes, encoding, cuts, fail }) => {
        const options = { delimiter, encoding };
        const expected = await outcomeOf(parseCsv(source(bytes, cuts, fail), options));
        const actual = await outcomeOf(parseCsvChunks(source(bytes, cuts, fail), options));
        expect(actual).toEqual(expected);
        // Resumed at any record's end, both read the same rest.
        for (const { end } of expected.records.slice(0, 3)) {
          const resumed = { ...options, startOffset: end };
          const rest = bytes.subarray(end);
          const from = await outcomeOf(parseCsv(source(rest, cuts, false), resumed));
          expect(await outcomeOf(parseCsvChunks(source(rest, cuts, false), resumed))).toEqual(from);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads a quote-free file without csv-parse, and a file of quoted records with it, alike', async () => {
    const plain = Buffer.from(
      `ID,Name\n${Array.from({ length: 3000 }, (_, i) => `${i},n${i}`).join('\r\n')}\n`,
    );
    const quoted = Buffer.from(plain.toString().replace(/n(\d+)/g, '"n$1\n""x"""'));
    for (const bytes of [plain, quoted]) {
      const expected = await outcomeOf(parseCsv(source(bytes, [100, 7000, 7001, 30000], false)));
      const actual = await outcomeOf(parseCsvChunks(source(bytes, [100, 7000, 7001, 30000], false)));
      expect(actual.records).toHaveLength(3001);
      expect(actual).toEqual(expected);
    }
  });

  it('hands a record over the size csv-parse allows to csv-parse, which fails the file as before', async () => {
    const bytes = Buffer.from(
      `ID,Value\n\n\r\n0,a\r\n"x\r\ny",z\n\n1,${'x'.repeat(4 * 1024 * 1024 + 10)}\n2,ok\n`,
    );
    const cuts = [65536, 3 * 65536, 2 * 1024 * 1024];
    const expected = await outcomeOf(parseCsv(source(bytes, cuts, false)));
    expect(expected.error?.code).toBe('CSV_RECORD_TOO_LARGE');
    expect(await outcomeOf(parseCsvChunks(source(bytes, cuts, false)))).toEqual(expected);
  });
});
