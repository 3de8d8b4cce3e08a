import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { type CapacityProxy, startCapacityProxy } from '../support/capacity-proxy.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

let servers: LocalServers;
let proxy: CapacityProxy | undefined;
let table = '';
let tables = 0;

beforeAll(async () => {
  servers = await startTestServers();
});
beforeEach(async () => {
  table = `metered-${++tables}`;
  await createTable(servers.dynamodb, table);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(() => servers?.close());

const clientOf = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

/** Puts of items with IDs `from`… of about `bytes` bytes each (1 KB or less costs 1 unit). */
const puts = (from: number, count: number, bytes = 100): WriteRequest[] =>
  Array.from({ length: count }, (_, n) => ({
    PutRequest: { Item: { ID: { N: String(from + n) }, pad: { S: 'x'.repeat(bytes) } } },
  }));

const storedIds = async () => {
  const { Items = [] } = await servers.dynamodb.send(new ScanCommand({ TableName: table }));
  return Items.map((item) => Number(item.ID?.N)).sort((a, b) => a - b);
};

describe('the capacity-metering proxy', () => {
  it('writes the items its bucket pays for and returns exactly the rest as UnprocessedItems', async () => {
    proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table, wcu: 5, burstSeconds: 2 });
    const answer = await clientOf(proxy.endpoint).send(
      new BatchWriteItemCommand({ RequestItems: { [table]: puts(1, 25) } }),
    );
    const unprocessed = answer.UnprocessedItems?.[table] ?? [];
    const leftIds = unprocessed.map((write) => Number(write.PutRequest?.Item?.ID?.N));
    const written = await storedIds();
    // The bucket starts with 2 s of 5 units (a little more refills meanwhile).
    expect(written.length).toBeGreaterThanOrEqual(10);
    expect(written.length).toBeLessThan(12);
    expect(written).toEqual(Array.from({ length: written.length }, (_, n) => n + 1));
    expect([...written, ...leftIds]).toEqual(Array.from({ length: 25 }, (_, n) => n + 1));
    expect(proxy.counts).toMatchObject({ calls: 1, partialCalls: 1, itemsWritten: written.length });
  });

  it('throttles a call only when it can write nothing', async () => {
    proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table, wcu: 1, burstSeconds: 1 });
    const client = clientOf(proxy.endpoint);
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(1, 1) } }));
    await expect(
      client.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(2, 2) } })),
    ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(await storedIds()).toEqual([1]);
    expect(proxy.counts).toMatchObject({ calls: 2, throttledCalls: 1, itemsWritten: 1 });
  });

  it('charges an item its size in KB, rounded up', async () => {
    proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table, wcu: 3, burstSeconds: 1 });
    const answer = await clientOf(proxy.endpoint).send(
      new BatchWriteItemCommand({ RequestItems: { [table]: [...puts(1, 1, 2_500), ...puts(2, 1)] } }),
    );
    expect(answer.UnprocessedItems?.[table]).toHaveLength(1);
    expect(await storedIds()).toEqual([1]);
    expect(proxy.counts.unitsWritten).toBe(3);
  });

  it('reports the table as provisioned at its capacity', async () => {
    proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table, wcu: 7 });
    const { Table } = await clientOf(proxy.endpoint).send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.ProvisionedThroughput?.WriteCapacityUnits).toBe(7);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PROVISIONED');
  });

  it('keeps a writer that retries what is left within the capacity, and writes every item once', async () => {
    proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table, wcu: 20, burstSeconds: 1 });
    const client = clientOf(proxy.endpoint);
    let pending = puts(1, 75);
    while (pending.length > 0) {
      const batch = pending.slice(0, 25);
      try {
        const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
        pending = [...(answer.UnprocessedItems?.[table] ?? []), ...pending.slice(25)];
      } catch (error) {
        if ((error as Error).name !== 'ProvisionedThroughputExceededException') throw error;
      }
      await sleep(100);
    }
    expect(await storedIds()).toEqual(Array.from({ length: 75 }, (_, n) => n + 1));
    expect(proxy.counts.itemsWritten).toBe(75);
    expect(proxy.perSecond().reduce((sum, units) => sum + units, 0)).toBe(75);
    expect(proxy.excess()).toBe(0);
  });
});
