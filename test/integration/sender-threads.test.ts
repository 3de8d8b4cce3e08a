import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HttpRequest } from '@smithy/core/protocols';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch } from '../../src/aws/dynamodb-table.ts';
import { createSenderPool, type SenderPool } from '../../src/aws/sender-pool.ts';
import type { Item } from '../../src/core/item.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalServers } from '../../src/local/servers.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

type Captured = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };

/**
 * A stand-in DynamoDB that records each request; `answer(n)` for the n-th request (from 1) is its
 * status and JSON body, after `delayMs`, or `undefined` to never answer.
 */
const startCapture = async (
  answer: (n: number) => { status: number; body: unknown; delayMs?: number } | undefined,
) => {
  const requests: Captured[] = [];
  const arrived: (() => void)[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      for (const wake of arrived.splice(0)) wake();
      const reply = answer(requests.length);
      if (!reply) return;
      setTimeout(() => {
        response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** Resolves once `count` requests have arrived. */
    async received(count: number) {
      while (requests.length < count) await new Promise<void>((resolve) => arrived.push(resolve));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
type Capture = Awaited<ReturnType<typeof startCapture>>;

const TIMEOUTS = { connectTimeoutMs: 3_000, requestTimeoutMs: 30_000 };
const item: Item = { K: { B: new Uint8Array([1, 2, 3]) }, s: { S: 'ü \ud83d\ude00' }, n: { N: '1.5' } };

const pools: SenderPool[] = [];
const captures: Capture[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(captures.splice(0).map((capture) => capture.close()));
});
const pool = (threads = 1) => {
  const created = createSenderPool(threads);
  pools.push(created);
  return created;
};
const capture = async (answer: Parameters<typeof startCapture>[0]) => {
  const started = await startCapture(answer);
  captures.push(started);
  return started;
};
const ok = () => ({ status: 200, body: { UnprocessedItems: {} } });

describe('a sender thread signs as the SDK signs', () => {
  it.each([
    ['long-term credentials', { accessKeyId: 'AKIDTHREAD', secretAccessKey: 'thread-secret' }],
    [
      'a session token',
      { accessKeyId: 'ASIATHREAD', secretAccessKey: 'thread-secret', sessionToken: 'the-session-token' },
    ],
  ])('with %s: the SDK signer computes the same Authorization for what was sent', async (_, credentials) => {
    const server = await capture(ok);
    const client = createDynamoDBClient({ endpoint: server.endpoint, region: LOCAL_REGION, credentials });
    const senders = pool();
    await createSendBatch(client, 'tab', { path: 'lean', senders })([item]);
    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests as [Captured];
    expect(sent.headers['x-amz-security-token']).toBe(
      'sessionToken' in credentials ? credentials.sessionToken : undefined,
    );

    // What was sent, less its signature, signed again by the client's own signer at the same instant.
    const { authorization, ...unsigned } = sent.headers;
    const date = String(sent.headers['x-amz-date']);
    const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(date) ?? [];
    const signingDate = new Date(
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)),
    );
    const url = new URL(sent.url, server.endpoint);
    const signer = await (
      client.config as unknown as {
        signer: () => Promise<{ sign(request: HttpRequest, options: object): Promise<HttpRequest> }>;
      }
    ).signer();
    const resigned = await signer.sign(
      new HttpRequest({
        method: sent.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: Object.fromEntries(Object.entries(unsigned).map(([name, value]) => [name, String(value)])),
        body: sent.body,
      }),
      { signingDate, signingRegion: LOCAL_REGION, signingService: 'dynamodb' },
    );
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/${LOCAL_REGION}/dynamodb/aws4_request, `,
      ),
    );
    expect(resigned.headers.authorization).toBe(authorization);
  });
});

describe('a sender thread that stops', () => {
  /** The sender threads created while `run` runs, as Node announces them (`process.on('worker')`). */
  const watchWorkers = () => {
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => workers.push(worker);
    process.on('worker', onWorker);
    return { workers, stop: () => process.off('worker', onWorker) };
  };

  it('fails its request as a dropped connection (ECONNRESET), and the next request starts a new thread', async () => {
    const watch = watchWorkers();
    try {
      const hanging = await capture(() => undefined);
      const senders = pool();
      // Node announces a new thread on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(watch.workers).toHaveLength(1);
      const first = watch.workers[0] as Worker;
      const request = {
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        timeouts: TIMEOUTS,
      };
      const outcome = senders.post({ ...request, origin: hanging.endpoint, body: '{}' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await hanging.received(1);
      await first.terminate();
      const error = await outcome;
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        code: 'ECONNRESET',
        message: expect.stringMatching(/^sender thread stopped/),
      });

      const answering = await capture(ok);
      const answer = await senders.post({ ...request, origin: answering.endpoint, body: '{"again":true}' });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ UnprocessedItems: {} });
      expect(answering.requests[0]?.body.toString('utf8')).toBe('{"again":true}');
      expect(watch.workers).toHaveLength(2);
      expect(watch.workers[1]?.threadId).not.toBe(first.threadId);
    } finally {
      watch.stop();
    }
  });

  it('a write whose thread stops mid-request is retried on a new thread and written once', async () => {
    const watch = watchWorkers();
    try {
      // The first attempt gets no answer; the thread holding it stops; the retry is answered.
      const server = await capture((n) => (n === 1 ? undefined : ok()));
      const client = createDynamoDBClient({
        endpoint: server.endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        maxAttempts: 2,
      });
      const send = createSendBatch(client, 'tab', { path: 'lean', senders: pool() });
      const sending = send([item]);
      await server.received(1);
      await (watch.workers[0] as Worker).terminate();
      expect(await sending).toEqual({ unprocessed: [] });
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]?.headers['amz-sdk-request']).toBe('attempt=2; max=2');
      expect(server.requests[1]?.body).toEqual(server.requests[0]?.body);
      expect(watch.workers).toHaveLength(2);
    } finally {
      watch.stop();
    }
  });
});

describe('sender threads and the life of the process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv2ddb-senders-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const POOL_MODULE = pathToFileURL(join(process.cwd(), 'src/aws/sender-pool.ts')).href;

  /** Runs `code` as a TypeScript script under tsx; its output and exit code, or `timedOut` after `limitMs`. */
  const runScript = async (name: string, code: string, limitMs: number) => {
    const script = join(dir, name);
    await writeFile(script, code);
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const started = Date.now();
    const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: null, timedOut: true });
      }, limitMs);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, timedOut: false });
      });
    });
    return { ...result, stdout, stderr, ms: Date.now() - started };
  };

  it('a request out keeps the process alive until its answer; then the process ends by itself', async () => {
    const server = await capture(() => ({ status: 200, body: { late: true }, delayMs: 300 }));
    const run = await runScript(
      'one-request.ts',
      `import { createSenderPool } from ${JSON.stringify(POOL_MODULE)};
const senders = createSenderPool(1);
senders
  .post({
    origin: ${JSON.stringify(server.endpoint)},
    path: '/',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    timeouts: { connectTimeoutMs: 3000, requestTimeoutMs: 30000 },
  })
  .then((answer) => console.log('status', answer.status, answer.body.toString('utf8')));
`,
      20_000,
    );
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ timedOut: false, code: 0, stdout: 'status 200 {"late":true}\n' });
    expect(server.requests).toHaveLength(1);
  });

  it('an idle pool does not keep the process alive', async () => {
    const run = await runScript(
      'idle.ts',
      `import { createSenderPool } from ${JSON.stringify(POOL_MODULE)};
createSenderPool(2);
console.log('created');
`,
      10_000,
    );
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ timedOut: false, code: 0, stdout: 'created\n' });
  });
});

describe('a sender thread writes to DynamoDB', () => {
  let servers: LocalServers;
  beforeAll(async () => {
    servers = await startTestServers();
    await createTable(servers.dynamodb, 'threaded', { name: 'K', type: 'B' });
  });
  afterAll(() => servers.close());

  it('with several threads, every write lands once, as sent', async () => {
    const senders = pool(2);
    const send = createSendBatch(
      createDynamoDBClient({
        endpoint: servers.dynamodbEndpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      'threaded',
      { path: 'lean', senders },
    );
    const batches = Array.from({ length: 8 }, (_, batch) =>
      Array.from(
        { length: 25 },
        (_, index): Item => ({
          K: { B: new Uint8Array([batch, index]) },
          v: { N: String(batch * 25 + index) },
        }),
      ),
    );
    const outcomes = await Promise.all(batches.map((batch) => send(batch)));
    expect(outcomes.every(({ unprocessed }) => unprocessed.length === 0)).toBe(true);
    for (const batch of [0, 7]) {
      const { Item: written } = await servers.dynamodb.send(
        new GetItemCommand({ TableName: 'threaded', Key: { K: { B: new Uint8Array([batch, 24]) } } }),
      );
      expect(written).toEqual({ K: { B: new Uint8Array([batch, 24]) }, v: { N: String(batch * 25 + 24) } });
    }
  });
});
