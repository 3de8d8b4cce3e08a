import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { loadBuiltHandler } from '../../src/local/built-handler.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { createTable, readText } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

/**
 * Issue 11: a header column named `__proto__` made the handler throw on every attempt. dynalite
 * itself drops an attribute named `__proto__` (its own `item[name] = …`), and so does the SDK's
 * unmarshalling of a Scan: what reaches DynamoDB is checked on the wire, in BatchWriteItem's body.
 */

const BUCKET = 'source';
let servers: LocalServers;
const bodies: string[] = [];
let proxy: ReturnType<typeof createServer>;

/** Forwards every request to dynalite, keeping the BatchWriteItem bodies. */
const startRecorder = async (target: string): Promise<string> => {
  const url = new URL(target);
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (String(request.headers['x-amz-target']).endsWith('.BatchWriteItem'))
        bodies.push(body.toString('utf8'));
      const forward = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: request.url,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'proto');
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await servers.close();
});

describe('a column named __proto__', () => {
  it('is written as an attribute like any other', async () => {
    const endpoint = await startRecorder(servers.dynamodbEndpoint);
    Object.assign(process.env, servers.env, {
      TABLE_NAME: 'proto',
      SOURCE_BUCKET: BUCKET,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    });
    const handler = await loadBuiltHandler();
    const key = 'incoming/proto.csv';
    const body = 'ID,__proto__,constructor,Name\n1,x,y,a\n';
    await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await handler(
      s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength }),
      lambdaContext(),
    );

    const report = JSON.parse((await readText(servers.s3, BUCKET, 'reports/proto.csv.json')) ?? '{}');
    expect(report).toMatchObject({ status: 'succeeded', rowsWritten: 1 });
    expect(bodies).toHaveLength(1);
    const item = JSON.parse(bodies[0] as string).RequestItems.proto[0].PutRequest.Item;
    expect(Object.hasOwn(item, '__proto__')).toBe(true);
    expect(JSON.stringify(item)).toBe(
      '{"ID":{"N":"1"},"__proto__":{"S":"x"},"constructor":{"S":"y"},"Name":{"S":"a"}}',
    );
  });
});
