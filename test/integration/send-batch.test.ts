import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch, type SendBatchOptions, type WritePath } from '../../src/aws/dynamodb-table.ts';
import { createSenderPool, type SenderPool } from '../../src/aws/sender-pool.ts';
import { ItemRefusedError } from '../../src/core/errors.ts';
import type { Item } from '../../src/core/item.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { startDynamoFaultProxy } from '../support/fault-proxy.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

let servers: LocalServers;

beforeAll(async () => {
  servers = await startTestServers();
  await createTable(servers.dynamodb, 'binary', { name: 'K', type: 'B' });
});
afterAll(() => servers.close());

/** The client the function writes with (its own BatchWriteItem serializer), pointed at `endpoint`. */
const writeClient = (endpoint: string) =>
  createDynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

const everyType: Item = {
  K: { B: new Uint8Array([0, 1, 2, 250, 255]) },
  s: { S: 'text with "quotes", \\ and ü' },
  n: { N: '12345678901234567890.5' },
  yes: { BOOL: true },
  none: { NULL: true },
  map: { M: { inner: { L: [{ N: '1' }, { S: 'two' }] } } },
  strings: { SS: ['a', 'b'] },
  numbers: { NS: ['1', '2.5'] },
};

/** Each path in process (THREADS=1), and through one sender thread (THREADS > 1). */
const VARIANTS: { name: string; path: WritePath; threaded: boolean }[] = [
  { name: 'lean path', path: 'lean', threaded: false },
  { name: 'sdk path', path: 'sdk', threaded: false },
  { name: 'lean path on a sender thread', path: 'lean', threaded: true },
  { name: 'sdk path on a sender thread', path: 'sdk', threaded: true },
];

describe.each(VARIANTS)('createSendBatch(), $name', ({ path, threaded }) => {
  let senders: SenderPool | undefined;
  let posts = 0;
  beforeAll(() => {
    if (!threaded) return;
    const pool = createSenderPool(1);
    // The pool itself, counting what goes through its thread.
    senders = {
      threads: pool.threads,
      post: (request) => {
        posts++;
        return pool.post(request);
      },
      close: () => pool.close(),
    };
  });
  afterAll(() => senders?.close());
  // A threaded variant sends each test's calls through its thread; an in-process one none.
  let postsBefore = 0;
  beforeEach(() => {
    postsBefore = posts;
  });
  afterEach(() => {
    expect(posts > postsBefore).toBe(threaded);
  });
  const options = (): SendBatchOptions => ({ path, ...(senders && { senders }) });

  it('writes items of every type exactly, binary included', async () => {
    const send = createSendBatch(writeClient(servers.dynamodbEndpoint), 'binary', options());
    expect(await send([everyType])).toMatchObject({ unprocessed: [], consumedCapacity: 1 });
    const { Item } = await servers.dynamodb.send(
      new GetItemCommand({ TableName: 'binary', Key: { K: { B: new Uint8Array([0, 1, 2, 250, 255]) } } }),
    );
    expect(Item).toEqual(everyType);
  });

  it('turns a ValidationException into ItemRefusedError', async () => {
    const send = createSendBatch(writeClient(servers.dynamodbEndpoint), 'binary', options());
    const invalid = { K: { B: new Uint8Array([9]) }, empty: { SS: [] } } as unknown as Item;
    await expect(send([invalid])).rejects.toBeInstanceOf(ItemRefusedError);
  });

  it('hands back what DynamoDB left unprocessed, as items', async () => {
    const proxy = await startDynamoFaultProxy(servers.dynamodbEndpoint, () => 'partial');
    try {
      const items = [1, 2, 3, 4].map(
        (key): Item => ({ K: { B: new Uint8Array([key]) }, v: { N: String(key) } }),
      );
      const { unprocessed } = await createSendBatch(writeClient(proxy.endpoint), 'binary', options())(items);
      expect(unprocessed).toEqual(items.slice(2));
    } finally {
      await proxy.close();
    }
  });
});
