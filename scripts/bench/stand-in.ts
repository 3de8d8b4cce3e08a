import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { BENCH_KEY } from './generate.ts';

const PUT_REQUEST = Buffer.from('"PutRequest"');
const DELETE_REQUEST = Buffer.from('"DeleteRequest"');
const STATEMENT = Buffer.from('"Statement":"');
const PARAMETERS = Buffer.from('","Parameters"');

const send = (response: ServerResponse, status: number, body: unknown) => {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(bytes.byteLength),
    'x-amz-crc32': String(crc32(bytes)),
  });
  response.end(bytes);
};

const countOf = (body: Buffer, needle: Buffer): number => {
  let count = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + needle.length)) count++;
  return count;
};

/**
 * A statement's answer from a table that holds every key (`existing`) or none: an UPDATE or a
 * conditional DELETE of a missing item fails its condition (no item back), an INSERT of a held key
 * is a duplicate; the item sent back for a held key is the key alone (its version is never lower).
 */
const answerStatement = (statement: string, existing: boolean) => {
  const failed = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
  if (statement.startsWith('INSERT'))
    return existing
      ? { Error: { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' } }
      : {};
  const conditional = statement.includes(' < ?');
  if (!existing) return statement.startsWith('DELETE') && !conditional ? {} : { Error: failed };
  // Held items are older than the rows: an update or a delete goes through.
  return {};
};

/**
 * A DynamoDB stand-in for measuring csv2ddb alone: it describes an on-demand table keyed by
 * `InstanceId` and answers each BatchWriteItem (and write modes' BatchExecuteStatement) after `latencyMs` (a real DynamoDB round trip is
 * about 10 ms), writing nothing. It counts the puts it was sent, so the benchmark can check
 * that every row arrived.
 */
export const startStandIn = async (latencyMs: number) => {
  /** Write modes: whether the table holds every key the statements name (see `answerStatement`). */
  let existing = false;
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
      if (target === 'DynamoDB_20120810.BatchExecuteStatement') {
        // The statements' texts found by scanning, not by parsing the body: this process's CPU is
        // shared with the case's, and parsing every body would slow the case down, not the stand-in.
        const body = Buffer.concat(chunks);
        const Responses: object[] = [];
        for (let at = body.indexOf(STATEMENT); at !== -1; at = body.indexOf(STATEMENT, at + 1)) {
          const start = at + STATEMENT.length;
          const text = body.toString('latin1', start, body.indexOf(PARAMETERS, start));
          Responses.push({ TableName: 'bench', ...answerStatement(text, existing) });
        }
        calls++;
        items += Responses.filter((answer) => !('Error' in answer)).length;
        mostOpen = Math.max(mostOpen, ++open);
        const answer = () => {
          open--;
          send(response, 200, {
            Responses,
            ConsumedCapacity: [{ TableName: 'bench', CapacityUnits: Responses.length }],
          });
        };
        if (latencyMs > 0) setTimeout(answer, latencyMs);
        else answer();
        return;
      }
      if (target !== 'DynamoDB_20120810.BatchWriteItem') {
        send(response, 400, {
          __type: 'com.amazon.coral.validate#ValidationException',
          message: `no ${target}`,
        });
        return;
      }
      const body = Buffer.concat(chunks);
      const puts = countOf(body, PUT_REQUEST) + countOf(body, DELETE_REQUEST);
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
    /** Write modes: answer statements as a table holding every key (true) or none (false). */
    holdEveryKey: (value: boolean) => {
      existing = value;
    },
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
