import { describe, expect, it } from 'vitest';
import { ErrorCode, FileError, RowError } from '../../../src/core/errors.ts';
import { toItem } from '../../../src/core/to-item.ts';
import { itemOf, plan, thrown } from './compile-helpers.ts';

describe('compileSchemaPlan() and toItem()', () => {
  describe('required and default', () => {
    it('fails a file whose header lacks a required column', () => {
      const schema = { columns: { vCPUs: { required: true }, Zip: { required: true }, Notes: {} } };
      const error = thrown(() => plan(['ID', 'Notes'], schema));
      expect(error).toBeInstanceOf(FileError);
      expect(error).toMatchObject({
        code: ErrorCode.CSV_MISSING_REQUIRED_COLUMN,
        message: 'header has no column "vCPUs", "Zip", which the schema requires',
      });
    });

    it('fills an empty field with the default, before required is checked', () => {
      const schema = {
        columns: { Region: { default: 'eu-west-1', required: true }, n: { type: 'N', default: '0' } },
      };
      expect(itemOf(['ID', 'Region', 'n'], schema, ['1', '', ''])).toEqual({
        ID: { N: '1' },
        Region: { S: 'eu-west-1' },
        n: { N: '0' },
      });
    });

    it('rejects a row whose required field is empty', () => {
      const error = thrown(() => itemOf(['ID', 'a'], { columns: { a: { required: true } } }, ['1', '']));
      expect(error).toBeInstanceOf(RowError);
      expect(error).toMatchObject({
        code: ErrorCode.VALUE_REQUIRED,
        message: 'column "a": a value is required',
      });
    });

    it('leaves an empty field out when nothing requires it', () => {
      expect(itemOf(['ID', 'a'], { columns: { a: { type: 'N' } } }, ['1', ''])).toEqual({ ID: { N: '1' } });
    });
  });

  describe('type', () => {
    it.each([
      ['N', 'x', 'column "c": "x" is not a number'],
      ['BOOL', 'x', 'column "c": "x" is not a boolean (true/false, 1/0 or yes/no)'],
      ['JSON', '{', 'column "c": "{" is not valid JSON'],
      ['NS', '1|x', 'column "c": set member "x" is not a number'],
    ])('%s rejects the row %j, naming the column', (type, text, message) => {
      const error = thrown(() => itemOf(['ID', 'c'], { columns: { c: { type } } }, ['1', text]));
      expect(error).toBeInstanceOf(RowError);
      expect(error).toMatchObject({ code: ErrorCode.VALUE_INVALID, context: { column: 'c' } });
      expect((error as Error).message.startsWith(message)).toBe(true);
    });

    it('leaves an empty set out', () => {
      expect(itemOf(['ID', 'Tags'], { columns: { Tags: { type: 'SS' } } }, ['1', '||'])).toEqual({
        ID: { N: '1' },
      });
    });

    it.each([
      ['{"":1}', 'attribute "Specs": holds an empty attribute name'],
      ['{"a":{"":1}}', 'attribute "Specs.a": holds an empty attribute name'],
    ])('refuses JSON %s, which DynamoDB would refuse', (json, message) => {
      expect(
        thrown(() => itemOf(['ID', 'Specs'], { columns: { Specs: { type: 'JSON' } } }, ['1', json])),
      ).toMatchObject({
        code: ErrorCode.ITEM_REFUSED,
        message,
      });
    });

    it('keeps a number column exact, in the notation given', () => {
      expect(
        itemOf(['ID', 'n'], { columns: { n: { type: 'N' } } }, ['1', '12345678901234567890.000001E-3']),
      ).toEqual({
        ID: { N: '1' },
        n: { N: '12345678901234567890.000001E-3' },
      });
    });
  });

  describe('drop', () => {
    it('leaves the column out', () => {
      expect(
        itemOf(['ID', 'Notes', 'a'], { columns: { Notes: { drop: true } } }, ['1', 'secret', 'x']),
      ).toEqual({
        ID: { N: '1' },
        a: { S: 'x' },
      });
    });
  });

  describe('add', () => {
    it.each([
      ['{row}', { N: '7' }],
      ['row {row}', { S: 'row 7' }],
      ['{row}{row}', { S: '77' }],
      ['{bucket}/{key}', { S: 'source/incoming/ec2.csv' }],
      ['{now}', { S: '2024-05-01T12:00:00.000Z' }],
      ['s3://{bucket}/{key}#{row} {x', { S: 's3://source/incoming/ec2.csv#7 {x' }],
      ['v1', { S: 'v1' }],
    ])('%j gives %j', (template, value) => {
      expect(itemOf(['ID'], { add: { extra: template } }, ['1'])).toEqual({ ID: { N: '1' }, extra: value });
    });

    it('gives each row its own number', () => {
      const built = plan(['ID'], { add: { row: '{row}', label: 'row {row}' } });
      expect(toItem(built, ['1'], 1).item).toMatchObject({ row: { N: '1' }, label: { S: 'row 1' } });
      expect(toItem(built, ['2'], 2).item).toMatchObject({ row: { N: '2' }, label: { S: 'row 2' } });
    });
  });

  describe('JSON nesting', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const jsonPlan = plan(['ID', 'J'], { columns: { J: { type: 'JSON' } } });

    // DynamoDB Local stores 31 lists one inside another and refuses 32: the item is level 1 of 32.
    it('writes a value of 31 nested lists (32 levels with the item)', () => {
      expect(toItem(jsonPlan, ['1', nested(31)], 1).item.J).toBeDefined();
    });

    it.each([
      ['32 nested lists', nested(32)],
      ['31 nested lists in an object', `{"a":${nested(31)}}`],
      ['32 nested objects', `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`],
      ['32 nested lists, the innermost empty', `${'['.repeat(32)}${']'.repeat(32)}`],
    ])('rejects a row of %s, naming the attribute', (_what, text) => {
      const error = thrown(() => toItem(jsonPlan, ['2', text], 2));
      expect(error).toBeInstanceOf(RowError);
      expect((error as RowError).code).toBe(ErrorCode.VALUE_INVALID);
      expect((error as RowError).message).toMatch(/"J".*nests more than 31 maps and lists/);
    });
  });

  it.each([
    ['SS', 'a;b|c;a', { SS: ['a', 'b|c'] }],
    ['NS', '1;01;2', { NS: ['1', '2'] }],
  ])('splits a %s column on its own separator', (type, text, expected) => {
    const item = itemOf(['ID', 'T'], { columns: { T: { type, separator: ';' } } }, ['1', text]);
    expect(item.T).toEqual(expected);
  });
});
