import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';

const fails = (input: unknown, origin?: string): string => {
  try {
    parseSchema(input, origin);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the schema to be invalid');
};

describe('parseSchema()', () => {
  it('reads the example of the SPEC, keeping the order of the columns', () => {
    const schema = parseSchema(readFileSync('examples/schema.json', 'utf8'));
    expect([...schema.columns.keys()]).toEqual([
      'Instance ID',
      'Instance Type',
      'vCPUs',
      'Memory GiB',
      'Zip',
      'Tags',
      'Specs',
      'Notes',
      'Region',
    ]);
    expect(schema.columns.get('vCPUs')).toEqual({ type: 'N', required: true });
    expect(schema.columns.get('Notes')).toEqual({ drop: true });
    expect(schema.otherColumns).toBe('infer');
    expect([...schema.add]).toEqual([
      ['source', '{bucket}/{key}'],
      ['ingestedAt', '{now}'],
      ['sourceRow', '{row}'],
    ]);
  });

  it('takes a parsed value as well as JSON text', () => {
    expect(parseSchema({ columns: { Zip: { type: 'S' } } }).columns.get('Zip')).toEqual({ type: 'S' });
  });

  it('reads a file that starts with a byte-order mark', () => {
    expect(parseSchema('\uFEFF{"otherColumns":"drop"}').otherColumns).toBe('drop');
  });

  it('fills in the defaults of an empty schema', () => {
    const schema = parseSchema('{}');
    expect(schema.columns.size).toBe(0);
    expect(schema.add.size).toBe(0);
    expect(schema.otherColumns).toBe('infer');
  });

  it.each([
    ['a delimiter and an encoding', { delimiter: ';', encoding: 'windows-1252' }],
    ['a tab', { delimiter: '\t' }],
    ['a pipe', { delimiter: '|' }],
    ['UTF-16BE alone', { encoding: 'utf-16be' }],
    ['Latin-1 alone', { encoding: 'latin1' }],
    ['an empty block', {}],
  ])('reads a csv block with %s, and nothing else', (_, csv) => {
    const schema = parseSchema({ csv });
    expect(schema.csv).toEqual(csv);
    expect(schema.columns.size).toBe(0);
    expect(schema.otherColumns).toBe('infer');
  });

  it('has no csv block when the schema sets none', () => {
    expect(parseSchema({}).csv).toBeUndefined();
  });

  it.each([
    [
      'a colon delimiter',
      { delimiter: ':' },
      'invalid schema: csv.delimiter must be one of ",", ";", "|", "\\t" (got ":")',
    ],
    [
      'a two-character delimiter',
      { delimiter: ';;' },
      'invalid schema: csv.delimiter must be one of ",", ";", "|", "\\t" (got ";;")',
    ],
    [
      'an unknown encoding',
      { encoding: 'ascii' },
      'invalid schema: csv.encoding must be one of "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1" (got "ascii")',
    ],
    [
      'an encoding in capitals',
      { encoding: 'UTF-8' },
      'invalid schema: csv.encoding must be one of "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1" (got "UTF-8")',
    ],
    [
      'a typo',
      { separator: ';' },
      'invalid schema: csv has unknown property "separator" (allowed: delimiter, encoding)',
    ],
    ['a string', ';', 'invalid schema: csv must be a JSON object (got ";")'],
  ])('rejects a csv block with %s, naming the problem', (_, csv, message) => {
    expect(fails({ csv })).toBe(message);
  });

  it('does not confuse a column named like an Object property with a listed one', () => {
    const schema = parseSchema({ columns: { Zip: {} } });
    expect(schema.columns.get('constructor')).toBeUndefined();
    expect(schema.columns.has('toString')).toBe(false);
  });

  it.each([
    ['a $schema pointer', { $schema: '../schema/csv2ddb-schema.json' }],
    [
      'every type',
      { columns: { a: { type: 'S' }, b: { type: 'N' }, c: { type: 'BOOL' }, d: { type: 'JSON' } } },
    ],
    [
      'sets with a separator',
      { columns: { a: { type: 'SS', separator: ', ' }, b: { type: 'NS', separator: ';' } } },
    ],
    ['drop: false beside other properties', { columns: { a: { drop: false, name: 'b' } } }],
    ['a default that fits N in any notation', { columns: { a: { type: 'N', default: '-1.5E3' } } }],
    ['a default that fits BOOL in any case', { columns: { a: { type: 'BOOL', default: 'YES' } } }],
    ['a default that fits JSON', { columns: { a: { type: 'JSON', default: '{"b":[1,2]}' } } }],
    ['literal braces in a template', { add: { a: 'x{y', b: '}{row}{', c: 'set {bucket}:{key} at {now}' } }],
    ['every otherColumns value', { otherColumns: 'reject' }],
  ])('accepts %s', (_, input) => {
    expect(() => parseSchema(input)).not.toThrow();
  });

  it.each([
    ['JSON that does not parse', 'nope', /^invalid schema: not valid JSON \(/],
    ['a list', [], 'invalid schema: the schema must be a JSON object (got a list)'],
    ['a string value', JSON.stringify('x'), 'invalid schema: the schema must be a JSON object (got "x")'],
    [
      'an unknown type',
      { columns: { vCPUs: { type: 'INT' } } },
      'invalid schema: columns."vCPUs".type must be one of S, N, BOOL, JSON, SS, NS (got "INT")',
    ],
    [
      'a typo in a column property',
      { columns: { vCPUs: { typ: 'N' } } },
      'invalid schema: columns."vCPUs" has unknown property "typ" (allowed: name, type, separator, required, default, drop)',
    ],
    [
      'a typo at the top level',
      { column: {} },
      'invalid schema: the schema has unknown property "column" (allowed: $schema, csv, columns, otherColumns, add, write)',
    ],
    [
      'an unknown otherColumns',
      { otherColumns: 'keep' },
      'invalid schema: otherColumns must be one of infer, string, drop, reject (got "keep")',
    ],
    [
      'a column that is not an object',
      { columns: { Zip: 'S' } },
      'invalid schema: columns."Zip" must be a JSON object (got "S")',
    ],
    [
      'required that is not a boolean',
      { columns: { Zip: { required: 'yes' } } },
      'invalid schema: columns."Zip".required must be true or false (got "yes")',
    ],
    [
      'a default that is not a string',
      { columns: { Zip: { default: 5 } } },
      'invalid schema: columns."Zip".default must be a string (got 5)',
    ],
    [
      'an empty default',
      { columns: { Zip: { default: '' } } },
      'invalid schema: columns."Zip".default must not be empty',
    ],
    [
      'an empty name',
      { columns: { Zip: { name: '' } } },
      'invalid schema: columns."Zip".name must not be empty',
    ],
    ['an empty column name', { columns: { '': {} } }, 'invalid schema: columns."" is an empty column name'],
    [
      'a column name with spaces around it',
      { columns: { ' Zip': {} } },
      'invalid schema: columns." Zip" must not start or end with spaces (header names are trimmed)',
    ],
    [
      'drop with other properties',
      { columns: { Notes: { drop: true, name: 'N', type: 'S' } } },
      'invalid schema: columns."Notes".drop cannot be combined with other properties (name, type)',
    ],
    [
      'a separator without a set type',
      { columns: { Tags: { separator: ',' } } },
      'invalid schema: columns."Tags".separator is only allowed with type SS or NS',
    ],
    [
      'a separator on an S column',
      { columns: { Tags: { type: 'S', separator: ',' } } },
      'invalid schema: columns."Tags".separator is only allowed with type SS or NS',
    ],
    [
      'an empty separator',
      { columns: { Tags: { type: 'SS', separator: '' } } },
      'invalid schema: columns."Tags".separator must not be empty',
    ],
    [
      'a default that is not a number',
      { columns: { vCPUs: { type: 'N', default: 'two' } } },
      'invalid schema: columns."vCPUs".default does not fit type N: "two" is not a number',
    ],
    [
      'a default beyond DynamoDB numbers',
      { columns: { vCPUs: { type: 'N', default: '1e126' } } },
      'invalid schema: columns."vCPUs".default does not fit type N: "1e126" is too large for DynamoDB (1E126 or more)',
    ],
    [
      'a default that is not a boolean',
      { columns: { On: { type: 'BOOL', default: 'maybe' } } },
      'invalid schema: columns."On".default does not fit type BOOL: "maybe" is not a boolean (true/false, 1/0 or yes/no)',
    ],
    [
      'a default that is not JSON',
      { columns: { Specs: { type: 'JSON', default: '{x' } } },
      /^invalid schema: columns."Specs".default does not fit type JSON: "\{x" is not valid JSON \(/,
    ],
    [
      'a default that is an empty set',
      { columns: { Tags: { type: 'SS', default: '||' } } },
      'invalid schema: columns."Tags".default does not fit type SS: it has no set member',
    ],
    [
      'a default with a member that is not a number',
      { columns: { Sizes: { type: 'NS', default: '1|x' } } },
      'invalid schema: columns."Sizes".default does not fit type NS: set member "x" is not a number',
    ],
    [
      'an unknown placeholder',
      { add: { source: '{bucket}/{file}' } },
      'invalid schema: add."source" has unknown placeholder "{file}" (use {bucket}, {key}, {row}, {now})',
    ],
    [
      'a placeholder with spaces',
      { add: { row: '{ row }' } },
      'invalid schema: add."row" has unknown placeholder "{ row }" (use {bucket}, {key}, {row}, {now})',
    ],
    [
      'empty braces',
      { add: { x: 'a{}b' } },
      'invalid schema: add."x" has unknown placeholder "{}" (use {bucket}, {key}, {row}, {now})',
    ],
    ['an empty template', { add: { x: '' } }, 'invalid schema: add."x" must not be empty'],
    [
      'a template that is not a string',
      { add: { x: 1 } },
      'invalid schema: add."x" must be a string (got 1)',
    ],
    [
      'an empty attribute name in add',
      { add: { '': '{row}' } },
      'invalid schema: add."" is an empty attribute name',
    ],
  ])('refuses %s', (_, input, message) => {
    if (typeof message === 'string') expect(fails(input)).toBe(message);
    else expect(fails(input)).toMatch(message);
  });

  it('names every problem at once', () => {
    expect(fails({ columns: { a: { type: 'X' }, b: { drop: true, name: 'c' } }, add: { d: '{e}' } })).toBe(
      'invalid schema: columns."a".type must be one of S, N, BOOL, JSON, SS, NS (got "X"); ' +
        'columns."b".drop cannot be combined with other properties (name); ' +
        'add."d" has unknown placeholder "{e}" (use {bucket}, {key}, {row}, {now})',
    );
  });

  it('says where the schema came from', () => {
    expect(fails('{"otherColumns":1}', 's3://source/schema.json')).toBe(
      'invalid schema (s3://source/schema.json): otherColumns must be one of infer, string, drop, reject (got 1)',
    );
  });
});
