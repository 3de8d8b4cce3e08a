import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { loadBuiltHandler } from '../../src/local/built-handler.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { DynamoFault, startDynamoFaultProxy } from '../support/fault-proxy.ts';
import { createTable, readText, scanTable } from '../support/local-tables.ts';
import { startTestServers, TEST_DYNAMODB } from '../support/servers.ts';

/**
 * SPEC: "A record whose item DynamoDB would refuse is rejected, never sent". Run with
 * CSV2DDB_TEST_DYNAMODB=dynamodb-local, these hold the pre-checks to DynamoDB's own rules at their
 * boundaries: what is written, DynamoDB stored; what is rejected never reached it. (Run on dynalite,
 * which accepts some of what DynamoDB refuses, they check only the pre-checks.)
 */

const BUCKET = 'source';
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const SCHEMA = JSON.stringify({
  columns: { Count: { type: 'N' }, Sizes: { type: 'NS' }, Specs: { type: 'JSON' } },
});

let servers: LocalServers;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'rules');
});
afterAll(() => servers.close());

describe(`rows DynamoDB refuses, on ${TEST_DYNAMODB}`, () => {
  it('writes what DynamoDB takes and rejects, before sending, what it refuses', async () => {
    // Every item that goes to DynamoDB passes through the proxy, which counts them.
    let sent = 0;
    const dynamo = await startDynamoFaultProxy(servers.dynamodbEndpoint, (_call, items) => {
      sent += items;
      return DynamoFault.pass;
    });
    Object.assign(process.env, servers.env, {
      TABLE_NAME: 'rules',
      SOURCE_BUCKET: BUCKET,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      SCHEMA,
    });
    const handler = await loadBuiltHandler();
    const rows: [id: number, count: string, sizes: string, specs: string][] = [
      [1, '+5', '+1|2', '{}'],
      [2, '.5', '1', '{}'],
      [3, '5.', '1', '{}'],
      [4, '1E+5', '1', '{}'],
      [5, '1', '1', nested(31)],
      [6, '1', '1', nested(32)],
      [7, '1', '1', `{"a":${nested(31)}}`],
      [8, '1', '1', '{"":1}'],
      [9, '1', '1', '{"a":[{"b":{"":1}}]}'],
      [10, ' 5', '1', '{}'],
      [11, '0x10', '1', '{}'],
    ];
    const body = `ID,Count,Sizes,Specs\n${rows.map((row) => row.map(String).map(csvField).join(',')).join('\n')}\n`;
    const key = 'incoming/rules.csv';
    await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await handler(
      s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength }),
      lambdaContext(),
    );
    await dynamo.close();

    const report = JSON.parse((await readText(servers.s3, BUCKET, 'reports/rules.csv.json')) ?? '{}');
    const nesting = 'nests more than 31 maps and lists (DynamoDB allows 32 levels, the item being the first)';
    expect(report).toMatchObject({ status: 'partial', rowsRead: 11, rowsWritten: 5, rowsRejected: 6 });
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 6, code: 'VALUE_INVALID', message: `column "Specs": JSON ${nesting}` }),
      expect.objectContaining({ row: 7, code: 'VALUE_INVALID', message: `column "Specs": JSON ${nesting}` }),
      expect.objectContaining({
        row: 8,
        code: 'ITEM_REFUSED',
        message: 'attribute "Specs": holds an empty attribute name',
      }),
      expect.objectContaining({
        row: 9,
        code: 'ITEM_REFUSED',
        message: 'attribute "Specs.a[0].b": holds an empty attribute name',
      }),
      expect.objectContaining({
        row: 10,
        code: 'VALUE_INVALID',
        message: 'column "Count": " 5" is not a number',
      }),
      expect.objectContaining({
        row: 11,
        code: 'VALUE_INVALID',
        message: 'column "Count": "0x10" is not a number',
      }),
    ]);
    // Only the five good rows went out, in one batch: no refusal, no retry one item at a time.
    expect(sent).toBe(5);
    expect(dynamo.calls()).toBe(1);
    expect(dynamo.operations.PutItem).toBeUndefined();

    const items = (await scanTable(servers.dynamodb, 'rules')).map((json) =>
      unmarshall(JSON.parse(json), { wrapNumbers: true }),
    );
    const count = new Map(items.map((item) => [String(item.ID), String(item.Count)]));
    // DynamoDB keeps numbers in its own spelling, whatever notation went in.
    expect(Object.fromEntries(count)).toEqual({ '1': '5', '2': '0.5', '3': '5', '4': '100000', '5': '1' });
  });
});
