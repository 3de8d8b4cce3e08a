import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaContext } from './lambda-context.ts';

export type LambdaContext = ReturnType<typeof lambdaContext>;
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export type InvocationType = 'Event' | 'RequestResponse';

/** What happened to one invocation (each retry of an async event is its own). */
export type InvocationOutcome = {
  readonly type: InvocationType;
  readonly attempt: number;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: Error;
  /** An async event that failed and will not be tried again. */
  readonly dropped: boolean;
};

export type LambdaEmulatorOptions = {
  readonly functionName: string;
  readonly handler: LambdaHandler;
  /** The function's timeout: each invocation's context counts down from it. */
  readonly timeoutMs?: number;
  readonly port?: number;
  /** Retries of a failed async event; Lambda's default is 2 (and 0 to 2 can be set). */
  readonly maxRetryAttempts?: number;
  /** Lambda waits a minute or more before a retry; locally a short pause will do. */
  readonly retryDelayMs?: number;
  /** At most this many invocations run at once; further async events wait in a queue. */
  readonly concurrency?: number;
  readonly onInvocation?: (outcome: InvocationOutcome) => void;
};

export type LambdaEmulator = {
  /** Lambda's endpoint for `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly endpoint: string;
  /** Queues an async invocation, as S3 does for a notification. */
  invokeAsync(event: unknown): void;
  /** Resolves when no invocation is running, queued or waiting for a retry. */
  idle(): Promise<void>;
  /** Stops answering requests; invocations still running go on (await `idle()` first to let them end). */
  close(): Promise<void>;
};

// Lambda's payload limits: 256 KB for an async event, 6 MB for a synchronous request.
const MAX_EVENT_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

type Json = Record<string, unknown>;

const sendJson = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
};

/** An error as Lambda's REST API reports it; the SDK reads the type from the header. */
const sendError = (response: ServerResponse, status: number, type: string, message: string) =>
  sendJson(response, status, { Type: 'User', message }, { 'x-amzn-errortype': type });

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * A tiny local Lambda service for one function, in this process: the Invoke API over HTTP
 * (`Event` → 202 and run later, `RequestResponse` → run and return the result), so a handler
 * that continues its work with `InvokeCommand` runs the same way as on AWS.
 */
export const startLambdaEmulator = async (options: LambdaEmulatorOptions): Promise<LambdaEmulator> => {
  const timeoutMs = options.timeoutMs ?? 900_000;
  const maxRetries = options.maxRetryAttempts ?? 0;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const concurrency = options.concurrency ?? 10;
  const queue: { event: unknown; attempt: number }[] = [];
  let running = 0;
  let retriesWaiting = 0;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (running > 0 || queue.length > 0 || retriesWaiting > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Runs the handler once with a fresh context; an overrun counts as Lambda's timeout. */
  const run = async (event: unknown): Promise<{ result?: unknown; error?: Error; durationMs: number }> => {
    const started = Date.now();
    const context = lambdaContext({ functionName: options.functionName, timeoutMs });
    try {
      const result = await options.handler(event, context);
      const durationMs = Date.now() - started;
      if (durationMs > timeoutMs) {
        return {
          error: new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
          durationMs,
        };
      }
      return { result, durationMs };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      return { error, durationMs: Date.now() - started };
    }
  };

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const next = queue.shift() as { event: unknown; attempt: number };
      running++;
      void run(next.event).then(({ result, error, durationMs }) => {
        running--;
        const retry = error !== undefined && next.attempt <= maxRetries;
        options.onInvocation?.({
          type: 'Event',
          attempt: next.attempt,
          durationMs,
          ...(error ? { error } : { result }),
          dropped: error !== undefined && !retry,
        });
        if (retry) {
          retriesWaiting++;
          setTimeout(() => {
            retriesWaiting--;
            queue.push({ event: next.event, attempt: next.attempt + 1 });
            pump();
          }, retryDelayMs).unref();
        }
        pump();
        settleIdle();
      });
    }
  };

  const invokeAsync = (event: unknown) => {
    queue.push({ event, attempt: 1 });
    pump();
  };

  const invokeSync = async (event: unknown) => {
    running++;
    try {
      const outcome = await run(event);
      options.onInvocation?.({ type: 'RequestResponse', attempt: 1, ...outcome, dropped: false });
      return outcome;
    } finally {
      running--;
      settleIdle();
    }
  };

  // A name, a partial ARN or a full ARN, optionally with the $LATEST qualifier.
  const isThisFunction = (name: string) => {
    const bare = name.replace(/:\$LATEST$/, '');
    return bare === options.functionName || bare.endsWith(`:function:${options.functionName}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = request.method === 'POST' ? INVOKE_PATH.exec(url.pathname) : null;
    if (!match)
      return sendError(
        response,
        404,
        'UnknownOperationException',
        `unknown operation ${request.method} ${url.pathname}`,
      );
    const name = decodeURIComponent(match[1] as string);
    if (!isThisFunction(name))
      return sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const body = await readBody(request);
    const limit = type === 'Event' ? MAX_EVENT_BYTES : MAX_REQUEST_BYTES;
    if (body.byteLength > limit) {
      return sendError(
        response,
        413,
        'RequestEntityTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      );
    }
    let event: unknown = {};
    try {
      if (body.byteLength > 0) event = JSON.parse(body.toString('utf8')) as Json;
    } catch {
      return sendError(
        response,
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json',
      );
    }
    if (type === 'DryRun') return sendJson(response, 204, undefined);
    if (type === 'Event') {
      invokeAsync(event);
      return sendJson(response, 202, undefined);
    }
    if (type !== 'RequestResponse') {
      return sendError(
        response,
        400,
        'InvalidParameterValueException',
        `unknown invocation type ${String(type)}`,
      );
    }
    const { result, error } = await invokeSync(event);
    const headers = { 'x-amz-executed-version': '$LATEST' };
    if (error) {
      return sendJson(
        response,
        200,
        { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] },
        { ...headers, 'x-amz-function-error': 'Unhandled' },
      );
    }
    return sendJson(response, 200, result ?? null, headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      sendError(response, 500, 'ServiceException', (error as Error).message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    invokeAsync,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
