import { describe, expect, it } from 'vitest';
import { compileDefaultPlan } from '../../../src/core/item-plan.ts';
import { type KeySchema, keyIdOf } from '../../../src/core/key-schema.ts';
import { toItem } from '../../../src/core/to-item.ts';

const STRING_PAIR: KeySchema = { partition: { name: 'PK', type: 'S' }, sort: { name: 'SK', type: 'S' } };
const MIXED_PAIR: KeySchema = { partition: { name: 'PK', type: 'S' }, sort: { name: 'SK', type: 'N' } };

const build = (keySchema: KeySchema, partition: string, sort: string) =>
  toItem(compileDefaultPlan(['PK', 'SK'], keySchema, 'string'), [partition, sort], 1);

describe('key identity', () => {
  // Two different keys with one id: the writer would keep only the later row of a batch and count both as written.
  it.each([
    ['a NUL and type letter moved from sort to partition', STRING_PAIR, ['x', '\u0000Sy'], ['x\u0000S', 'y']],
    ['an S sort that looks like an N one', MIXED_PAIR, ['x\u0000N1', '2'], ['x', '12']],
    ['a partition that ends where the sort begins', STRING_PAIR, ['ab', 'c'], ['a', 'bc']],
  ])('keeps keys apart: %s', (_what, keySchema, [p1, s1], [p2, s2]) => {
    const first = build(keySchema, p1 as string, s1 as string);
    const second = build(keySchema, p2 as string, s2 as string);
    expect(first.item).not.toEqual(second.item);
    expect(first.keyId).not.toBe(second.keyId);
    expect(keyIdOf(first.item, keySchema)).not.toBe(keyIdOf(second.item, keySchema));
  });

  it.each([
    ['S+S', STRING_PAIR, ['x\u0000S', 'y']],
    ['S+N', MIXED_PAIR, ['a', '007.50']],
  ])('is the same from the fields and from the item (%s)', (_what, keySchema, [partition, sort]) => {
    const built = build(keySchema, partition as string, sort as string);
    expect(keyIdOf(built.item, keySchema)).toBe(built.keyId);
  });
});
