import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findEmptyName, itemSize, nestingDepth, valueSize } from '../../../src/core/item.ts';

/** DynamoDB's rule for a number's size, written plainly: significant digits, leading and trailing zeros trimmed. */
const referenceNumberSize = (text: string): number => {
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (text.startsWith('-') ? 1 : 0);
};

describe('valueSize()', () => {
  it.each([
    ['0', 2],
    ['-0', 3],
    ['7', 2],
    ['12', 2],
    ['123', 3],
    ['-12.50', 4],
    ['0.000123', 3],
    ['1200', 2],
    ['1.5E+300', 2],
    ['10203', 4],
  ])('sizes the number %s at %i bytes', (text, size) => {
    expect(valueSize({ N: text })).toBe(size);
  });

  it('sizes every number as the published rule does', () => {
    const number = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,40}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,40}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[eE][+-]?[0-9]{1,3}$/), { nil: undefined }),
      )
      .map(([minus, whole, fraction, exponent]) =>
        [minus ? '-' : '', whole, fraction === undefined ? '' : `.${fraction}`, exponent ?? ''].join(''),
      );
    fc.assert(
      fc.property(number, (text) => {
        expect(valueSize({ N: text })).toBe(referenceNumberSize(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('sizes sets, lists and maps with their overheads', () => {
    expect(valueSize({ NS: ['1', '-100'] })).toBe(2 + 3);
    expect(valueSize({ L: [{ S: 'ab' }, { BOOL: true }] })).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueSize({ M: { é: { N: '5' } } })).toBe(3 + 1 + 2 + 2);
  });
});

describe('itemSize()', () => {
  it('adds attribute names in UTF-8 to their values', () => {
    expect(itemSize({ ID: { N: '42' }, naïve: { S: 'ü' }, b: { B: new Uint8Array(3) } })).toBe(
      2 + 2 + (6 + 2) + (1 + 3),
    );
  });
});

describe('nestingDepth() and findEmptyName()', () => {
  it('measure lists and maps of any length (a JSON column of 200 000 members is a legal item)', () => {
    const members = Array.from({ length: 200_000 }, (_, index) => ({ N: String(index % 10) }));
    const list = { L: [...members, { L: [{ M: { a: { S: 'x' } } }] }] };
    const map = { M: Object.fromEntries(members.map((member, index) => [`k${index}`, member])) };
    expect(nestingDepth(list)).toBe(3);
    expect(nestingDepth(map)).toBe(1);
    expect(findEmptyName(list, 'big')).toBeUndefined();
    expect(findEmptyName({ L: [...members, { M: { '': { S: 'x' } } }] }, 'big')).toBe('big[200000]');
  });
});
