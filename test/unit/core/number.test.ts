import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeNumberProblem, isInferredNumber, parseDynamoNumber } from '../../../src/core/number.ts';

const digits = (count: number, digit = '1') => digit.repeat(count);
const zeros = (count: number) => '0'.repeat(count);

describe('isInferredNumber()', () => {
  it.each([
    ['zero', '0'],
    ['an integer', '7'],
    ['a negative integer', '-7'],
    ['a decimal', '3.14'],
    ['a negative decimal', '-0.5'],
    ['a decimal with a trailing zero', '1.50'],
    ['minus zero', '-0'],
    ['zero with decimals', '0.000'],
    ['an integer beyond 2^53', '12345678901234567890'],
    ['38 significant digits', digits(38)],
    ['38 significant digits after leading zeros', `0.${zeros(50)}${digits(38)}`],
    ['38 significant digits before trailing zeros', `${digits(38)}${zeros(10)}`],
    ['38 significant digits before trailing decimal zeros', `${digits(38)}.${zeros(5)}`],
    ['1E125', `1${zeros(125)}`],
    ['the largest magnitude below 1E126', `${digits(38, '9')}${zeros(88)}`],
    ['1E-130', `0.${zeros(129)}1`],
    ['-1E-130', `-0.${zeros(129)}1`],
  ])('makes %s a number', (_what, text) => {
    expect(isInferredNumber(text)).toBe(true);
  });

  it.each([
    ['a negative number of magnitude 1E126', `-1${'0'.repeat(126)}`],
    ['a leading zero', '007'],
    ['two zeros', '00'],
    ['a negative with a leading zero', '-007'],
    ['exponent notation', '1e5'],
    ['upper-case exponent notation', '1E5'],
    ['a plus sign', '+5'],
    ['no digit before the point', '.5'],
    ['no digit after the point', '5.'],
    ['a thousands separator', '1,000'],
    ['a leading space', ' 42'],
    ['a trailing space', '42 '],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['a lone minus', '-'],
    ['hexadecimal', '0x1F'],
    ['an underscore separator', '1_000'],
    ['two points', '1.2.3'],
    ['non-ASCII digits', '٤٢'],
    ['a trailing newline', '42\n'],
    ['39 significant digits', digits(39)],
    ['39 significant digits with zeros inside', `1${zeros(37)}1`],
    ['1E126', `1${zeros(126)}`],
    ['1E-131', `0.${zeros(130)}1`],
  ])('keeps %s a string', (_what, text) => {
    expect(isInferredNumber(text)).toBe(false);
  });
});

describe('parseDynamoNumber()', () => {
  it.each(['7', '007', '7.0', '7.', '70e-1', '0.7E1', '0.07e+2', '7e0', '+7'])(
    'gives %s the canonical spelling of 7',
    (text) => {
      expect(parseDynamoNumber(text)).toMatchObject({ canonical: '7e0' });
    },
  );

  it.each(['0', '-0', '+0', '0.000', '00', '0e99999', '-0.0e-5'])(
    'gives %s the canonical spelling of zero',
    (text) => {
      expect(parseDynamoNumber(text)).toMatchObject({ canonical: '0' });
    },
  );

  it.each([
    ['an integer beyond 2^53', '12345678901234567890', '1234567890123456789e19'],
    ['a negative decimal', '-1.5', '-15e0'],
    ['a decimal without a leading digit', '.5', '5e-1'],
    ['the smallest magnitude', '1E-130', '1e-130'],
    ['the largest magnitude', `9.${digits(37, '9')}E125`, `${digits(38, '9')}e125`],
  ])('accepts %s exactly', (_what, text, canonical) => {
    expect(parseDynamoNumber(text)).toEqual({ canonical, text });
  });

  // Each of these went to DynamoDB Local 3.3.0 in a PutItem: the first table it stored, the second
  // it refused ("A value provided cannot be converted into a number").
  it.each([
    ['+5', '5'],
    ['+.5', '.5'],
    ['+5.', '5.'],
    ['+0', '0'],
    ['5.', '5.'],
    ['.5', '.5'],
    ['-.5', '-.5'],
    ['-5.', '-5.'],
    ['1e5', '1e5'],
    ['1E+5', '1E+5'],
    ['+1E+5', '1E+5'],
    ['5.e3', '5.e3'],
    ['.5e3', '.5e3'],
    ['007', '007'],
    ['00', '00'],
    [`${zeros(42)}1`, `${zeros(42)}1`],
  ])('accepts %j, as DynamoDB does, and sends it as %j', (text, sent) => {
    expect(parseDynamoNumber(text)).toMatchObject({ text: sent });
  });

  it.each([
    ' 5',
    '5 ',
    '\t5',
    '5\n',
    '0x10',
    '1_000',
    '1,5',
    '.',
    '+',
    '-',
    '',
    '+-5',
    '--5',
    '1e',
    'e5',
    '5e+',
    '1.2.3',
  ])('refuses %j, as DynamoDB does', (text) => {
    expect(parseDynamoNumber(text)).toBe('not-a-number');
  });

  it.each([
    ['abc', 'abc', 'not-a-number'],
    ['the empty string', '', 'not-a-number'],
    ['a plus sign alone', '+', 'not-a-number'],
    ['" 5"', ' 5', 'not-a-number'],
    ['NaN', 'NaN', 'not-a-number'],
    ['Infinity', 'Infinity', 'not-a-number'],
    ['1e', '1e', 'not-a-number'],
    ['1,5', '1,5', 'not-a-number'],
    ['39 significant digits', digits(39), 'too-many-digits'],
    ['1E126', '1E126', 'too-large'],
    ['-1E126', '-1E126', 'too-large'],
    ['an exponent of 400 digits', `1e${'9'.repeat(400)}`, 'too-large'],
    ['1E-131', '1E-131', 'too-small'],
    ['0.9E-130', '0.9E-130', 'too-small'],
    ['+1E126', '+1E126', 'too-large'],
    ['a negative exponent of 400 digits', `1e-${'9'.repeat(400)}`, 'too-small'],
  ])('refuses %s as %s', (_what, text, problem) => {
    expect(parseDynamoNumber(text)).toBe(problem);
  });
});

describe('isInferredNumber() on short texts', () => {
  it('agrees with the full check on every plain decimal, short or long', () => {
    const plainDecimal = fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,60}$/)),
        fc.option(fc.stringMatching(/^[0-9]{1,140}$/), { nil: undefined }),
      )
      .map(([minus, whole, fraction]) => `${minus ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
    fc.assert(
      fc.property(plainDecimal, (text) => {
        expect(isInferredNumber(text)).toBe(typeof parseDynamoNumber(text) !== 'string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('describeNumberProblem()', () => {
  it.each([
    ['not-a-number', 'is not a number'],
    ['too-many-digits', 'has more than 38 significant digits'],
    ['too-large', 'is too large for DynamoDB (1E126 or more)'],
    ['too-small', 'is too small for DynamoDB (below 1E-130)'],
  ] as const)('describes %s', (problem, message) => {
    expect(describeNumberProblem(problem)).toBe(message);
  });
});
