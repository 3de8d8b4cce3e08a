import { describe, expect, it } from 'vitest';
import { ErrorCode, FileError } from '../../../src/core/errors.ts';
import { readHeader, rejectedColumnsIn } from '../../../src/core/header.ts';
import { compileDefaultPlan } from '../../../src/core/item-plan.ts';
import type { KeySchema } from '../../../src/core/key-schema.ts';

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof FileError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the header was accepted');
};

describe('readHeader()', () => {
  it.each([
    ['keeps names as they are', ['ID', 'Name'], ['ID', 'Name']],
    ['trims spaces and tabs around names', [' ID ', '\tName\t'], ['ID', 'Name']],
    ['keeps spaces inside names', ['Instance ID'], ['Instance ID']],
    ['removes a BOM the parser left', ['\uFEFFID', 'Name'], ['ID', 'Name']],
    ['keeps names that differ only in case apart', ['id', 'ID'], ['id', 'ID']],
    ['keeps non-ASCII names', ['Größe', '名前'], ['Größe', '名前']],
  ])('%s', (_what, fields, names) => {
    expect(readHeader(fields)).toEqual(names);
  });

  it.each([
    ['an empty name', ['ID', '', 'Price'], ErrorCode.CSV_EMPTY_HEADER, 'header column 2 has no name'],
    ['a name of spaces', ['ID', '  '], ErrorCode.CSV_EMPTY_HEADER, 'header column 2 has no name'],
    ['a trailing comma', ['ID', 'Name', ''], ErrorCode.CSV_EMPTY_HEADER, 'header column 3 has no name'],
    [
      'a duplicated name',
      ['ID', 'Name', 'Name'],
      ErrorCode.CSV_DUPLICATE_HEADER,
      'header column "Name" appears more than once',
    ],
    [
      'names that are equal once trimmed',
      ['ID', 'Name', ' Name '],
      ErrorCode.CSV_DUPLICATE_HEADER,
      'header column "Name" appears more than once',
    ],
  ])('fails the file for %s', (_what, fields, code, message) => {
    expect(failure(() => readHeader(fields))).toEqual({ code, message });
  });
});

describe('rejectedColumnsIn()', () => {
  it.each([
    [['_row', '_error', 'ID', 'Name'], 2],
    [['_row', '_error'], 2],
    [['_error', '_row', 'ID'], 0],
    [['_row', 'ID', '_error'], 0],
    [['_Row', '_error', 'ID'], 0],
    [['ID', '_row', '_error'], 0],
    [['_row'], 0],
  ])('leaves out %j of a header: %i columns', (header, count) => {
    expect(rejectedColumnsIn(header)).toBe(count);
  });

  it('sees a rejected-rows header once readHeader has trimmed it', () => {
    expect(rejectedColumnsIn(readHeader([' _row ', '_error\t', 'ID']))).toBe(2);
  });
});

describe('compileDefaultPlan() key columns', () => {
  const composite: KeySchema = { partition: { name: 'PK', type: 'S' }, sort: { name: 'SK', type: 'N' } };

  it.each([
    ['the partition key', ['pk', 'SK'], 'header has no column for key attribute "PK"'],
    ['the sort key', ['PK', 'Note'], 'header has no column for key attribute "SK"'],
    [
      'its key in a `;`-separated header read with `,`',
      ['PK;SK;Note'],
      'header has no column for key attribute "PK" (the header looks `;`-separated: set `csv.delimiter`)',
    ],
    [
      'its key in a tab-separated header',
      ['PK\tSK\tNote'],
      'header has no column for key attribute "PK" (the header looks tab-separated: set `csv.delimiter`)',
    ],
    [
      'its key in a `|`-separated header with a comma in a name',
      ['Price', ' EUR|PK|SK'],
      'header has no column for key attribute "PK" (the header looks `|`-separated: set `csv.delimiter`)',
    ],
    [
      'its key in a `,`-separated header read with `;`',
      ['PK,SK,Note'],
      'header has no column for key attribute "PK" (the header looks `,`-separated: set `csv.delimiter`)',
    ],
    // A name may hold a delimiter (quoted): once in two columns is no hint.
    [
      'its key, with a comma in one name',
      ['pk', 'Price, EUR'],
      'header has no column for key attribute "PK"',
    ],
  ])('fails the file when the header lacks %s', (_what, header, message) => {
    expect(failure(() => compileDefaultPlan(header, composite, 'infer'))).toEqual({
      code: ErrorCode.CSV_MISSING_KEY_COLUMN,
      message,
    });
  });

  it('finds key columns in any position and keeps every other column', () => {
    const plan = compileDefaultPlan(['Note', 'SK', 'Price', 'PK'], composite, 'infer');
    expect(plan.partition.index).toBe(3);
    expect(plan.sort?.index).toBe(1);
    expect(plan.columns.map(({ column }) => column)).toEqual(['Note', 'Price']);
  });
});
