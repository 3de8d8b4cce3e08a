import { gzipSync } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { loadBuiltHandler } from '../../src/local/built-handler.ts';
import {
  type InvocationOutcome,
  type LambdaEmulator,
  startLambdaEmulator,
} from '../../src/local/lambda-emulator.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { createTable, listKeys, readGunzipped, readText, scanTable } from '../support/local-tables.ts';
import { sampleCsv } from '../support/sample-csv.ts';
import { startTestServers } from '../support/servers.ts';

const BUCKET = 'source';
const FUNCTION = 'csv2ddb-continuation-test';
let servers: LocalServers;
let lambda: LambdaEmulator;
const invocations: InvocationOutcome[] = [];

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'items');
  // Powertools reads these when the module loads.
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });
  const handler = await loadBuiltHandler();
  // A 2 s function that hands over when 1.75 s are left: each invocation works for about 0.25 s.
  lambda = await startLambdaEmulator({
    functionName: FUNCTION,
    handler,
    timeoutMs: 2_000,
    onInvocation: (outcome) => invocations.push(outcome),
  });
  Object.assign(process.env, servers.env, {
    TABLE_NAME: 'items',
    SOURCE_BUCKET: BUCKET,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    CONTINUATION_MARGIN_MS: '1750',
  });
});
afterAll(async () => {
  await lambda.close();
  await servers.close();
});

const uploadAndNotify = async (key: string, body: string | Uint8Array) => {
  await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  lambda.invokeAsync(s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength }));
  await lambda.idle();
};

describe('the built handler on a file larger than one invocation', () => {
  // Large enough that no machine writes it in one 0.25 s invocation (dynalite takes ~10k rows/s at best).
  const sample = sampleCsv(20_000);

  it.each([
    { name: 'plain', key: 'incoming/big.csv', body: sample.text, rejected: 'rejected/big.csv' },
    {
      name: 'gzip',
      key: 'incoming/big-gz.csv.gz',
      body: gzipSync(sample.text),
      rejected: 'rejected/big-gz.csv.gz',
    },
  ])('continues itself through Lambda until the $name file is done', async ({ key, body, rejected }) => {
    invocations.length = 0;
    await uploadAndNotify(key, body);

    expect(invocations.every((outcome) => outcome.error === undefined)).toBe(true);
    // The S3 event and every continuation arrive as InvocationType "Event" (asynchronous).
    expect(invocations.map((outcome) => outcome.type)).toEqual(invocations.map(() => 'Event'));
    // How many depends on the machine's speed; at least one continuation it takes.
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    const report = JSON.parse(
      (await readText(servers.s3, BUCKET, `reports/${key.slice('incoming/'.length)}.json`)) ?? '{}',
    );
    expect(report).toMatchObject({
      status: 'partial',
      invocations: invocations.length,
      rowsRead: 20_000,
      rowsRejected: sample.bad,
      rowsWritten: 20_000 - sample.bad,
    });
    expect(await scanTable(servers.dynamodb, 'items')).toHaveLength(sample.distinct);
    // One rejected-rows file with every rejected row, in file order, and no parts left.
    const read = rejected.endsWith('.gz') ? readGunzipped : readText;
    const lines = (await read(servers.s3, BUCKET, rejected))?.trim().split('\n') ?? [];
    const rows = lines.slice(1).map((line) => Number(line.split(',')[0]));
    expect(rows).toHaveLength(sample.bad);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(await listKeys(servers.s3, BUCKET, rejected)).toEqual([rejected]);
  });
});
