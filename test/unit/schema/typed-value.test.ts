import { describe, expect, it } from 'vitest';
import { ErrorCode, RowError } from '../../../src/core/errors.ts';
import { readTyped, typedConverter } from '../../../src/core/schema/typed-value.ts';

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('readTyped()', () => {
  it.each([
    ['S', '007', { S: '007' }],
    ['S', ' 42 ', { S: ' 42 ' }],
    ['N', '42', { N: '42' }],
    ['N', '007', { N: '007' }],
    ['N', '-1.5E3', { N: '-1.5E3' }],
    ['N', '.5', { N: '.5' }],
    ['N', '+5', { N: '5' }],
    ['N', '+.5e3', { N: '.5e3' }],
    ['N', '5.', { N: '5.' }],
    ['N', '1E+5', { N: '1E+5' }],
    ['N', '12345678901234567890123456789012345678', { N: '12345678901234567890123456789012345678' }],
    ['N', '1e-130', { N: '1e-130' }],
    ['BOOL', 'true', { BOOL: true }],
    ['BOOL', 'FALSE', { BOOL: false }],
    ['BOOL', '1', { BOOL: true }],
    ['BOOL', '0', { BOOL: false }],
    ['BOOL', 'Yes', { BOOL: true }],
    ['BOOL', 'no', { BOOL: false }],
    ['JSON', '{"a":1}', { M: { a: { N: '1' } } }],
    ['JSON', '[1,"x",true,null]', { L: [{ N: '1' }, { S: 'x' }, { BOOL: true }, { NULL: true }] }],
    ['JSON', '12345678901234567890.5', { N: '12345678901234567890.5' }],
    [
      'JSON',
      '{"big":12345678901234567890123,"e":1E+5}',
      { M: { big: { N: '12345678901234567890123' }, e: { N: '1E+5' } } },
    ],
    ['JSON', '"text"', { S: 'text' }],
    ['JSON', 'null', { NULL: true }],
    ['JSON', '{}', { M: {} }],
    ['JSON', '{"a":1,"a":2}', { M: { a: { N: '2' } } }],
    ['JSON', nested(31), expect.objectContaining({ L: expect.any(Array) })],
    ['SS', 'web|prod', { SS: ['web', 'prod'] }],
    ['SS', '|web||prod|web|', { SS: ['web', 'prod'] }],
    ['SS', 'a b| c', { SS: ['a b', ' c'] }],
    ['NS', '1|2|3', { NS: ['1', '2', '3'] }],
    ['NS', '7|007|7.0|8', { NS: ['7', '8'] }],
    ['NS', '1e2|100|-0|0', { NS: ['1e2', '-0'] }],
    ['NS', '+5|5|+6', { NS: ['5', '6'] }],
  ] as const)('reads %s %j', (type, text, value) => {
    expect(readTyped(type, text)).toEqual({ value });
  });

  it('keeps the digits of a JSON number that a JavaScript number would round', () => {
    const outcome = readTyped('JSON', '{"n":0.1000000000000000055511151231257827}');
    expect(outcome).toEqual({ value: { M: { n: { N: '0.1000000000000000055511151231257827' } } } });
  });

  it('makes a JSON "__proto__" key an attribute, not a prototype', () => {
    const outcome = readTyped('JSON', '{"__proto__":{"polluted":true}}');
    expect(
      'value' in outcome && outcome.value && 'M' in outcome.value && Object.keys(outcome.value.M),
    ).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['SS', 'a, b, , c,d', ', ', { SS: ['a', 'b', 'c,d'] }],
    ['NS', '1;2;;1', ';', { NS: ['1', '2'] }],
  ] as const)('splits %s %j on %j', (type, text, separator, value) => {
    expect(readTyped(type, text, separator)).toEqual({ value });
  });

  it.each([
    ['SS', '|||'],
    ['NS', '|'],
  ] as const)('gives no value for the empty set %s %j', (type, text) => {
    expect(readTyped(type, text)).toEqual({ value: undefined });
  });

  it.each([
    ['N', 'two', '"two" is not a number'],
    ['N', '+-5', '"+-5" is not a number'],
    ['N', ' 42', '" 42" is not a number'],
    ['N', '1,000', '"1,000" is not a number'],
    ['N', 'NaN', '"NaN" is not a number'],
    ['N', '1e126', '"1e126" is too large for DynamoDB (1E126 or more)'],
    ['N', '1e-131', '"1e-131" is too small for DynamoDB (below 1E-130)'],
    [
      'N',
      '123456789012345678901234567890123456789',
      '"123456789012345678901234567890123456789" has more than 38 significant digits',
    ],
    [
      'N',
      '12345678901234567890123456789012345678901234567890',
      '"1234567890123456789012345678901234567890…" has more than 38 significant digits',
    ],
    ['BOOL', 'maybe', '"maybe" is not a boolean (true/false, 1/0 or yes/no)'],
    ['BOOL', 'y', '"y" is not a boolean (true/false, 1/0 or yes/no)'],
    ['BOOL', 'constructor', '"constructor" is not a boolean (true/false, 1/0 or yes/no)'],
    ['JSON', '{"a":1e400}', 'JSON number 1e400 is too large for DynamoDB (1E126 or more)'],
    [
      'JSON',
      '[123456789012345678901234567890123456789]',
      'JSON number 123456789012345678901234567890123456789 has more than 38 significant digits',
    ],
    [
      'JSON',
      nested(32),
      'JSON nests more than 31 maps and lists (DynamoDB allows 32 levels, the item being the first)',
    ],
    [
      'JSON',
      `{"a":${nested(31)}}`,
      'JSON nests more than 31 maps and lists (DynamoDB allows 32 levels, the item being the first)',
    ],
    ['NS', '1|x|2', 'set member "x" is not a number'],
    ['NS', '1| 2', 'set member " 2" is not a number'],
  ] as const)('refuses %s %j: %s', (type, text, problem) => {
    expect(readTyped(type, text)).toEqual({ problem });
  });

  it.each(['{x', '{"a":1', "{'a':1}", '[1,]', 'abc', '{"a":NaN}'])(
    'refuses %j as JSON, naming the parse error',
    (text) => {
      const outcome = readTyped('JSON', text);
      expect('problem' in outcome && outcome.problem).toMatch(/^".*" is not valid JSON \(.+\)$/);
    },
  );

  it('refuses JSON too deep for the parser without overflowing the stack', () => {
    const outcome = readTyped('JSON', nested(200_000));
    expect('problem' in outcome && outcome.problem).toMatch(
      /is not valid JSON \(it is nested too deeply\)|nests more than 31/,
    );
  });
});

describe('typedConverter()', () => {
  it('rejects the row with VALUE_INVALID, naming the column', () => {
    const convert = typedConverter('vCPUs', 'N');
    expect(convert('4')).toEqual({ N: '4' });
    let caught: unknown;
    try {
      convert('four');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RowError);
    expect(caught).toMatchObject({
      code: ErrorCode.VALUE_INVALID,
      message: 'column "vCPUs": "four" is not a number',
      context: { column: 'vCPUs' },
    });
  });

  it('uses the column separator', () => {
    expect(typedConverter('Tags', 'SS', ';')('a;b|c')).toEqual({ SS: ['a', 'b|c'] });
  });
});
