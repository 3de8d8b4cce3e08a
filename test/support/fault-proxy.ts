import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

/**
 * Fault-injecting HTTP proxies for the local servers: the faults DynamoDB and S3 produce under load
 * or in an outage, which dynalite and s3rver never do on their own. Every decision comes from a
 * schedule, so a seeded schedule replays the same faults.
 */

export const DynamoFault = {
  pass: 'pass',
  /** 400 ProvisionedThroughputExceededException, as a throttled call gets. */
  throttle: 'throttle',
  /** Forwards part of a BatchWriteItem and answers with the rest as UnprocessedItems. */
  partial: 'partial',
  /** 500 InternalServerError. */
  error: 'error',
  /** Closes the connection without an answer. */
  drop: 'drop',
} as const;
export type DynamoFault = (typeof DynamoFault)[keyof typeof DynamoFault];

/** Decides the fate of the `call`-th BatchWriteItem (from 1) of `items` puts; other operations always pass. */
export type DynamoSchedule = (call: number, items: number) => DynamoFault;

type Proxy = { readonly endpoint: string; close(): Promise<void> };

/** The whole body of a request or answer. */
export const readBody = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** A proxy server on a free 127.0.0.1 port; a handler that throws drops the connection. */
export const listen = async (
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
) => {
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** Sends a request on to the real server; resolves to its response, unread. */
export const forward = (target: URL, agent: Agent, request: IncomingMessage, body?: Buffer) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const headers = { ...request.headers, host: target.host };
    if (body) headers['content-length'] = String(body.byteLength);
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent },
      resolve,
    );
    outgoing.once('error', reject);
    if (body) outgoing.end(body);
    else request.pipe(outgoing);
  });

/** Answers as DynamoDB does (JSON 1.0 with its CRC32 header). */
export const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(bytes.byteLength),
    'x-amz-crc32': String(crc32(bytes)),
    'x-amzn-requestid': `fault-${Date.now()}`,
  });
  response.end(bytes);
};

const dynamoError = (type: string, message: string) => ({
  __type: `com.amazonaws.dynamodb.v20120810#${type}`,
  message,
});

type WriteRequests = { RequestItems: Record<string, unknown[]>; [other: string]: unknown };

/** A proxy in front of dynalite that plays `schedule` on BatchWriteItem calls. */
export const startDynamoFaultProxy = async (target: string, schedule: DynamoSchedule) => {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const faults: Record<DynamoFault, number> = { pass: 0, throttle: 0, partial: 0, error: 0, drop: 0 };
  let calls = 0;
  /** Requests seen per operation (`DescribeTable`, `BatchWriteItem`, …). */
  const operations: Record<string, number> = {};
  const proxy: Proxy = await listen(async (request, response) => {
    const body = await readBody(request);
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    operations[operation] = (operations[operation] ?? 0) + 1;
    const isBatchWrite = request.headers['x-amz-target'] === 'DynamoDB_20120810.BatchWriteItem';
    const input = isBatchWrite ? (JSON.parse(body.toString('utf8')) as WriteRequests) : undefined;
    const [table, writes = []] = Object.entries(input?.RequestItems ?? {})[0] ?? [];
    // Write modes' PartiQL calls take the same schedule; `partial` answers half their statements throttled.
    const statements =
      operation === 'BatchExecuteStatement'
        ? (JSON.parse(body.toString('utf8')) as { Statements: unknown[] })
        : undefined;
    const fault =
      input || statements
        ? schedule(++calls, writes.length || statements?.Statements.length || 0)
        : DynamoFault.pass;
    if (statements && fault === 'partial' && statements.Statements.length >= 2) {
      faults[fault]++;
      const kept = Math.ceil(statements.Statements.length / 2);
      const reduced = { ...statements, Statements: statements.Statements.slice(0, kept) };
      const answer = await forward(url, agent, request, Buffer.from(JSON.stringify(reduced)));
      const output = JSON.parse((await readBody(answer)).toString('utf8')) as { Responses?: unknown[] };
      if (answer.statusCode !== 200) return sendJson(response, answer.statusCode ?? 500, output);
      const throttled = statements.Statements.slice(kept).map(() => ({
        Error: { Code: 'ProvisionedThroughputExceeded', Message: 'throttled by the fault proxy' },
      }));
      return sendJson(response, 200, { ...output, Responses: [...(output.Responses ?? []), ...throttled] });
    }
    faults[fault]++;
    switch (fault) {
      case 'throttle':
        return sendJson(
          response,
          400,
          dynamoError(
            'ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table was exceeded.',
          ),
        );
      case 'error':
        return sendJson(response, 500, dynamoError('InternalServerError', 'Internal server error'));
      case 'drop':
        request.socket.destroy();
        return;
      case 'partial': {
        if (!input || table === undefined || writes.length < 2) break;
        const kept = Math.ceil(writes.length / 2);
        const reduced = { ...input, RequestItems: { [table]: writes.slice(0, kept) } };
        const answer = await forward(url, agent, request, Buffer.from(JSON.stringify(reduced)));
        const output = JSON.parse((await readBody(answer)).toString('utf8')) as Record<string, unknown>;
        if (answer.statusCode !== 200) return sendJson(response, answer.statusCode ?? 500, output);
        return sendJson(response, 200, { ...output, UnprocessedItems: { [table]: writes.slice(kept) } });
      }
      case 'pass':
        break;
    }
    const answer = await forward(url, agent, request, body);
    response.writeHead(answer.statusCode ?? 500, answer.headers);
    answer.pipe(response);
  });
  return {
    ...proxy,
    faults,
    operations,
    calls: () => calls,
    close: async () => {
      agent.destroy();
      await proxy.close();
    },
  };
};

/**
 * A provisioned table's meter: `wcu` items a second with `burstSeconds` of unused capacity banked;
 * a call the bank cannot pay for in full is throttled.
 */
export const capacitySchedule = (wcu: number, burstSeconds: number): DynamoSchedule => {
  let tokens = wcu * burstSeconds;
  let at = Date.now();
  return (_call, items) => {
    const now = Date.now();
    tokens = Math.min(wcu * burstSeconds, tokens + ((now - at) / 1000) * wcu);
    at = now;
    if (tokens < items) return DynamoFault.throttle;
    tokens -= items;
    return DynamoFault.pass;
  };
};

/** A deterministic pseudo-random sequence (mulberry32) for seeded schedules. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
};

/** Each call meets a fault with the given probabilities (the rest pass), replayably by seed. */
export const seededSchedule = (seed: number, rates: Partial<Record<DynamoFault, number>>): DynamoSchedule => {
  const random = seededRandom(seed);
  return () => {
    let roll = random();
    for (const [fault, rate] of Object.entries(rates) as [DynamoFault, number][]) {
      if (roll < rate) return fault;
      roll -= rate;
    }
    return DynamoFault.pass;
  };
};

/**
 * A proxy in front of s3rver that cuts the body of a GetObject of `key` after `bytes` bytes
 * (headers sent, connection closed) while `active()` says so; everything else passes.
 */
export const startS3CutProxy = async (
  target: string,
  options: { readonly key: string; readonly bytes: number; readonly active: () => boolean },
) => {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let cuts = 0;
  const proxy: Proxy = await listen(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    const cut = request.method === 'GET' && path.endsWith(`/${options.key}`) && options.active();
    const answer = await forward(url, agent, request);
    response.writeHead(answer.statusCode ?? 500, answer.headers);
    if (!cut) {
      answer.pipe(response);
      return;
    }
    cuts++;
    response.flushHeaders();
    let sent = 0;
    answer.on('data', (chunk: Buffer) => {
      const room = options.bytes - sent;
      sent += chunk.byteLength;
      if (sent < options.bytes) {
        response.write(chunk);
        return;
      }
      // The bytes before the cut reach the client; then the connection drops mid-body.
      answer.destroy();
      response.write(chunk.subarray(0, room), () => response.socket?.destroy());
    });
  });
  return {
    ...proxy,
    cuts: () => cuts,
    close: async () => {
      agent.destroy();
      await proxy.close();
    },
  };
};
