import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.ts';
import { detectDialect, inferSchema, suggestAttributeName } from '../../../src/core/schema/infer-schema.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';

const rows = (header: string, ...values: string[]): string[][] => [
  [header],
  ...values.map((value) => [value]),
];

const proposalFor = async (values: string[], options = {}) => {
  const { columns } = await inferSchema(rows('c', ...values), options);
  return columns[0];
};

describe('inferSchema()', () => {
  it.each([
    [['1', '2.5', '-3', '1e5'], { type: 'N' }],
    [['02139', '60601', '00501'], { type: 'S' }],
    [['007'], { type: 'S' }],
    [['true', 'FALSE', 'yes'], { type: 'BOOL' }],
    [['1', '0', '1'], { type: 'N' }],
    [['{"a":1}', '[1,2]', '{}'], { type: 'JSON' }],
    [['{"a":1}', 'plain'], { type: 'S' }],
    [['web|prod', 'db|prod|critical', 'batch'], { type: 'SS' }],
    [['1|2', '3|4|5'], { type: 'NS' }],
    [['web|prod', 'a', 'b', 'c'], { type: 'S' }],
    [['a||b', 'c|d', 'e'], { type: 'S' }],
    [['12', 'twelve'], { type: 'S' }],
    [['1e200'], { type: 'S' }],
    [['hello', 'world'], { type: 'S' }],
    [['', ''], {}],
  ])('proposes %j → %j', async (values, proposed) => {
    expect((await proposalFor(values))?.proposed).toEqual(proposed);
  });

  it('counts what each value fits', async () => {
    expect(await proposalFor(['1', 'true', '', '{"a":1}', 'x|y', '007'])).toMatchObject({
      values: 5,
      empty: 1,
      fits: { N: 2, BOOL: 2, JSON: 1, SS: 1, NS: 0, S: 5 },
      leadingZeros: 1,
      reason: '1 value(s) with leading zeros (like 007): kept as text',
    });
  });

  it('looks for sets split by the separator asked for', async () => {
    expect((await proposalFor(['a;b', 'c;d'], { separator: ';' }))?.proposed).toEqual({
      type: 'SS',
      separator: ';',
    });
  });

  it('reads only the sample', async () => {
    const { columns, rows: read } = await inferSchema(rows('c', '1', '2', 'x'), { sample: 2 });
    expect(read).toBe(2);
    expect(columns[0]?.proposed).toEqual({ type: 'N' });
  });

  it('stops pulling records once the sample is read', async () => {
    let pulled = 0;
    async function* endless() {
      yield ['c'];
      for (;;) {
        pulled++;
        yield ['1'];
      }
    }
    await inferSchema(endless(), { sample: 10 });
    expect(pulled).toBe(10);
  });

  it('leaves key columns to the table', async () => {
    const { columns } = await inferSchema(
      [
        ['ID', 'Instance ID'],
        ['1', 'i-1'],
      ],
      { keys: ['ID', 'Instance ID'] },
    );
    expect(columns.map(({ proposed }) => proposed)).toEqual([{}, {}]);
  });

  it('suggests a name for headers that are not clean attribute names, unless it is taken', async () => {
    const { schema } = await inferSchema([['Instance ID', 'vCPUs', 'Memory GiB', 'MemoryGiB', 'first_name']]);
    expect(schema.columns).toEqual({
      'Instance ID': { name: 'InstanceId' },
      vCPUs: {},
      'Memory GiB': {},
      MemoryGiB: {},
      first_name: {},
    });
  });

  it('proposes a schema that parseSchema() accepts', async () => {
    const { schema } = await inferSchema([
      ['ID', 'Instance ID', 'Zip', 'Tags', 'Specs'],
      ['1', 'i-1', '02139', 'a|b', '{"x":1}'],
    ]);
    expect(() => parseSchema(schema)).not.toThrow();
    expect(schema.otherColumns).toBe('infer');
  });

  it('fails on a bad header as ingestion would', async () => {
    await expect(inferSchema([['a', 'a']])).rejects.toMatchObject({ code: ErrorCode.CSV_DUPLICATE_HEADER });
    await expect(inferSchema([])).rejects.toThrow('the file is empty: it has no header');
  });
});

describe('suggestAttributeName()', () => {
  it.each([
    ['Instance ID', 'InstanceId'],
    ['Memory GiB', 'MemoryGiB'],
    ['price (usd)', 'PriceUsd'],
    ['zip-code', 'ZipCode'],
    ['  ', ''],
  ])('%j → %j', (column, name) => {
    expect(suggestAttributeName(column)).toBe(name);
  });
});

describe('detectDialect()', () => {
  const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));

  it.each([
    ['semicolon.csv', {}, { delimiter: ';' }],
    ['tabs.tsv', {}, { delimiter: '\t' }],
    ['tabs.tsv', { tsv: true }, {}],
    ['pipes.csv', {}, { delimiter: '|' }],
    ['multibyte.csv', {}, {}],
    ['bom-crlf.csv', {}, {}],
    ['windows-1252.csv', {}, { delimiter: ';', encoding: 'windows-1252' }],
    ['windows-1252-unassigned-byte.csv', {}, { delimiter: ';', encoding: 'latin1' }],
    ['latin1.csv', {}, { encoding: 'windows-1252' }],
    ['utf16le-bom.csv', {}, { encoding: 'utf-16le' }],
    ['utf16be-bom.csv', {}, { encoding: 'utf-16be' }],
  ])('proposes for %s (%j): %j', (name, options, csv) => {
    expect(detectDialect(fixture(name), options).csv).toEqual(csv);
  });

  it('ignores delimiters inside quotes, and a UTF-8 character cut off by the end of the sample', () => {
    const head = Buffer.from('"a,b,c";"d,e";ID\n1;2;ü');
    expect(detectDialect(head.subarray(0, head.length - 1))).toEqual({
      csv: { delimiter: ';' },
      reasons: ['the header line is `;`-separated'],
    });
  });

  it('puts the proposed dialect into the schema, which parseSchema accepts', async () => {
    const { schema } = await inferSchema([['ID'], ['1']], {
      csv: { delimiter: ';', encoding: 'windows-1252' },
    });
    expect(schema.csv).toEqual({ delimiter: ';', encoding: 'windows-1252' });
    expect(parseSchema(schema).csv).toEqual(schema.csv);
    expect((await inferSchema([['ID'], ['1']], { csv: {} })).schema).not.toHaveProperty('csv');
  });
});
