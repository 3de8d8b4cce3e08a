import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDestinations, type Route, routeOf } from '../../src/app/routes.ts';
import { readSettings, type Settings } from '../../src/app/settings.ts';
import { runTasks, selectTasks, type TaskResult } from '../../src/app/tasks.ts';
import { createS3FileStore } from '../../src/aws/s3-file-store.ts';
import type { ContinuationPayload, FileTask } from '../../src/core/continuation.ts';
import { s3Event } from '../../src/core/s3-event.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { createTable, scanTable } from '../support/local-tables.ts';
import { sampleCsv } from '../support/sample-csv.ts';
import { startTestServers } from '../support/servers.ts';

/**
 * SPEC "Datasets": each container's destinations (src/app/routes.ts), and a continued file whose route
 * changed, driven through selectTasks / runTasks on a fake clock (datasets.test.ts has the built handler).
 */

const BUCKET = 'datasets-destinations';
const PREFIXES = { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' };
let servers: LocalServers;
let tables = 0;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
});
afterAll(() => servers.close());

/** New tables with these names' stems (each test its own), keyed by a number ID. */
const newTables = async <Name extends string>(...names: Name[]): Promise<Record<Name, string>> => {
  const run = ++tables;
  const created = names.map((name) => [name, `${name}-${run}`] as const);
  for (const [, table] of created) await createTable(servers.dynamodb, table);
  return Object.fromEntries(created) as Record<Name, string>;
};

const put = (key: string, body: string) =>
  servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

const items = async (table: string) =>
  (await scanTable(servers.dynamodb, table)).map((json) => unmarshall(JSON.parse(json)));

const destinationsWith = (dynamodb = servers.dynamodb) =>
  createDestinations({
    s3: servers.s3,
    dynamodb,
    bucket: BUCKET,
    store: createS3FileStore(servers.s3, PREFIXES),
    writeConcurrency: 4,
    maxWriteAttempts: 3,
    typeMode: 'infer',
  });

describe('createDestinations()', () => {
  it('describes each table once per container, with one pacer for every dataset that writes it', async () => {
    const t = await newTables('shared', 'other');
    const dynamodb = new DynamoDBClient({
      endpoint: servers.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const described: string[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeTableCommand') {
          described.push((args.input as { TableName: string }).TableName);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const destinations = destinationsWith(dynamodb);
    const [a, b, again] = await Promise.all([
      destinations({ table: t.shared, dataset: 'a/' }),
      destinations({ table: t.shared, dataset: 'b/' }),
      destinations({ table: t.shared, dataset: 'a/' }),
    ]);
    await destinations({ table: t.other });
    expect(described).toEqual([t.shared, t.other]);
    expect(a.deps.write.pacer).toBe(b.deps.write.pacer);
    expect(again).toBe(a);
    // A table that is not there fails its file's invocation, and is asked for again by the next file.
    await expect(destinations({ table: 'missing-table' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(destinations({ table: 'missing-table' })).rejects.toThrow();
    expect(described.filter((name) => name === 'missing-table')).toHaveLength(2);
    dynamodb.destroy();
  });

  it('gives the ledger each provisioned table’s own capacity to share, none for an on-demand one', async () => {
    const run = ++tables;
    await createTable(servers.dynamodb, `orders-${run}`, { name: 'ID', type: 'N' }, 7);
    await createTable(servers.dynamodb, `stock-${run}`, { name: 'ID', type: 'N' }, 3);
    await createTable(servers.dynamodb, `free-${run}`);
    const destinations = destinationsWith();
    const orders = await destinations({ table: `orders-${run}`, dataset: 'orders/' });
    const stock = await destinations({ table: `stock-${run}`, dataset: 'stock/' });
    expect(orders.share).toMatchObject({ tableName: `orders-${run}`, writeCapacity: 7 });
    expect(stock.share).toMatchObject({ tableName: `stock-${run}`, writeCapacity: 3 });
    expect(orders.share?.pacer).toBe(orders.deps.write.pacer);
    expect(stock.share?.pacer).not.toBe(orders.share?.pacer);
    expect((await destinations({ table: `free-${run}` })).share).toBeUndefined();
  });
});

describe('a continued file whose route DATASETS changed', () => {
  it('carries its table in the continuation, and fails rather than write its rest into another table', async () => {
    const t = await newTables('first', 'second');
    const destinations = destinationsWith();
    const settingsWith = (datasets: Record<string, { table: string }>) =>
      readSettings({ SOURCE_BUCKET: BUCKET, DATASETS: JSON.stringify(datasets) });
    // A deploy between two invocations of the file adds a dataset that takes its key.
    const before = settingsWith({ 'feed/': { table: t.first } });
    const after = settingsWith({ 'feed/': { table: t.first }, 'feed/eu/': { table: t.second } });
    await put('incoming/feed/eu/x.csv', sampleCsv(300).text);
    const payloads: ContinuationPayload[] = [];
    const invocation = async (event: unknown, settings: Settings, ticks: number) => {
      const results: TaskResult[] = [];
      const { tasks } = selectTasks(event, settings, new Date());
      const destinationOf = (task: FileTask) => destinations(routeOf(task.rest, settings) as Route);
      let left = ticks;
      const turns = {
        remainingMs: () => left--,
        marginMs: 0,
        invoke: async (payload: ContinuationPayload) => {
          payloads.push(JSON.parse(JSON.stringify(payload)));
        },
      };
      for await (const result of runTasks(destinationOf, tasks, turns)) results.push(result);
      return results;
    };
    const first = await invocation(s3Event({ bucket: BUCKET, key: 'incoming/feed/eu/x.csv' }), before, 100);
    expect(first.map((result) => result.kind)).toEqual(['continued']);
    expect(payloads[0]?.file.table).toBe(t.first);
    const [second] = await invocation(payloads[0], after, 1_000);
    expect(second?.kind).toBe('finished');
    expect(second?.kind === 'finished' && second.report).toMatchObject({
      status: 'failed',
      invocations: 2,
      errors: expect.arrayContaining([
        {
          code: 'DATASET_CHANGED',
          message: `DATASETS changed while this file was being processed: it started writing table ${t.first}, its key now goes to ${t.second}; upload it again to load it into ${t.second}`,
        },
      ]),
    });
    expect((await items(t.first)).length).toBeGreaterThan(0);
    expect(await items(t.second)).toEqual([]);
    // Unchanged, the same continuation goes on in its table.
    const [same] = await invocation(payloads[0], before, 1_000);
    expect(same?.kind === 'finished' && same.report).toMatchObject({ status: 'partial', rowsRead: 300 });
  });
});
