import { describe, expect, it } from 'vitest';
import { delimiterHint, dialectFor, likelyDelimiter } from '../../../src/core/dialect.ts';

describe('dialectFor()', () => {
  it.each([
    [undefined, false, { delimiter: ',', encoding: 'utf-8' }],
    [undefined, true, { delimiter: '\t', encoding: 'utf-8' }],
    [{ delimiter: ';' }, true, { delimiter: ';', encoding: 'utf-8' }],
    [{ encoding: 'windows-1252' }, true, { delimiter: '\t', encoding: 'windows-1252' }],
    [{ delimiter: '|', encoding: 'latin1' }, false, { delimiter: '|', encoding: 'latin1' }],
  ] as const)('reads the csv block %j (tsv key: %s) as %j', (spec, tsv, dialect) => {
    expect(dialectFor(spec, tsv)).toEqual(dialect);
  });
});

describe('likelyDelimiter()', () => {
  it.each([
    ['ID;Name;Price', ';'],
    ['ID\tName\tPrice', '\t'],
    ['ID|Name|Price', '|'],
    ['ID,Name', ','],
    ['"a;b;c",d,e', ','],
    // A tie goes to the first of , ; | tab.
    ['ID;Name,Price|x', ','],
    ['a;b;c,d|e', ';'],
    ['ID', undefined],
    ['', undefined],
  ])('finds in %j: %j', (line, delimiter) => {
    expect(likelyDelimiter(line)).toBe(delimiter);
  });
});

describe('delimiterHint()', () => {
  it.each([
    [['ID;Name'], ' (the header looks `;`-separated: set `csv.delimiter`)'],
    [['ID\tName\tX'], ' (the header looks tab-separated: set `csv.delimiter`)'],
    [['ID', 'Name'], ''],
    [['Id', 'Price; EUR'], ''],
  ])('for %j: %j', (header, hint) => {
    expect(delimiterHint(header)).toBe(hint);
  });
});
