import { buffer, text } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createRejectedCsv, rejectedHeaderBytes } from '../../../src/core/rejected-csv.ts';

const HEADER = ['ID', 'Name', 'Note'];

const written = async (rows: { row: number; reason: string; fields: string[] }[]) => {
  const csv = createRejectedCsv();
  const done = text(csv.stream);
  for (const row of rows) await csv.add(HEADER, row);
  csv.end();
  return done;
};

describe('createRejectedCsv()', () => {
  it('starts with _row, _error and the original header, then one record per rejected row', async () => {
    expect(
      await written([
        { row: 2, reason: 'column "ID": key is empty', fields: ['', 'beta', 'x'] },
        { row: 5, reason: 'record has 2 fields, the header has 3', fields: ['5', 'short'] },
      ]),
    ).toBe(
      '_row,_error,ID,Name,Note\n2,"column ""ID"": key is empty",,beta,x\n5,"record has 2 fields, the header has 3",5,short\n',
    );
  });

  it('keeps the original fields unchanged, however they must be quoted, as many as the row had', async () => {
    const fields = ['7', 'a,b', 'say "hi"\r\nbye', '  padded  ', '', 'extra'];
    const records = parse(await written([{ row: 3, reason: 'bad', fields }]), { relax_column_count: true });
    expect(records).toEqual([
      ['_row', '_error', ...HEADER],
      ['3', 'bad', ...fields],
    ]);
  });

  it('writes nothing until a row is rejected', async () => {
    const csv = createRejectedCsv();
    expect(csv.started).toBe(false);
    const done = text(csv.stream);
    csv.end();
    expect(await done).toBe('');
  });
});

describe('createRejectedCsv() in another dialect', () => {
  const row = { row: 4, reason: 'column "ID": key is empty', fields: ['', 'Œuvre; “x”', 'a\tb|c'] };

  it.each([
    [{ delimiter: ';', encoding: 'windows-1252' }, 'windows-1252', ''],
    [{ delimiter: '\t', encoding: 'utf-8' }, 'utf-8', ''],
    [{ delimiter: '|', encoding: 'utf-16le' }, 'utf-16le', '\uFEFF'],
    [{ delimiter: ',', encoding: 'utf-16be' }, 'utf-16be', '\uFEFF'],
  ] as const)('writes %j, quoting fields that hold the delimiter', async (options, decoder, bom) => {
    for (const gzip of [false, true]) {
      const csv = createRejectedCsv({ ...options, gzip });
      const done = buffer(csv.stream);
      await csv.add(HEADER, row);
      csv.end();
      const written = await done;
      const bytes = gzip ? gunzipSync(written) : written;
      const text = new TextDecoder(decoder, { ignoreBOM: true }).decode(bytes);
      expect(text.startsWith(`${bom}_row${options.delimiter}_error${options.delimiter}ID`)).toBe(true);
      expect(
        parse(text.slice(bom.length), { delimiter: options.delimiter, relax_column_count: true }),
      ).toEqual([
        ['_row', '_error', ...HEADER],
        ['4', row.reason, ...row.fields],
      ]);
      // The header line, byte for byte, as the parts of a continued file are joined on.
      expect(bytes.subarray(0, rejectedHeaderBytes(HEADER, options).length)).toEqual(
        rejectedHeaderBytes(HEADER, options),
      );
    }
  });

  it.each([
    ['latin1', 'Œuvre “x” é', '?uvre ?x? é'],
    ['windows-1252', 'Œuvre “x” é 😀 Ł', 'Œuvre “x” é ? ?'],
  ] as const)('writes a character %s cannot hold as ?', async (encoding, field, shown) => {
    const csv = createRejectedCsv({ encoding });
    const done = buffer(csv.stream);
    await csv.add(['A'], { row: 2, reason: 'r', fields: [field] });
    csv.end();
    const bytes = await done;
    const text = encoding === 'latin1' ? bytes.toString('latin1') : new TextDecoder(encoding).decode(bytes);
    expect(text).toBe(`_row,_error,A\n2,r,${shown}\n`);
  });
});
