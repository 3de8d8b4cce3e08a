import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createRejectedCsv } from '../../../src/core/rejected-csv.ts';

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
