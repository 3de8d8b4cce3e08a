import { describe, expect, it } from 'vitest';
import { decodeItem } from '../../src/aws/decode-item.ts';

describe('decodeItem()', () => {
  it('keeps an attribute named __proto__ (an item sent back as unprocessed, issue 11)', () => {
    const item = decodeItem(
      JSON.parse('{"ID":{"N":"1"},"__proto__":{"S":"x"},"M":{"M":{"__proto__":{"N":"2"}}}}'),
    );
    expect(Object.hasOwn(item, '__proto__')).toBe(true);
    expect(JSON.stringify(item)).toBe(
      '{"ID":{"N":"1"},"__proto__":{"S":"x"},"M":{"M":{"__proto__":{"N":"2"}}}}',
    );
  });
});
