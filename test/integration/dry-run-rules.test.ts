import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch } from '../../src/aws/dynamodb-table.ts';
import { createDryRunSend } from '../../src/core/dry-run-send.ts';
import type { Item } from '../../src/core/item.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers, TEST_DYNAMODB } from '../support/servers.ts';

/**
 * `ingest --dry-run` refuses what DynamoDB refuses: each item here is sent for real and to the dry-run
 * writer, and both must agree. With CSV2DDB_TEST_DYNAMODB=dynamodb-local this holds the dry run to
 * Amazon's rules; dynalite accepts some of what DynamoDB refuses, so there only what it refuses is held.
 */

let servers: LocalServers;
beforeAll(async () => {
  servers = await startTestServers();
  await createTable(servers.dynamodb, 'dry-rules', { name: 'K', type: 'N' });
});
afterAll(() => servers.close());

const key = { K: { N: '1' } };
// What DynamoDB does with each: the dry run must say the same.
const cases: [string, Item, 'written' | 'refused'][] = [
  [
    'every type',
    {
      ...key,
      s: { S: 'x' },
      e: { S: '' },
      b: { BOOL: false },
      z: { NULL: true },
      m: { M: { a: { L: [{ N: '1' }] } } },
      ss: { SS: ['a'] },
      ns: { NS: ['1', '2'] },
    },
    'written',
  ],
  ['a missing key', { s: { S: 'x' } }, 'refused'],
  ['a key of the wrong type', { K: { S: '1' } }, 'refused'],
  ['a number DynamoDB cannot store', { ...key, n: { N: '1e200' } }, 'refused'],
  [
    'a number with 39 significant digits',
    { ...key, n: { N: '123456789012345678901234567890123456789' } },
    'refused',
  ],
  ['an empty string set', { ...key, ss: { SS: [] } }, 'refused'],
  ['a string set with a repeated member', { ...key, ss: { SS: ['a', 'a'] } }, 'refused'],
  ['a number set with numbers equal by value', { ...key, ns: { NS: ['7', '7.0'] } }, 'refused'],
  ['a bad number in a list', { ...key, l: { L: [{ N: 'x' }] } }, 'refused'],
  ['an empty name in a map', { ...key, m: { M: { '': { S: 'x' } } } }, 'refused'],
  ['an item over 400 KB', { ...key, s: { S: 'x'.repeat(400 * 1024) } }, 'refused'],
];

const verdict = (send: (items: readonly Item[]) => Promise<unknown>, item: Item) =>
  send([item]).then(
    () => 'written',
    (error: Error) =>
      error.name === 'ItemRefusedError' ? 'refused' : `failed: ${error.name} ${error.message}`,
  );

describe(`ingest --dry-run's item rules, against ${TEST_DYNAMODB}`, () => {
  it.each(cases)('agrees with DynamoDB on %s', async (_name, item, expected) => {
    const client = createDynamoDBClient({
      endpoint: servers.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const real = await verdict(createSendBatch(client, 'dry-rules', { path: 'lean' }), item);
    const dry = await verdict(createDryRunSend({ partition: { name: 'K', type: 'N' } }), item);
    expect(dry).toBe(expected);
    // dynalite writes some of what DynamoDB refuses: only DynamoDB Local is held to every case.
    if (TEST_DYNAMODB === 'dynamodb-local' || real === 'refused') expect(real).toBe(expected);
  });
});
