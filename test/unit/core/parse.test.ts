import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../../src/core/decode.ts';
import { ErrorCode, FileError } from '../../../src/core/errors.ts';
import { type CsvRecord, parseCsv } from '../../../src/core/parse.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));

/** Streams `bytes` in chunks of `size`, as S3 or gunzip would hand them over. */
const chunked = (bytes: Buffer, size: number): Readable => {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
};

const readAll = async (bytes: Buffer, size = bytes.length || 1, startOffset = 0): Promise<CsvRecord[]> => {
  const records: CsvRecord[] = [];
  for await (const record of parseCsv(chunked(bytes.subarray(startOffset), size), { startOffset })) {
    records.push(record);
  }
  return records;
};

const fieldsOf = (records: CsvRecord[]) => records.map((record) => record.fields);

const WELL_FORMED: [string, string[][]][] = [
  [
    'bom-crlf.csv',
    [
      ['ID', 'Name', 'Price'],
      ['1', 'alpha', '10'],
      ['2', 'beta', '20'],
    ],
  ],
  [
    'quoted-newlines.csv',
    [
      ['ID', 'Note', 'Tag'],
      ['1', 'line one\nline two', 'a'],
      ['2', 'says "hi", then\r\nleaves', 'b'],
      ['3', '', 'c'],
    ],
  ],
  [
    'blank-lines.csv',
    [
      ['ID', 'Name'],
      ['1', 'alpha'],
      ['2', 'beta'],
    ],
  ],
  [
    'mixed-line-endings.csv',
    [
      ['ID', 'Name'],
      ['1', 'alpha'],
      ['2', 'beta'],
      ['3', 'gamma'],
    ],
  ],
  [
    'multibyte.csv',
    [
      ['ID', 'Name', 'Emoji'],
      ['1', 'Müller', '😀'],
      ['2', 'Łódź', '€'],
    ],
  ],
  [
    'cr-only.csv',
    [
      ['ID', 'Name'],
      ['1', 'alpha'],
      ['2', 'beta'],
    ],
  ],
];

const CHUNK_SIZES = [1, 2, 3, 7, 4096];

describe('parseCsv()', () => {
  describe.each(WELL_FORMED)('%s', (name, expected) => {
    const bytes = fixture(name);

    it.each(CHUNK_SIZES)('reads the same records in chunks of %i bytes', async (size) => {
      const records = await readAll(bytes, size);
      expect(fieldsOf(records)).toEqual(expected);
      expect(records.every((record) => record.problem === undefined)).toBe(true);
    });

    it('gives each record the offset just past it, where reading resumes exactly', async () => {
      const records = await readAll(bytes, 3);
      expect(records.at(-1)?.end).toBe(bytes.length - (name === 'blank-lines.csv' ? 1 : 0));
      for (const [index, record] of records.entries()) {
        const rest = await readAll(bytes, 2, record.end);
        expect(fieldsOf(rest)).toEqual(expected.slice(index + 1));
        expect(rest.map(({ end }) => end)).toEqual(records.slice(index + 1).map(({ end }) => end));
      }
    });
  });

  it('counts the BOM and CRLF in the offsets', async () => {
    const records = await readAll(fixture('bom-crlf.csv'));
    // BOM (3) + "ID,Name,Price\r\n" (15), then "1,alpha,10\r\n" (12)
    expect(records.map(({ end }) => end)).toEqual([18, 30, 41]);
  });

  it('counts multi-byte characters in bytes, not characters', async () => {
    const records = await readAll(fixture('multibyte.csv'), 1);
    expect(records.map(({ end }) => end)).toEqual([14, 29, 43]);
  });

  it.each([
    ['doubled quotes', '"say ""hi"""', 'say "hi"'],
    ['an empty quoted field', '""', ''],
    ['a quoted comma', '"a,b"', 'a,b'],
    ['a quoted field of quotes', '""""', '"'],
  ])('reads %s as RFC 4180 says', async (_what, field, value) => {
    const records = await readAll(Buffer.from(`ID,Value\n1,${field}\n`));
    expect(records[1]).toEqual({ fields: ['1', value], end: 'ID,Value\n1,'.length + field.length + 1 });
  });

  it('reads a line of spaces as a record, not as a blank line', async () => {
    expect(fieldsOf(await readAll(Buffer.from('ID\n  \n1\n')))).toEqual([['ID'], ['  '], ['1']]);
  });

  it('reads nothing from an empty input or a lone BOM', async () => {
    expect(await readAll(Buffer.alloc(0))).toEqual([]);
    expect(await readAll(Buffer.from('\uFEFF'))).toEqual([]);
  });

  describe('malformed quoting', () => {
    it('flags a quote inside an unquoted field and a closing quote followed by text, and goes on', async () => {
      const records = await readAll(fixture('malformed-quotes.csv'), 5);
      expect(records.map(({ fields, problem }) => ({ fields, bad: problem !== undefined }))).toEqual([
        { fields: ['ID', 'Size'], bad: false },
        { fields: ['1', '5" screen'], bad: true },
        { fields: ['2', '"12" wide'], bad: true },
        { fields: ['3', 'ok'], bad: false },
      ]);
      expect(records[1]?.problem).toBe(
        'malformed quoting: a quote (") must enclose the whole field, and a quote inside a quoted field must be doubled ("")',
      );
    });

    it('flags the record that swallowed the next lines, so they are never written as its value', async () => {
      const records = await readAll(fixture('swallowing-quote.csv'), 4);
      expect(fieldsOf(records)).toEqual([
        ['ID', 'Size'],
        ['1', '"12 inch\n2,ok\n3,"Big" Apple'],
        ['4', 'fine'],
      ]);
      expect(records.map(({ problem }) => problem !== undefined)).toEqual([false, true, false]);
    });

    it('flags a quote that is never closed, with the rest of the file as its fields', async () => {
      const bytes = fixture('unclosed-quote.csv');
      const records = await readAll(bytes, 3);
      expect(records.at(-1)).toEqual({
        fields: ['2', 'never closed\n3,gamma'],
        end: bytes.length,
        problem: 'a quoted field is never closed: the rest of the file was read as part of this row',
      });
      expect(records).toHaveLength(3);
    });

    it('fails the file at a record over 4 MB, since the parser cannot find the next one', async () => {
      const bytes = Buffer.from(`ID,Value\n1,"${'x'.repeat(4 * 1024 * 1024)}\n2,ok\n`);
      const error = await readAll(bytes, 65536).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FileError);
      expect(error).toMatchObject({ code: ErrorCode.CSV_RECORD_TOO_LARGE });
      expect((error as Error).message).toMatch(/^a record is larger than 4 MB \(line 2\)/);
    });
  });
});

describe('parseCsv() in another dialect', () => {
  it.each([
    [
      ';',
      'a;"b;c";"say ""hi"""\r\nd;;e\r\n',
      [
        ['a', 'b;c', 'say "hi"'],
        ['d', '', 'e'],
      ],
    ],
    [
      '\t',
      'a\t"b\tc"\t"x\ny"\nd\t\te\n',
      [
        ['a', 'b\tc', 'x\ny'],
        ['d', '', 'e'],
      ],
    ],
    ['|', 'a|"b|c"|,\n', [['a', 'b|c', ',']]],
    [',', 'a;b,c|d\te\n', [['a;b', 'c|d\te']]],
  ] as const)('splits on %j, quoting as for a comma', async (delimiter, text, expected) => {
    const records: string[][] = [];
    for await (const record of parseCsv(Readable.from([Buffer.from(text)]), { delimiter })) {
      expect(record.problem).toBeUndefined();
      records.push(record.fields);
    }
    expect(records).toEqual(expected);
  });

  it.each([
    [';', 'a;b"c;d\n'],
    ['\t', 'a\t"b"c\td\n'],
  ] as const)('flags malformed quoting with %j', async (delimiter, text) => {
    const problems: (string | undefined)[] = [];
    for await (const record of parseCsv(Readable.from([Buffer.from(text)]), { delimiter })) {
      problems.push(record.problem);
    }
    expect(problems).toEqual([expect.stringMatching(/^malformed quoting/)]);
  });

  it('reads the encoding of a decodeInput stream, and gives end offsets of the file', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ID,Name\r\n1,Łódź\r\n', 'utf16le')]);
    const records: CsvRecord[] = [];
    for await (const record of parseCsv(decodeInput(Readable.from([bytes]), { gzip: false }))) {
      records.push(record);
    }
    expect(records).toEqual([
      { fields: ['ID', 'Name'], end: 2 + 9 * 2 },
      { fields: ['1', 'Łódź'], end: bytes.length },
    ]);
  });
});
