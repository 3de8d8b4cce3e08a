import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';

const jsonSchema = JSON.parse(readFileSync('schema/csv2ddb-schema.json', 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(jsonSchema);

const zodAccepts = (value: unknown): boolean => {
  try {
    parseSchema(value);
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
};

const examples = [
  'examples/schema.json',
  ...readdirSync('test/fixtures/schema')
    .filter((name) => name.endsWith('.json'))
    .map((name) => `test/fixtures/schema/${name}`),
];

describe('schema/csv2ddb-schema.json', () => {
  it.each(examples)('accepts %s, as parseSchema() does', (path) => {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    expect(zodAccepts(value)).toBe(true);
  });

  it.each([
    ['an empty schema', {}, true],
    ['the SPEC example', JSON.parse(readFileSync('examples/schema.json', 'utf8')), true],
    ['a $schema pointer', { $schema: './csv2ddb-schema.json' }, true],
    ['every otherColumns value', { otherColumns: 'reject' }, true],
    ['an SS column with a separator', { columns: { a: { type: 'NS', separator: ';' } } }, true],
    ['drop: false with other properties', { columns: { a: { drop: false, name: 'b' } } }, true],
    ['N defaults in any notation', { columns: { a: { type: 'N', default: '-.5e-3' } } }, true],
    ['BOOL defaults in any case', { columns: { a: { type: 'BOOL', default: 'No' } } }, true],
    ['literal braces in templates', { add: { a: '{ x', b: 'x }', c: '}{row}{' } }, true],
    ['every placeholder', { add: { a: '{bucket}{key}{row}{now}' } }, true],
    ['a csv block alone', { csv: { delimiter: ';', encoding: 'windows-1252' } }, true],
    ['a tab delimiter', { csv: { delimiter: '\t' } }, true],
    ['every encoding', { csv: { encoding: 'utf-16be' } }, true],
    ['latin1', { csv: { encoding: 'latin1' } }, true],
    ['an empty csv block', { csv: {} }, true],
    ['an unknown delimiter', { csv: { delimiter: ':' } }, false],
    ['an unknown encoding', { csv: { encoding: 'ascii' } }, false],
    ['an unknown csv property', { csv: { quote: "'" } }, false],
    ['a csv block that is a string', { csv: ';' }, false],
    ['a non-object', [], false],
    ['an unknown top-level property', { column: {} }, false],
    ['an unknown column property', { columns: { a: { typ: 'N' } } }, false],
    ['an unknown type', { columns: { a: { type: 'INT' } } }, false],
    ['an unknown otherColumns', { otherColumns: 'keep' }, false],
    ['a column that is not an object', { columns: { a: 'S' } }, false],
    ['required as a string', { columns: { a: { required: 'yes' } } }, false],
    ['a default that is a number', { columns: { a: { default: 5 } } }, false],
    ['an empty default', { columns: { a: { default: '' } } }, false],
    ['an empty name', { columns: { a: { name: '' } } }, false],
    ['an empty column name', { columns: { '': {} } }, false],
    ['a column name with spaces around it', { columns: { 'a ': {} } }, false],
    ['drop with other properties', { columns: { a: { drop: true, type: 'S' } } }, false],
    ['a separator without a type', { columns: { a: { separator: ',' } } }, false],
    ['a separator on an S column', { columns: { a: { type: 'S', separator: ',' } } }, false],
    ['an empty separator', { columns: { a: { type: 'SS', separator: '' } } }, false],
    ['an N default that is no number', { columns: { a: { type: 'N', default: 'two' } } }, false],
    ['a BOOL default that is no boolean', { columns: { a: { type: 'BOOL', default: 'maybe' } } }, false],
    ['an unknown placeholder', { add: { a: '{file}' } }, false],
    ['empty braces', { add: { a: '{}' } }, false],
    ['an empty template', { add: { a: '' } }, false],
    ['an empty attribute name in add', { add: { '': 'x' } }, false],
    ['a write block alone', { write: { mode: 'upsert', condition: 'newer', version: 'v', op: '_op' } }, true],
    ['an empty write block', { write: {} }, true],
    ['an unknown mode', { write: { mode: 'merge' } }, false],
    ['newer without a version', { write: { condition: 'newer' } }, false],
    ['absent with delete', { write: { mode: 'delete', condition: 'absent' } }, false],
    ['an unknown write property', { write: { modes: 'put' } }, false],
  ])('agrees with parseSchema() on %s', (_, value, valid) => {
    expect(validate(value)).toBe(valid);
    expect(zodAccepts(value)).toBe(valid);
  });

  // What a JSON Schema cannot express: parsing a JSON default, DynamoDB's number limits, empty sets.
  it.each([
    ['a JSON default that does not parse', { columns: { a: { type: 'JSON', default: '{' } } }],
    ['an N default beyond DynamoDB', { columns: { a: { type: 'N', default: '1e200' } } }],
    ['an SS default with no member', { columns: { a: { type: 'SS', default: '|' } } }],
    ['an NS default with a text member', { columns: { a: { type: 'NS', default: '1|x' } } }],
  ])('leaves %s to parseSchema()', (_, value) => {
    expect(validate(value)).toBe(true);
    expect(zodAccepts(value)).toBe(false);
  });
});
