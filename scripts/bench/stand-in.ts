import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { BENCH_KEY } from './generate.ts';

const PUT_REQUEST = Buffer.from('"PutRequest"');

const send = (response: ServerResponse, status: number, body: unknown) => {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(bytes.byteLength),
    'x-amz-crc32': String(crc32(bytes)),
  });
  response.end(bytes);
};

const countPuts = (body: Buffer): number => {
  let count = 0;
  for (
    let at = body.indexOf(PUT_REQUEST);
    at !== -1;
    at = body.indexOf(PUT_REQUEST, at + PUT_REQUEST.length)
  ) {
    count++;
  }
  return count;
};

/**
 * A DynamoDB stand-in for measuring csv2ddb alone: it describes an on-demand table keyed by
 * `InstanceId` and answers each BatchWriteItem after `latencyMs` (a real DynamoDB round trip is
 * about 10 ms), writing nothing. It counts the puts it was sent, so the benchmark can check
 * that every row arrived.
 */
export const startStandIn = async (latencyMs: number) => {
  let items = 0;
  let calls = 0;
  let open = 0;
  let mostOpen = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      if (target === 'DynamoDB_20120810.DescribeTable') {
        const { name, type } = BENCH_KEY;
        send(response, 200, {
          Table: {
            TableName: 'bench',
            TableStatus: 'ACTIVE',
            KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: name, AttributeType: type }],
            BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
          },
        });
        return;
      }
      if (target !== 'DynamoDB_20120810.BatchWriteItem') {
        send(response, 400, {
          __type: 'com.amazon.coral.validate#ValidationException',
          message: `no ${target}`,
        });
        return;
      }
      const puts = countPuts(Buffer.concat(chunks));
      calls++;
      items += puts;
      mostOpen = Math.max(mostOpen, ++open);
      const answer = () => {
        open--;
        send(response, 200, {
          UnprocessedItems: {},
          ConsumedCapacity: [{ TableName: 'bench', CapacityUnits: puts }],
        });
      };
      if (latencyMs > 0) setTimeout(answer, latencyMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Items and calls received since the last reset, and the most calls it held at once. */
    take: () => {
      const taken = { items, calls, mostOpen };
      items = 0;
      calls = 0;
      mostOpen = 0;
      return taken;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
