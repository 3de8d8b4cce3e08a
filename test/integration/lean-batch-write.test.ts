import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch, type WritePath } from '../../src/aws/dynamodb-table.ts';
import { createSenderPool, type SenderPool } from '../../src/aws/sender-pool.ts';
import { ItemRefusedError, RetryableWriteError } from '../../src/core/errors.ts';
import type { Item } from '../../src/core/item.ts';
import { LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { type DynamoFault, startDynamoFaultProxy } from '../support/fault-proxy.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

/** Each path in process (THREADS=1) and through a sender thread (THREADS > 1). */
type Variant = { readonly name: string; readonly path: WritePath; readonly threaded: boolean };
const VARIANTS: Variant[] = [
  { name: 'lean', path: 'lean', threaded: false },
  { name: 'sdk', path: 'sdk', threaded: false },
  { name: 'lean on a sender thread', path: 'lean', threaded: true },
  { name: 'sdk on a sender thread', path: 'sdk', threaded: true },
];

/**
 * One sender thread for the tests of a describe, closed after them. `senders(variant)` is the pool
 * for a threaded variant (nothing for an in-process one); `posts()` counts what went through it.
 */
const useSenderPool = () => {
  let pool: SenderPool | undefined;
  let posts = 0;
  beforeAll(() => {
    pool = createSenderPool(1);
  });
  afterAll(async () => {
    await pool?.close();
  });
  const counted: SenderPool = {
    threads: 1,
    post: (request) => {
      posts++;
      return (pool as SenderPool).post(request);
    },
    close: async () => {},
  };
  return {
    senders: (variant: Variant): { senders?: SenderPool } => (variant.threaded ? { senders: counted } : {}),
    posts: () => posts,
  };
};
const CREDENTIALS = { accessKeyId: 'AKIDLEAN', secretAccessKey: 'secret', sessionToken: 'session-token' };

type Captured = { headers: IncomingHttpHeaders; body: string };

/** A stand-in DynamoDB that records each request and answers `answer` (status and JSON body). */
const startCapture = async (answer: () => [number, unknown]) => {
  const requests: Captured[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const [status, body] = answer();
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const client = (config: DynamoDBClientConfig) =>
  createDynamoDBClient({ region: LOCAL_REGION, credentials: CREDENTIALS, ...config });

const everyType: Item = {
  K: { B: new Uint8Array([0, 1, 2, 250, 255]) },
  s: { S: 'text with "quotes", \\ and ü \u2028 \ud83d\ude00' },
  n: { N: '12345678901234567890.5' },
  negative: { N: '-0.000001' },
  yes: { BOOL: true },
  no: { BOOL: false },
  none: { NULL: true },
  map: { M: { inner: { L: [{ N: '1' }, { S: 'two' }, { B: new Uint8Array([7]) }] }, empty: { M: {} } } },
  list: { L: [] },
  strings: { SS: ['a', 'b'] },
  numbers: { NS: ['1', '2.5'] },
};

/** The signature's parts that differ by the instant and the invocation id; the rest must match. */
const comparable = (headers: IncomingHttpHeaders) => {
  const {
    authorization,
    'x-amz-date': date,
    'amz-sdk-invocation-id': invocation,
    'user-agent': userAgent,
    ...rest
  } = headers;
  expect(invocation).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(date).toMatch(/^\d{8}T\d{6}Z$/);
  return {
    ...rest,
    // Credential scope and signed headers are the same; only the signature differs.
    authorization: String(authorization).replace(/Signature=[0-9a-f]{64}$/, 'Signature=…'),
    // The SDK lists the features a call used (`m/E,P,e`: retry mode, account-ID mode, credentials
    // from code); the lean path's user agent is the SDK's own, written once without that list.
    'user-agent': String(userAgent).replace(/ m\/\S*/, ''),
  };
};

describe('the lean write path and the SDK path', () => {
  const pool = useSenderPool();

  it('send the same body and the same headers (less the signature, date, invocation id and UA features)', async () => {
    const capture = await startCapture(() => [200, { UnprocessedItems: {} }]);
    try {
      const items = [everyType, { K: { B: new Uint8Array([3]) }, n: { N: '7' } }];
      const posted = pool.posts();
      for (const variant of VARIANTS)
        await createSendBatch(client({ endpoint: capture.endpoint }), 'tab', {
          path: variant.path,
          ...pool.senders(variant),
        })(items);
      expect(capture.requests).toHaveLength(VARIANTS.length);
      expect(pool.posts() - posted).toBe(2);
      const [lean, sdk, ...threaded] = capture.requests as [Captured, Captured, ...Captured[]];
      expect(lean.body).toBe(sdk.body);
      expect(comparable(lean.headers)).toEqual(comparable(sdk.headers));
      expect(lean.headers['x-amz-security-token']).toBe('session-token');
      expect(lean.headers['amz-sdk-request']).toMatch(/^attempt=1; max=\d+$/);
      // Through a sender thread: the same bytes and headers as in process.
      for (const request of threaded) {
        expect(request.body).toBe(sdk.body);
        expect(comparable(request.headers)).toEqual(comparable(sdk.headers));
        expect(request.headers.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
      }
    } finally {
      await capture.close();
    }
  });

  it('goes where the SDK resolves the endpoint: AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const capture = await startCapture(() => [200, { UnprocessedItems: {}, ConsumedCapacity: [] }]);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = capture.endpoint;
    try {
      expect(await createSendBatch(client({}), 'tab')([everyType])).toEqual({
        unprocessed: [],
        consumedCapacity: 0,
      });
      expect(capture.requests).toHaveLength(1);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      await capture.close();
    }
  });

  it.each(VARIANTS)(
    '$name: a fatal error carries the service name and message from __type',
    async (variant) => {
      const capture = await startCapture(() => [
        400,
        { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'no table tab' },
      ]);
      try {
        const error = await createSendBatch(client({ endpoint: capture.endpoint }), 'tab', {
          path: variant.path,
          ...pool.senders(variant),
        })([everyType]).catch((thrown: unknown) => thrown as Error);
        expect(error).toMatchObject({ name: 'ResourceNotFoundException', message: 'no table tab' });
        expect(error).not.toBeInstanceOf(RetryableWriteError);
        expect(error).not.toBeInstanceOf(ItemRefusedError);
      } finally {
        await capture.close();
      }
    },
  );

  it.each(VARIANTS.filter(({ path }) => path === 'lean'))(
    '$name: times out a call that gets no answer (the lean path has its own timeouts), as retryable',
    async (variant) => {
      const silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
        const send = createSendBatch(client({ endpoint, maxAttempts: 1 }), 'tab', {
          requestTimeoutMs: 200,
          ...pool.senders(variant),
        });
        const started = Date.now();
        await expect(send([everyType])).rejects.toBeInstanceOf(RetryableWriteError);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    },
  );
});

describe('the lean write path and the SDK path against dynalite through the fault proxy', () => {
  let servers: LocalServers;
  beforeAll(async () => {
    servers = await startTestServers();
    await createTable(servers.dynamodb, 'binary', { name: 'K', type: 'B' });
  });
  afterAll(() => servers.close());
  const pool = useSenderPool();
  const proxies: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  /** What a send through the proxy playing `faults` (the last one repeats) comes to, and how many calls it took. */
  const outcome = async (variant: Variant, faults: DynamoFault[], items: Item[]) => {
    const proxy = await startDynamoFaultProxy(
      servers.dynamodbEndpoint,
      (call) => faults[Math.min(call, faults.length) - 1] as DynamoFault,
    );
    proxies.push(proxy);
    // Two attempts a call keep the SDK's backoff short; both paths read it from the client.
    const send = createSendBatch(client({ endpoint: proxy.endpoint, maxAttempts: 2 }), 'binary', {
      path: variant.path,
      ...pool.senders(variant),
    });
    const posted = pool.posts();
    const result = await send(items).then(
      (value) => ({ value }),
      (error: unknown) => ({
        error: {
          class: (error as Error).constructor.name,
          throttled: (error as RetryableWriteError).throttled,
        },
      }),
    );
    // Every attempt of a threaded variant goes through the sender thread; none of an in-process one.
    expect(pool.posts() - posted).toBe(variant.threaded ? proxy.calls() : 0);
    return { result, calls: proxy.calls() };
  };

  const keys = (count: number) =>
    Array.from(
      { length: count },
      (_, index): Item => ({ ...everyType, K: { B: new Uint8Array([index, 255]) } }),
    );

  const retryable = (throttled: boolean) => ({ error: { class: 'RetryableWriteError', throttled } });
  const written = { value: { unprocessed: [], consumedCapacity: 4 } };
  it.each<[string, DynamoFault[], unknown]>([
    ['throttled every time', ['throttle'], retryable(true)],
    ['throttled once, then written', ['throttle', 'pass'], written],
    ['a 500 every time', ['error'], retryable(false)],
    ['a 500 once, then written', ['error', 'pass'], written],
    ['a dropped connection every time', ['drop'], retryable(false)],
    ['a dropped connection once, then written', ['drop', 'pass'], written],
    ['written', ['pass'], written],
  ])('%s: the same outcome, in the same number of calls', async (_, faults, expected) => {
    const outcomes = [];
    for (const variant of VARIANTS) outcomes.push(await outcome(variant, faults, keys(4)));
    const [lean, sdk, threadedLean, threadedSdk] = outcomes;
    expect(lean).toEqual(sdk);
    expect(lean?.result).toEqual(expected);
    // Through a sender thread: the same outcome in the same number of calls as in process.
    expect(threadedLean).toEqual(lean);
    expect(threadedSdk).toEqual(sdk);
  });

  it.each(VARIANTS)(
    '$name: hands back the unprocessed items decoded as the SDK decodes them, binary included',
    async (variant) => {
      const { result } = await outcome(variant, ['partial'], keys(4));
      expect(result).toEqual({ value: { unprocessed: keys(4).slice(2), consumedCapacity: 2 } });
    },
  );
});
