import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Attempt,
  type AttemptResult,
  createContainerPool,
  type FunctionCode,
} from './lambda-containers.ts';
import { lambdaContext } from './lambda-context.ts';
import {
  containerPath,
  functionErrorPayload,
  MAX_EVENT_BYTES,
  MAX_REQUEST_BYTES,
  parseInvokePath,
  readBody,
  sendError,
  sendJson,
} from './lambda-http.ts';

export type { FunctionCode } from './lambda-containers.ts';
export type LambdaContext = ReturnType<typeof lambdaContext>;
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export type InvocationType = 'Event' | 'RequestResponse';

/** What happened to one attempt of an invocation (each retry of an async event is its own). */
export type InvocationOutcome = {
  readonly type: InvocationType;
  /** `context.awsRequestId`: Lambda's retries of an async event keep it. */
  readonly requestId: string;
  readonly attempt: number;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: Error;
  /** Killed at its deadline (a container) or overran it (in-process). */
  readonly timedOut: boolean;
  /** An async event that failed and will not be tried again. */
  readonly dropped: boolean;
  /** The container it ran in (unset in-process). */
  readonly containerId?: string;
  /** Set on a cold start: starting the container and loading the module, not counted in `durationMs`. */
  readonly initDurationMs?: number;
};

/** An Invoke request a container sent after its invocation's deadline, which never went out. */
export type LateInvoke = { readonly containerId: string; readonly requestId?: string };

export type LambdaEmulatorOptions = {
  readonly functionName: string;
  /** Runs each invocation in a container (a worker thread) killed at its deadline, as Lambda does. */
  readonly code?: FunctionCode;
  /**
   * Runs each invocation in this process instead (for tests that only record events): an overrun
   * is seen only when the handler returns, and whatever it queued meanwhile went out.
   */
  readonly handler?: LambdaHandler;
  /** The function's timeout: each invocation's context counts down from it. */
  readonly timeoutMs?: number;
  readonly port?: number;
  /** Retries of a failed or timed-out async event, 0 to 2; Lambda's default is 2. */
  readonly maxRetryAttempts?: number;
  /** The wait before the first retry, doubled before the second (Lambda: about 1 and 2 minutes). */
  readonly retryDelayMs?: number;
  /** At most this many invocations run at once; further async events wait in a queue. */
  readonly concurrency?: number;
  readonly onInvocation?: (outcome: InvocationOutcome) => void;
  readonly onLateInvoke?: (late: LateInvoke) => void;
};

export type LambdaEmulator = {
  /** Lambda's endpoint for `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly endpoint: string;
  /** Queues an async invocation, as S3 does for a notification; returns its request id. */
  invokeAsync(event: unknown): string;
  /** Resolves when no invocation is running, queued or waiting for a retry. */
  idle(): Promise<void>;
  /** Counts since the start: containers started and killed, late Invoke requests dropped. */
  stats(): { containersStarted: number; containersKilled: number; lateInvokes: number };
  /** Stops answering requests and stops every container (await `idle()` first to let invocations end). */
  close(): Promise<void>;
};

type Pending = { readonly event: string; readonly requestId: string; readonly attempt: number };

/** A function in this process, with the old in-process semantics (see `handler` above). */
const inProcess = (handler: LambdaHandler, functionName: string) => async (attempt: Attempt) => {
  const started = Date.now();
  const context = {
    ...lambdaContext({ functionName, timeoutMs: attempt.timeoutMs }),
    awsRequestId: attempt.requestId as LambdaContext['awsRequestId'],
  };
  try {
    const result = await handler(JSON.parse(attempt.event), context);
    const durationMs = Date.now() - started;
    if (durationMs <= attempt.timeoutMs) return { result, durationMs, timedOut: false };
    const error = new Error(`Task timed out after ${(attempt.timeoutMs / 1000).toFixed(2)} seconds`);
    return { error, durationMs, timedOut: true };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    return { error, durationMs: Date.now() - started, timedOut: false };
  }
};

/**
 * A local Lambda service for one function: the Invoke API over HTTP (`Event` → 202 and run later,
 * `RequestResponse` → run and return the result), concurrent invocations up to a limit, async
 * retries with the same request id, and (with `code`) containers killed at their deadline whose
 * late Invoke requests are dropped, so a handler that continues its work with `InvokeCommand` runs
 * as it would on AWS.
 */
export const startLambdaEmulator = async (options: LambdaEmulatorOptions): Promise<LambdaEmulator> => {
  const timeoutMs = options.timeoutMs ?? 900_000;
  const maxRetries = options.maxRetryAttempts ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const concurrency = options.concurrency ?? 10;
  if (!options.code === !options.handler)
    throw new Error('startLambdaEmulator needs code or handler, not both');
  const queue: Pending[] = [];
  let running = 0;
  let retriesWaiting = 0;
  let lateInvokes = 0;
  let idleWaiters: (() => void)[] = [];
  let endpoint = '';

  const pool = options.code
    ? createContainerPool(options.code, {
        functionName: options.functionName,
        endpointFor: (containerId) => `${endpoint}${containerPath(containerId)}`,
      })
    : undefined;
  const run: (attempt: Attempt) => Promise<Omit<AttemptResult, 'containerId'> & { containerId?: string }> =
    pool?.run ?? inProcess(options.handler as LambdaHandler, options.functionName);

  const settleIdle = () => {
    if (running > 0 || queue.length > 0 || retriesWaiting > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const next = queue.shift() as Pending;
      running++;
      void run({ ...next, timeoutMs }).then((outcome) => {
        running--;
        const retry = outcome.error !== undefined && next.attempt <= maxRetries;
        options.onInvocation?.({
          type: 'Event',
          requestId: next.requestId,
          attempt: next.attempt,
          ...outcome,
          dropped: outcome.error !== undefined && !retry,
        });
        if (retry) {
          retriesWaiting++;
          setTimeout(() => {
            retriesWaiting--;
            queue.push({ ...next, attempt: next.attempt + 1 });
            pump();
          }, retryDelayMs * next.attempt).unref();
        }
        pump();
        settleIdle();
      });
    }
  };

  const invokeAsync = (event: unknown): string => {
    const requestId = randomUUID();
    queue.push({ event: JSON.stringify(event ?? null), requestId, attempt: 1 });
    pump();
    return requestId;
  };

  const invokeSync = async (event: string) => {
    const requestId = randomUUID();
    running++;
    try {
      const outcome = await run({ event, requestId, timeoutMs });
      options.onInvocation?.({ type: 'RequestResponse', requestId, attempt: 1, ...outcome, dropped: false });
      return { ...outcome, requestId };
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
    const invoke = parseInvokePath(request.method, request.url);
    if (!invoke)
      return sendError(
        response,
        404,
        'UnknownOperationException',
        `unknown operation ${request.method} ${request.url}`,
      );
    if (invoke.containerId !== undefined) {
      const sender = pool?.sender(invoke.containerId);
      if (!sender?.live) {
        // Lambda has stopped (or frozen) that container: the request never leaves it.
        lateInvokes++;
        options.onLateInvoke?.({
          containerId: invoke.containerId,
          ...(sender?.requestId && { requestId: sender.requestId }),
        });
        request.socket.destroy();
        return;
      }
    }
    if (!isThisFunction(invoke.name))
      return sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${invoke.name}`);
    const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const body = await readBody(request);
    const limit = type === 'Event' ? MAX_EVENT_BYTES : MAX_REQUEST_BYTES;
    if (body.byteLength > limit) {
      const message = `Request must be smaller than ${limit} bytes for the InvokeFunction operation`;
      return sendError(response, 413, 'RequestEntityTooLargeException', message);
    }
    let event: unknown = {};
    try {
      if (body.byteLength > 0) event = JSON.parse(body.toString('utf8'));
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
      const requestId = invokeAsync(event);
      return sendJson(response, 202, undefined, { 'x-amzn-requestid': requestId });
    }
    if (type !== 'RequestResponse')
      return sendError(
        response,
        400,
        'InvalidParameterValueException',
        `unknown invocation type ${String(type)}`,
      );
    if (running >= concurrency) return sendError(response, 429, 'TooManyRequestsException', 'Rate Exceeded.');
    const { result, error, requestId } = await invokeSync(JSON.stringify(event));
    const headers = { 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': requestId };
    if (error)
      return sendJson(response, 200, functionErrorPayload(error), {
        ...headers,
        'x-amz-function-error': 'Unhandled',
      });
    return sendJson(response, 200, result ?? null, headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      sendError(response, 500, 'ServiceException', (error as Error).message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, an error (a broken client connection) must not end the process.
  server.on('error', () => undefined);
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    invokeAsync,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    stats: () => {
      const containers = pool?.stats();
      return {
        containersStarted: containers?.started ?? 0,
        containersKilled: containers?.killed ?? 0,
        lateInvokes,
      };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool?.close();
    },
  };
};
