import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { loadBuiltHandler } from '../../src/local/built-handler.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import {
  capacitySchedule,
  DynamoFault,
  type DynamoSchedule,
  seededSchedule,
  startDynamoFaultProxy,
  startS3CutProxy,
} from '../support/fault-proxy.ts';
import { createTable, readText, scanTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

const BUCKET = 'source';
let servers: LocalServers;
let tables = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  servers = await startTestServers({ buckets: [BUCKET] });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => servers.close());

/** Distinct numeric keys: every row is written, so the table must hold exactly `rows` items. */
const cleanCsv = (rows: number) =>
  `ID,Name,Price\n${Array.from({ length: rows }, (_, index) => `${index + 1},name ${index + 1},${index}.5`).join('\n')}\n`;

/**
 * A fresh table behind a fault proxy, and the built handler (a new container) pointed at it.
 * S3 goes through `s3Endpoint` when given.
 */
const pipelineWith = async (options: {
  schedule: DynamoSchedule;
  env?: Record<string, string>;
  writeCapacity?: number;
  s3Endpoint?: string;
}) => {
  const table = `faults-${++tables}`;
  await createTable(servers.dynamodb, table, { name: 'ID', type: 'N' }, options.writeCapacity);
  const dynamo = await startDynamoFaultProxy(servers.dynamodbEndpoint, options.schedule);
  cleanups.push(() => dynamo.close());
  Object.assign(process.env, servers.env, {
    TABLE_NAME: table,
    SOURCE_BUCKET: BUCKET,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: options.s3Endpoint ?? servers.s3Endpoint,
    MAX_WRITE_ATTEMPTS: '10',
    ...options.env,
  });
  const handler = await loadBuiltHandler();
  const run = async (key: string, body: string) => {
    await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const event = s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength });
    return { event, result: handler(event, lambdaContext()) };
  };
  const report = async (rest: string) =>
    JSON.parse((await readText(servers.s3, BUCKET, `reports/${rest}.json`)) ?? '{}');
  return { table, dynamo, handler, run, report, items: () => scanTable(servers.dynamodb, table) };
};

describe('faults on the way to DynamoDB', () => {
  it('retries UnprocessedItems until every row is in the table', async () => {
    const pipeline = await pipelineWith({ schedule: seededSchedule(7, { partial: 0.6 }) });
    await (await pipeline.run('incoming/unprocessed.csv', cleanCsv(1500))).result;

    expect(pipeline.dynamo.faults.partial).toBeGreaterThan(10);
    expect(await pipeline.items()).toHaveLength(1500);
    const report = await pipeline.report('unprocessed.csv');
    expect(report).toMatchObject({ status: 'succeeded', rowsRead: 1500, rowsWritten: 1500, rowsRejected: 0 });
    expect(report.writes.throttles).toBeGreaterThan(0);
    expect(report.writes.retries).toBeGreaterThan(0);
  });

  it('reads the key schema with DescribeTable once per container, not once per file', async () => {
    const pipeline = await pipelineWith({ schedule: () => DynamoFault.pass });
    await (await pipeline.run('incoming/first.csv', cleanCsv(30))).result;
    await (await pipeline.run('incoming/second.csv', cleanCsv(30))).result;

    expect(await pipeline.report('second.csv')).toMatchObject({ status: 'succeeded', rowsWritten: 30 });
    expect(pipeline.dynamo.operations.DescribeTable).toBe(1);
    expect(pipeline.dynamo.operations.BatchWriteItem).toBeGreaterThanOrEqual(4);
  });

  it('rides out throttling, server errors and dropped connections', async () => {
    const random = seededSchedule(11, { throttle: 0.25, error: 0.1, drop: 0.05 });
    // The first 48 calls are throttled: 16 calls in flight, each outlasting the SDK's own three
    // attempts, so the writer itself must back off and retry.
    const schedule: DynamoSchedule = (call, items) =>
      call <= 48 ? DynamoFault.throttle : random(call, items);
    const pipeline = await pipelineWith({ schedule });
    await (await pipeline.run('incoming/throttled.csv', cleanCsv(1500))).result;

    expect(pipeline.dynamo.faults).toMatchObject({
      throttle: expect.any(Number),
      error: expect.any(Number),
      drop: expect.any(Number),
    });
    expect(Math.min(pipeline.dynamo.faults.error, pipeline.dynamo.faults.drop)).toBeGreaterThan(0);
    expect(await pipeline.items()).toHaveLength(1500);
    const report = await pipeline.report('throttled.csv');
    expect(report).toMatchObject({ status: 'succeeded', rowsWritten: 1500 });
    expect(report.writes.throttles).toBeGreaterThanOrEqual(1);
  });

  it('throws on an outage past the retry budget, after a failed report that says how far it got', async () => {
    const schedule: DynamoSchedule = (call) => (call <= 8 ? DynamoFault.pass : DynamoFault.error);
    const pipeline = await pipelineWith({
      schedule,
      env: { MAX_WRITE_ATTEMPTS: '2', WRITE_CONCURRENCY: '1' },
    });
    const { result } = await pipeline.run('incoming/outage.csv', cleanCsv(1500));

    await expect(result).rejects.toMatchObject({ name: 'DependencyError', code: 'WRITE_RETRIES_EXHAUSTED' });
    const report = await pipeline.report('outage.csv');
    expect(report).toMatchObject({ status: 'failed', rowsWritten: 200, rowsRejected: 0 });
    expect(report.rowsRead).toBeGreaterThan(200);
    expect(report.rowsRead).toBeLessThan(1500);
    expect(report.errors).toContainEqual({
      message: expect.stringMatching(
        /^processing stopped: DependencyError: 25 item\(s\) were still unwritten/,
      ),
      code: 'WRITE_FAILED',
    });
    expect(await pipeline.items()).toHaveLength(200);
  });

  it('paces a provisioned table to its capacity, with few throttled calls', async () => {
    const pipeline = await pipelineWith({ schedule: capacitySchedule(100, 2), writeCapacity: 100 });
    await (await pipeline.run('incoming/provisioned.csv', cleanCsv(500))).result;

    const report = await pipeline.report('provisioned.csv');
    expect(report).toMatchObject({ status: 'succeeded', rowsWritten: 500 });
    expect(pipeline.dynamo.faults.throttle).toBeLessThanOrEqual(2);
    // 100 items a second, 100 of them up front: the 500 take about 4 s.
    expect(report.durationMs).toBeGreaterThan(3_500);
    expect(report.rowsPerSecond).toBeLessThan(140);
  });
});

describe('faults on the way from S3', () => {
  it('throws when the object stream is cut, and the retry writes the same table', async () => {
    let cutting = true;
    const s3 = await startS3CutProxy(servers.s3Endpoint, {
      key: 'incoming/cut.csv',
      bytes: 20_000,
      active: () => cutting,
    });
    cleanups.push(() => s3.close());
    const pipeline = await pipelineWith({ schedule: () => DynamoFault.pass, s3Endpoint: s3.endpoint });
    const { event, result } = await pipeline.run('incoming/cut.csv', cleanCsv(2000));

    await expect(result).rejects.toThrow();
    expect(s3.cuts()).toBe(1);
    const failed = await pipeline.report('cut.csv');
    expect(failed.status).toBe('failed');
    expect(failed.rowsRead).toBeGreaterThan(0);
    expect(failed.rowsRead).toBeLessThan(2000);
    expect(failed.errors[0]).toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining('processing stopped'),
    });

    // Lambda retries the same event: reprocessing writes the same items again, nothing twice.
    cutting = false;
    await pipeline.handler(event, lambdaContext());
    expect(await pipeline.report('cut.csv')).toMatchObject({
      status: 'succeeded',
      rowsRead: 2000,
      rowsWritten: 2000,
    });
    expect(await pipeline.items()).toHaveLength(2000);
  });
});
