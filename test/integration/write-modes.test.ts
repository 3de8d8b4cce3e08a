import { Agent } from 'node:http';
import { BatchWriteItemCommand, type AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { loadBuiltHandler } from '../../src/local/built-handler.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import {
  type DynamoSchedule,
  forward,
  listen,
  readBody,
  seededSchedule,
  sendJson,
  startDynamoFaultProxy,
} from '../support/fault-proxy.ts';
import { createTable, readText, scanTable } from '../support/local-tables.ts';
import { startTestServers, TEST_DYNAMODB } from '../support/servers.ts';

/**
 * Write modes through the built handler (SPEC, "Write modes"). PartiQL needs DynamoDB Local:
 * dynalite has none, so this suite runs under `npm run test:dynamodb-local`.
 */
const BUCKET = 'source';
const SCHEMA_KEY = 'config/schema.json';
let servers: LocalServers;
let tables = 0;
const cleanups: (() => Promise<void>)[] = [];

const item = (plain: Record<string, string | number>): Record<string, SdkAttributeValue> =>
  Object.fromEntries(
    Object.entries(plain).map(([name, value]) => [
      name,
      typeof value === 'number' ? { N: String(value) } : { S: value },
    ]),
  );

const PRELOADED = [
  item({ id: 'k1', v: 5, a: 'old', b: 'kept' }),
  item({ id: 'k2', v: '2024-05-01T00:00:00Z', a: 'old' }),
  item({ id: 'k3', v: 1 }),
];

/** A fresh table holding `PRELOADED`, the built handler (a new container) pointed at `endpoint`. */
const pipelineWith = async (
  options: { endpoint?: (target: string) => Promise<string>; env?: Record<string, string> } = {},
) => {
  const table = `modes-${++tables}`;
  await createTable(servers.dynamodb, table, { name: 'id', type: 'S' });
  await servers.dynamodb.send(
    new BatchWriteItemCommand({
      RequestItems: { [table]: PRELOADED.map((Item) => ({ PutRequest: { Item } })) },
    }),
  );
  const endpoint = options.endpoint
    ? await options.endpoint(servers.dynamodbEndpoint)
    : servers.dynamodbEndpoint;
  Object.assign(process.env, servers.env, {
    TABLE_NAME: table,
    SOURCE_BUCKET: BUCKET,
    SCHEMA_S3_KEY: SCHEMA_KEY,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    MAX_WRITE_ATTEMPTS: '10',
    WRITE_PATH: 'lean',
    ...options.env,
  });
  const handler = await loadBuiltHandler();
  const run = async (name: string, write: object, csv: string) => {
    const schema = JSON.stringify({ write, columns: { v: { type: write === MIXED_V ? 'S' : 'N' } } });
    await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: SCHEMA_KEY, Body: schema }));
    const key = `incoming/${name}.csv`;
    await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: csv }));
    const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await handler(
      s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength }),
      lambdaContext(),
    );
    return JSON.parse((await readText(servers.s3, BUCKET, `reports/${name}.csv.json`)) ?? '{}');
  };
  const items = async () =>
    Object.fromEntries(
      (await scanTable(servers.dynamodb, table)).map((text) => {
        const stored = JSON.parse(text) as Record<string, { S?: string; N?: string }>;
        const plain = Object.fromEntries(
          Object.entries(stored).map(([name, value]) => [
            name,
            value.N !== undefined ? Number(value.N) : value.S,
          ]),
        );
        return [String(plain.id), plain];
      }),
    );
  return { table, run, items };
};

/** A marker: this write block's version column is typed S (ISO-8601 times). */
const MIXED_V = { mode: 'upsert', condition: 'newer', version: 'v' };

describe.runIf(TEST_DYNAMODB === 'dynamodb-local')('write modes against DynamoDB Local', () => {
  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    servers = await startTestServers({ buckets: [BUCKET] });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(() => servers.close());

  it.each([
    {
      name: 'upsert',
      write: { mode: 'upsert' },
      csv: 'id,v,a\nk1,,new\nk4,1,x\nk4,2,\n',
      expected: { k1: { id: 'k1', v: 5, a: 'new', b: 'kept' }, k4: { id: 'k4', v: 2, a: 'x' } },
      counts: { rowsWritten: 3, rowsSkipped: 0, rowsDeleted: 0 },
    },
    {
      name: 'upsert-remove',
      write: { mode: 'upsert', emptyFields: 'remove' },
      csv: 'id,v,a\nk1,,new\n',
      expected: { k1: { id: 'k1', a: 'new', b: 'kept' } },
      counts: { rowsWritten: 1, rowsSkipped: 0, rowsDeleted: 0 },
    },
    {
      name: 'put-absent',
      write: { mode: 'put', condition: 'absent' },
      csv: 'id,v,a\nk1,9,new\nk4,1,first\nk4,2,second\n',
      expected: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' }, k4: { id: 'k4', v: 1, a: 'first' } },
      counts: { rowsWritten: 1, rowsSkipped: 2, rowsDeleted: 0 },
    },
    {
      name: 'put-newer',
      write: { mode: 'put', condition: 'newer', version: 'v' },
      csv: 'id,v,a,b\nk1,5,equal,\nk1,7,high,\nk1,6,lower,\nk4,1,new,x\n',
      expected: { k1: { id: 'k1', v: 7, a: 'high' }, k4: { id: 'k4', v: 1, a: 'new', b: 'x' } },
      counts: { rowsWritten: 2, rowsSkipped: 2, rowsDeleted: 0 },
    },
    {
      name: 'upsert-newer-iso',
      write: MIXED_V,
      csv: 'id,v,a\nk2,2024-04-30T23:59:59Z,older\nk2,2024-05-01T00:00:01Z,newer\nk4,2024-01-01T00:00:00Z,x\n',
      expected: {
        k2: { id: 'k2', v: '2024-05-01T00:00:01Z', a: 'newer' },
        k4: { id: 'k4', v: '2024-01-01T00:00:00Z', a: 'x' },
      },
      counts: { rowsWritten: 2, rowsSkipped: 1, rowsDeleted: 0 },
    },
    {
      name: 'delete',
      write: { mode: 'delete' },
      csv: 'id,v\nk1,x\nk9,\n',
      expected: {},
      counts: { rowsWritten: 0, rowsSkipped: 0, rowsDeleted: 2 },
    },
    {
      name: 'delete-newer',
      write: { mode: 'delete', condition: 'newer', version: 'v' },
      csv: 'id,v\nk1,5\nk3,2\nk9,1\n',
      expected: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' } },
      counts: { rowsWritten: 0, rowsSkipped: 1, rowsDeleted: 2 },
    },
    {
      name: 'op-mix',
      write: { mode: 'upsert', op: '_op' },
      csv: 'id,v,a,_op\nk1,,new,\nk3,,,Delete\nk1,8,again,PUT\nk5,1,x,merge\n',
      expected: { k1: { id: 'k1', v: 8, a: 'again' } },
      counts: { rowsWritten: 2, rowsSkipped: 0, rowsDeleted: 1 },
    },
  ])('$name: the table ends as if the rows were applied one at a time', async (mode) => {
    const pipeline = await pipelineWith();
    const report = await pipeline.run(mode.name, mode.write, mode.csv);
    const untouched = Object.fromEntries(
      PRELOADED.map((stored) => [stored.id?.S as string, undefined]).filter(
        ([id]) => !mode.csv.includes(`${id},`),
      ),
    );
    const items = await pipeline.items();
    for (const id of Object.keys(untouched)) delete items[id];
    expect(items).toEqual(mode.expected);
    expect(report).toMatchObject(mode.counts);
    expect(report.rowsRead).toBe(
      report.rowsWritten + report.rowsDeleted + report.rowsSkipped + report.rowsRejected,
    );
  });

  it('gives the same table and counts through the SDK client (WRITE_PATH=sdk)', async () => {
    const csv = 'id,v,a,_op\nk1,,new,\nk3,,,delete\nk1,8,again,put\nk6,2,x,upsert\nk6,,y,\n';
    const write = { mode: 'upsert', op: '_op' };
    const lean = await pipelineWith();
    const leanReport = await lean.run('lean', write, csv);
    const sdk = await pipelineWith({ env: { WRITE_PATH: 'sdk' } });
    const sdkReport = await sdk.run('sdk', write, csv);
    expect(await sdk.items()).toEqual(await lean.items());
    expect(await sdk.items()).toMatchObject({ k1: { v: 8, a: 'again' }, k6: { v: 2, a: 'y' } });
    const counts = ({ rowsWritten, rowsDeleted, rowsSkipped, rowsRejected }: Record<string, number>) => ({
      rowsWritten,
      rowsDeleted,
      rowsSkipped,
      rowsRejected,
    });
    expect(counts(sdkReport)).toEqual(counts(leanReport));
    expect(counts(sdkReport)).toEqual({ rowsWritten: 4, rowsDeleted: 1, rowsSkipped: 0, rowsRejected: 0 });
  });

  it('gives the same table and counts on one thread and on two (THREADS), on either write path', async () => {
    const csv = 'id,v,a,_op\nk1,,new,\nk3,,,delete\nk1,8,again,put\nk6,2,x,upsert\nk6,,y,\n';
    const write = { mode: 'upsert', op: '_op' };
    const runs = [];
    const envs: Record<string, string>[] = [
      { THREADS: '1' },
      { THREADS: '2' },
      { THREADS: '2', WRITE_PATH: 'sdk' },
    ];
    for (const env of envs) {
      const pipeline = await pipelineWith({ env });
      const { rowsWritten, rowsDeleted, rowsSkipped, rowsRejected } = await pipeline.run(
        `threads-${Object.values(env).join('-')}`,
        write,
        csv,
      );
      runs.push({
        items: await pipeline.items(),
        counts: { rowsWritten, rowsDeleted, rowsSkipped, rowsRejected },
      });
    }
    const [one, ...others] = runs;
    for (const other of others) expect(other).toEqual(one);
    expect(one?.items).toMatchObject({ k1: { v: 8, a: 'again' }, k6: { v: 2, a: 'y' } });
    expect(one?.counts).toEqual({ rowsWritten: 4, rowsDeleted: 1, rowsSkipped: 0, rowsRejected: 0 });
  });

  it('a file processed again counts as skipped the rows its first run wrote', async () => {
    const pipeline = await pipelineWith();
    const csv = 'id,v,a\nk7,1,x\nk8,1,y\n';
    expect(await pipeline.run('again', { mode: 'put', condition: 'absent' }, csv)).toMatchObject({
      rowsWritten: 2,
      rowsSkipped: 0,
    });
    expect(await pipeline.run('again', { mode: 'put', condition: 'absent' }, csv)).toMatchObject({
      rowsWritten: 0,
      rowsSkipped: 2,
    });
  });

  it('retries throttled, failed and dropped calls and throttled statements, losing no row', async () => {
    const schedule: DynamoSchedule = seededSchedule(3, {
      partial: 0.3,
      throttle: 0.15,
      error: 0.1,
      drop: 0.05,
    });
    let proxy: Awaited<ReturnType<typeof startDynamoFaultProxy>> | undefined;
    const pipeline = await pipelineWith({
      endpoint: async (target) => {
        proxy = await startDynamoFaultProxy(target, schedule);
        cleanups.push(() => (proxy as NonNullable<typeof proxy>).close());
        return proxy.endpoint;
      },
    });
    const rows = Array.from({ length: 400 }, (_, index) => `n${index % 150},${index},r${index}`);
    const report = await pipeline.run(
      'faults',
      { mode: 'upsert', condition: 'newer', version: 'v' },
      `id,v,a\n${rows.join('\n')}\n`,
    );
    expect(proxy?.faults.partial).toBeGreaterThan(0);
    expect(proxy?.faults.throttle).toBeGreaterThan(0);
    expect(report).toMatchObject({ status: 'succeeded', rowsRead: 400, rowsWritten: 400, rowsSkipped: 0 });
    const items = await pipeline.items();
    for (let key = 0; key < 150; key++) {
      const last = key + 150 * Math.floor((399 - key) / 150);
      expect(items[`n${key}`]).toEqual({ id: `n${key}`, v: last, a: `r${last}` });
    }
  });

  it('fails the file, naming the action and the variable, when the role may not run the statements', async () => {
    const pipeline = await pipelineWith({
      endpoint: async (target) => {
        const agent = new Agent({ keepAlive: true });
        const denying = await listen(async (request, response) => {
          const body = await readBody(request);
          if (String(request.headers['x-amz-target']).endsWith('.BatchExecuteStatement')) {
            return sendJson(response, 400, {
              __type: 'com.amazon.coral.service#AccessDeniedException',
              message:
                'User: arn:aws:sts::1:assumed-role/csv2ddb/fn is not authorized to perform: dynamodb:PartiQLUpdate on resource: arn:aws:dynamodb:us-east-1:1:table/t',
            });
          }
          const answer = await forward(new URL(target), agent, request, body);
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        });
        cleanups.push(async () => {
          agent.destroy();
          await denying.close();
        });
        return denying.endpoint;
      },
    });
    const report = await pipeline.run(
      'denied',
      { mode: 'upsert', condition: 'newer', version: 'v' },
      'id,v\nk1,9\n',
    );
    expect(report.status).toBe('failed');
    expect(report.errors.at(-1)).toMatchObject({ code: 'WRITE_DENIED' });
    expect(report.errors.at(-1).message).toContain(
      'may not perform dynamodb:PartiQLUpdate, which write mode "upsert:newer" needs: add "upsert:newer" to write_modes in infra/terraform.tfvars',
    );
  });
});
