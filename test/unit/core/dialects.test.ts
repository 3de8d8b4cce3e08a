/** SPEC, "CSV dialect": every delimiter and encoding loads the same rows, resumes at byte offsets of the file, and fails on bad bytes. */
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeText } from '../../../src/core/codecs.ts';
import type { CsvDialect } from '../../../src/core/dialect.ts';
import { ErrorCode } from '../../../src/core/errors.ts';
import type { IngestResult } from '../../../src/core/ingest.ts';
import type { Item } from '../../../src/core/item.ts';
import {
  createRejectedCsv,
  type RejectedCsvOptions,
  type RejectedRow,
} from '../../../src/core/rejected-csv.ts';
import { createTable, fixture, runIngest } from './ingest-harness.ts';

/** What every dialect fixture holds (test/fixtures/semicolon.csv and its siblings). */
const ITEMS = [
  { ID: { N: '1' }, Name: { S: 'Müller' }, City: { S: 'Köln' }, Price: { S: '12,50' } },
  { ID: { N: '2' }, Name: { S: 'Dupont; fils' }, City: { S: 'Besançon' }, Price: { N: '7' } },
  { ID: { N: '3' }, Name: { S: 'Œuvre “quoted”' }, City: { S: 'Zürich' }, Price: { S: '€ 5' } },
];

const dialect = (
  delimiter: CsvDialect['delimiter'],
  encoding: CsvDialect['encoding'] = 'utf-8',
): CsvDialect => ({
  delimiter,
  encoding,
});

const idOf = (item: Item): number => Number((item.ID as { N: string }).N);

const fileErrorOf = (result: IngestResult) => (result.outcome === 'failed' ? result.fileError : undefined);

const items = (table: ReturnType<typeof createTable>) =>
  [...table.items.values()].sort((a, b) => idOf(a) - idOf(b));

const FILES: [string, CsvDialect][] = [
  ['semicolon.csv', dialect(';')],
  ['tabs.tsv', dialect('\t')],
  ['pipes.csv', dialect('|')],
  ['windows-1252.csv', dialect(';', 'windows-1252')],
  // A UTF-16 byte order mark is honoured when the encoding is the default UTF-8, and when it is declared.
  ['utf16le-bom.csv', dialect(',')],
  ['utf16le-bom.csv', dialect(',', 'utf-16le')],
  ['utf16be-bom.csv', dialect(',')],
  ['utf16be-bom.csv', dialect(',', 'utf-16be')],
];

describe('ingest() with a CSV dialect', () => {
  it.each(FILES.flatMap(([name, csv]) => [1, 3, 64].map((chunk) => [name, csv, chunk] as const)))(
    'loads %s (%j) in chunks of %i bytes',
    async (name, csv, chunk) => {
      const result = await runIngest(fixture(name), { dialect: csv, chunk });
      expect(result.outcome).toBe('complete');
      expect(result.header).toEqual(['ID', 'Name', 'City', 'Price']);
      expect(result.counts).toEqual({ rowsRead: 3, rowsWritten: 3, rowsRejected: 0 });
      expect(items(result.table)).toEqual(ITEMS);
    },
  );

  it.each([
    [
      'UTF-16LE without a byte order mark',
      Buffer.from('ID,Name\n1,Łódź 😀\n', 'utf16le'),
      'utf-16le',
      'Łódź 😀',
    ],
    [
      'UTF-16BE without a byte order mark',
      Buffer.from('ID,Name\n1,Łódź 😀\n', 'utf16le').swap16(),
      'utf-16be',
      'Łódź 😀',
    ],
    ['Latin-1', Buffer.from('ID,Name\n1,Ångström ÿ\n', 'latin1'), 'latin1', 'Ångström ÿ'],
    [
      'windows-1252 without 0x80 to 0x9F',
      Buffer.from('ID;Name\n1;Ångström ÿ\n', 'latin1'),
      'windows-1252',
      'Ångström ÿ',
    ],
  ] as const)('reads %s', async (_what, bytes, encoding, name) => {
    const result = await runIngest(bytes, {
      dialect: dialect(encoding === 'windows-1252' ? ';' : ',', encoding),
      chunk: 3,
    });
    expect(result.outcome).toBe('complete');
    expect(items(result.table)).toEqual([{ ID: { N: '1' }, Name: { S: name } }]);
  });

  it('reads latin1 as ISO-8859-1: 0x80 to 0x9F stay C1 characters, where windows-1252 has €', async () => {
    const bytes = Buffer.concat([
      Buffer.from('ID,Name\n1,'),
      Buffer.from([0x80, 0x81, 0xe9]),
      Buffer.from('\n'),
    ]);
    const latin1 = await runIngest(bytes, { dialect: dialect(',', 'latin1') });
    expect(items(latin1.table)).toEqual([{ ID: { N: '1' }, Name: { S: '\u0080\u0081é' } }]);
    const cp1252 = await runIngest(bytes, { dialect: dialect(',', 'windows-1252') });
    expect(fileErrorOf(cp1252)?.message).toBe('the file is not valid windows-1252 (byte offset 11)');
  });

  it.each([
    ['windows-1252-unassigned-byte.csv', dialect(';', 'windows-1252'), 'windows-1252', 87, 2],
    ['utf16le-lone-surrogate.csv', dialect(','), 'UTF-16LE', 176, 2],
    ['utf16le-lone-surrogate.csv', dialect(',', 'utf-16le'), 'UTF-16LE', 176, 2],
    ['utf16le-odd-length.csv', dialect(','), 'UTF-16LE', 200, 3],
    ['windows-1252.csv', dialect(';'), 'UTF-8', 23, 0],
  ] as const)(
    'fails %s (%j) naming the byte offset of the bad bytes',
    async (name, csv, encoding, offset, rowsWritten) => {
      for (const gzip of [false, true]) {
        const result = await runIngest(fixture(name), { dialect: csv, chunk: 5, gzip });
        expect(result.outcome).toBe('failed');
        expect(fileErrorOf(result)).toMatchObject({
          code: ErrorCode.FILE_NOT_UTF8,
          message: `the file is not valid ${encoding} (byte offset ${offset})`,
        });
        expect(result.counts.rowsWritten).toBe(rowsWritten);
      }
    },
  );

  it.each([
    ['semicolon.csv', '`;`'],
    ['tabs.tsv', 'tab'],
    ['pipes.csv', '`|`'],
  ])('says that %s looks separated by %s when read with commas', async (name, shown) => {
    const result = await runIngest(fixture(name));
    expect(fileErrorOf(result)).toMatchObject({
      code: ErrorCode.CSV_MISSING_KEY_COLUMN,
      message: `header has no column for key attribute "ID" (the header looks ${shown}-separated: set \`csv.delimiter\`)`,
    });
  });
});

describe('ingest() resumed in the middle of a file in another dialect', () => {
  const cases = FILES.flatMap(([name, csv]) =>
    [false, true].flatMap((gzip) => [1, 2].map((after) => [name, csv, gzip, after] as const)),
  );

  it.each(cases)(
    'resumes %s (%j, gzip %s) after %i records with the same items as one run',
    async (name, csv, gzip, after) => {
      const bytes = fixture(name);
      const table = createTable({ partition: { name: 'ID', type: 'N' } });
      let records = 0;
      const first = await runIngest(bytes, {
        dialect: csv,
        gzip,
        table,
        chunk: 7,
        shouldStop: () => ++records > after,
      });
      expect(first.outcome).toBe('stopped');
      const resume = first.outcome === 'stopped' ? first.resume : undefined;
      // The offset is one of the file: the bytes before it end a record, in the file's own encoding.
      const before = bytes.subarray(0, resume?.offset);
      const utf16 = name.startsWith('utf16');
      const lastTwo = utf16 ? before.subarray(-4) : before.subarray(-2);
      const crlf = utf16
        ? Buffer.from(name.includes('be') ? '\0\r\0\n' : '\r\0\n\0', 'latin1')
        : Buffer.from('\r\n');
      expect(lastTwo).toEqual(crlf);
      const second = await runIngest(bytes, {
        dialect: csv,
        gzip,
        table,
        chunk: 7,
        ...(resume && { resume }),
      });
      expect(second.outcome).toBe('complete');
      expect(second.counts).toEqual({ rowsRead: 3, rowsWritten: 3, rowsRejected: 0 });
      expect(items(table)).toEqual(ITEMS);
    },
  );
});

/** The rejected-rows file ingest() would have written for `result`, in `csv`'s dialect. */
const rejectedFile = async (
  rejected: { header: readonly string[]; row: RejectedRow }[],
  options: RejectedCsvOptions,
): Promise<Buffer> => {
  const csv = createRejectedCsv(options);
  const done = buffer(csv.stream);
  for (const { header, row } of rejected) await csv.add(header, row);
  csv.end();
  return done;
};

describe('the rejected-rows file of a file in another dialect', () => {
  const BAD = (delimiter: string) =>
    ['ID|Name|City|Price', '4|Müller “M”|Köln|1', 'x|Œuvre|Zürich, CH|€ 5', '5|a|b']
      .join('\r\n')
      .replaceAll('|', delimiter);

  it.each([
    [dialect(';', 'windows-1252'), false],
    [dialect('\t', 'utf-8'), true],
    [dialect('|', 'utf-16le'), false],
    [dialect(',', 'utf-16be'), true],
    [dialect(';', 'latin1'), false],
  ])(
    'is written in %j (gzip %s) and reads back as it was written, without _row and _error',
    async (csv, gzip) => {
      const text =
        csv.encoding === 'latin1' ? BAD(csv.delimiter).replace(/[“”Œ€]/gu, '?') : BAD(csv.delimiter);
      const file = encodeText(`${text}\r\n`, csv.encoding);
      const first = await runIngest(file, { dialect: csv });
      expect(first.counts).toEqual({ rowsRead: 3, rowsWritten: 1, rowsRejected: 2 });
      const written = await rejectedFile(first.rejected, { ...csv, gzip });
      const plain = gzip ? gunzipSync(written) : written;
      if (csv.encoding.startsWith('utf-16'))
        expect(plain.subarray(0, 2)).toEqual(encodeText('\uFEFF', csv.encoding));
      // Uploaded again as it is (with its dialect): the two columns are left out, and the rows fail again the same way.
      const again = await runIngest(written, { dialect: csv, gzip, raw: true, chunk: 5 });
      expect(again.header).toEqual(['ID', 'Name', 'City', 'Price']);
      expect(again.counts).toEqual({ rowsRead: 2, rowsWritten: 0, rowsRejected: 2 });
      expect(again.rejected.map(({ header, row }) => [header, row.fields])).toEqual(
        first.rejected.map(({ header, row }) => [header, row.fields]),
      );
      // Fixed by hand (good fields): its rows load without the two columns.
      const name = csv.encoding === 'latin1' ? 'Ouvre' : 'Œuvre';
      const fixed = await rejectedFile(
        [
          {
            header: first.header ?? [],
            row: { row: 3, reason: 'fixed', fields: ['6', name, 'Zürich, CH', '5'] },
          },
        ],
        { ...csv, gzip },
      );
      const table = createTable({ partition: { name: 'ID', type: 'N' } });
      const third = await runIngest(fixed, { dialect: csv, gzip, raw: true, table });
      expect(third.counts).toEqual({ rowsRead: 1, rowsWritten: 1, rowsRejected: 0 });
      expect(items(table)).toEqual([
        { ID: { N: '6' }, Name: { S: name }, City: { S: 'Zürich, CH' }, Price: { N: '5' } },
      ]);
    },
  );
});

describe('a rejected-rows file uploaded again', () => {
  const FILE = '_row,_error,ID,Name\r\n2,"bad",7,Ann\r\n3,"bad",8,Bob\r\n4,"bad",9\r\n';

  it.each([1, 2])('resumes after %i records without its _row and _error columns', async (after) => {
    const table = createTable({ partition: { name: 'ID', type: 'N' } });
    let records = 0;
    const first = await runIngest(FILE, { table, shouldStop: () => ++records > after });
    expect(first.header).toEqual(['ID', 'Name']);
    const resume = first.outcome === 'stopped' ? first.resume : undefined;
    // The resume point keeps the header as read, so that the next invocation leaves the columns out too.
    expect(resume?.header).toEqual(['_row', '_error', 'ID', 'Name']);
    const second = await runIngest(FILE, { table, ...(resume && { resume }) });
    expect(second.header).toEqual(['ID', 'Name']);
    expect(second.counts).toEqual({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    expect(second.rejected.map(({ header, row }) => [header, row.fields])).toEqual([[['ID', 'Name'], ['9']]]);
    expect(items(table)).toEqual([
      { ID: { N: '7' }, Name: { S: 'Ann' } },
      { ID: { N: '8' }, Name: { S: 'Bob' } },
    ]);
  });
});
