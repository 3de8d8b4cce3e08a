import { describe, expect, it } from 'vitest';
import { createDryRunSend } from '../../../src/core/dry-run-send.ts';
import { ItemRefusedError } from '../../../src/core/errors.ts';
import type { Item } from '../../../src/core/item.ts';

const send = createDryRunSend({ partition: { name: 'ID', type: 'N' }, sort: { name: 'At', type: 'S' } });
const key = { ID: { N: '1' }, At: { S: '2024' } };

describe('createDryRunSend()', () => {
  it('writes nothing and counts the write units a put of each item would consume', async () => {
    const big: Item = { ...key, Text: { S: 'x'.repeat(1500) } };
    expect(await send([key, big])).toEqual({ unprocessed: [], consumedCapacity: 3 });
  });

  it.each<[string, Item, string]>([
    ['a missing sort key', { ID: { N: '1' } }, 'Missing the key At'],
    ['a key of the wrong type', { ID: { S: '1' }, At: { S: 'x' } }, 'Type mismatch for key ID expected: N'],
    ['an empty string key', { ID: { N: '1' }, At: { S: '' } }, 'sort key attribute At is empty'],
    [
      'a number DynamoDB cannot store',
      { ...key, N: { N: '1e200' } },
      '"1e200" is not a number DynamoDB stores',
    ],
    ['an empty set', { ...key, Tags: { SS: [] } }, 'may not be empty (Tags)'],
    ['a set with a repeated member', { ...key, Tags: { SS: ['a', 'a'] } }, 'contains duplicates (Tags)'],
    [
      'numbers equal by value in a set',
      { ...key, Sizes: { NS: ['7', '007'] } },
      'contains duplicates (Sizes)',
    ],
    [
      'a bad number inside a map',
      { ...key, M: { M: { a: { L: [{ N: 'x' }] } } } },
      '"x" is not a number DynamoDB stores (M.a[0])',
    ],
    [
      'an empty name inside a map',
      { ...key, M: { M: { '': { S: 'x' } } } },
      'attribute "M" holds an empty attribute name',
    ],
    ['an item over 400 KB', { ...key, Text: { S: 'x'.repeat(400 * 1024) } }, 'Item size has exceeded'],
  ])('refuses %s as DynamoDB would (ItemRefusedError)', async (_name, item, message) => {
    const refusal = send([key, item]);
    await expect(refusal).rejects.toBeInstanceOf(ItemRefusedError);
    await expect(refusal).rejects.toThrow(message);
  });
});
