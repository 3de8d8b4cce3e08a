import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { recursionDetectionMiddleware, userAgentMiddleware } from '@aws-sdk/core/client';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest } from '@smithy/core/protocols';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Item } from '../core/item.ts';
import type { SendOutcome } from '../core/write-contract.ts';
import { decodeItem } from './decode-item.ts';
import { batchWriteBody, itemsHoldBinary } from './dynamodb-client.ts';
import { DEFAULT_TIMEOUTS, type HttpAnswer, keepAlivePoster } from './keep-alive-http.ts';
import type { SenderPool, SignSpec } from './sender-pool.ts';

export type LeanWriteOptions = {
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** THREADS > 1: sender threads sign and send each attempt (sender-pool.ts); the retries stay here. */
  readonly senders?: SenderPool;
};

type Config = DynamoDBClient['config'] & {
  signer: (authScheme?: unknown) => Promise<{
    sign(request: HttpRequest, options: Record<string, unknown>): Promise<HttpRequest>;
  }>;
  systemClockOffset: number;
};

/** An error answer as the SDK raises it: the service's error name, message, status and response. */
export class DynamoServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };
  readonly $response: { statusCode: number; headers: IncomingHttpHeaders };
  constructor(name: string, message: string, answer: HttpAnswer) {
    super(message);
    this.name = name;
    this.$fault = answer.status >= 500 ? 'server' : 'client';
    const requestId = answer.headers['x-amzn-requestid'];
    this.$metadata = { httpStatusCode: answer.status, ...(typeof requestId === 'string' && { requestId }) };
    this.$response = { statusCode: answer.status, headers: answer.headers };
  }
}

/** The error's name as the SDK's JSON protocols find it: the `x-amzn-errortype` header, else `code` or `__type`, after any `#`. */
const errorOf = (answer: HttpAnswer): DynamoServiceError => {
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  } catch {}
  const raw = [answer.headers['x-amzn-errortype'], data.code, data.__type].find(
    (value): value is string => typeof value === 'string',
  );
  const name = raw?.split(',')[0]?.split(':')[0]?.split('#').at(-1) || 'UnknownError';
  const message = data.message ?? data.Message;
  return new DynamoServiceError(name, typeof message === 'string' ? message : name, answer);
};

type RetryToken = { getRetryCount(): number; getRetryDelay(): number };
/** The SDK's retry strategy interface (RetryStrategyV2 of @smithy/types), as far as it is used here. */
type RetryStrategyV2 = {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(
    token: RetryToken,
    info: { error: never; errorType: string },
  ): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
};

/** The client's retry strategy; a custom one of the old interface is for the SDK path only. */
const retryStrategyOf = async (config: Config): Promise<RetryStrategyV2> => {
  const strategy = (await config.retryStrategy()) as Partial<RetryStrategyV2>;
  if (!strategy.acquireInitialRetryToken || !strategy.refreshRetryTokenForRetry || !strategy.recordSuccess)
    throw new Error("the lean write path needs a retry strategy of the SDK's current interface");
  return strategy as RetryStrategyV2;
};

/** What the SDK's pipeline resolves per call, resolved once: endpoint, signer, retry strategy, user agent. */
const prepare = async (dynamodb: DynamoDBClient, tableName: string) => {
  const config = dynamodb.config as Config;
  // The endpoint middleware's own resolution, for this operation and table: it reads
  // AWS_ENDPOINT_URL_DYNAMODB and the config files, the region, FIPS and dual-stack, and the account ID.
  const endpoint = await getEndpointFromInstructions(
    { RequestItems: { [tableName]: [] } },
    BatchWriteItemCommand as never,
    config as never,
  );
  const authScheme = (endpoint.properties?.authSchemes as unknown[] | undefined)?.[0];
  const endpointHeaders = Object.fromEntries(
    Object.entries(endpoint.headers ?? {}).map(([name, values]) => [name, values.join(',')]),
  );
  // The user agent as the SDK's middleware writes it, once: only its `m/` list of features differs.
  const userAgent: Record<string, string> = {};
  await userAgentMiddleware(config as never)(async (args) => {
    Object.assign(userAgent, (args.request as HttpRequest).headers);
    return { output: {}, response: {} } as never;
  }, {})({ request: new HttpRequest({ headers: {} }), input: {} });
  const signer = await config.signer(authScheme);
  const region = await config.region();
  const { uriEscapePath = true, applyChecksum = true } = signer as {
    uriEscapePath?: boolean;
    applyChecksum?: boolean;
  };
  return {
    url: endpoint.url,
    endpointHeaders,
    userAgent,
    signer,
    region,
    /** The signer's settings, for the sender threads (`signSpec`). */
    signing: { region, service: 'dynamodb', uriEscapePath, applyChecksum },
    retryStrategy: await retryStrategyOf(config),
    maxAttempts: await config.maxAttempts(),
    config,
  };
};
type Prepared = Awaited<ReturnType<typeof prepare>>;

/**
 * What a sender thread signs with: the SDK signer's own settings (resolved once, in `prepare`) and,
 * per attempt, the client's credentials (its memoized provider: Lambda's role credentials,
 * refreshed before they expire) and the signing date.
 */
const signSpec = async (p: Prepared, signingDate: number): Promise<SignSpec> => {
  const { accessKeyId, secretAccessKey, sessionToken } = await p.config.credentials();
  return {
    ...p.signing,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) },
    signingDate,
  };
};

/** The SDK's retry error types, from its own classification. */
const retryErrorType = (error: unknown) => {
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError)) return 'THROTTLING' as const;
  if (isTransientError(sdkError)) return 'TRANSIENT' as const;
  if (isServerError(sdkError)) return 'SERVER_ERROR' as const;
  return 'CLIENT_ERROR' as const;
};

/**
 * A server whose clock is more than 5 minutes from ours refuses the signature; the SDK then signs
 * with the server's time from the answer's Date header, and retries. So does this.
 */
const correctClockSkew = (config: Config, answer: HttpAnswer, error: DynamoServiceError) => {
  const serverTime = Date.parse(String(answer.headers.date ?? ''));
  if (!Number.isFinite(serverTime)) return;
  const offset = config.systemClockOffset ?? 0;
  if (Math.abs(Date.now() + offset - serverTime) < 300_000) return;
  config.systemClockOffset = serverTime - Date.now();
  (error.$metadata as { clockSkewCorrected?: boolean }).clockSkewCorrected = true;
};

/**
 * One DynamoDB call without the SDK's per-call machinery: a body already in the JSON protocol's
 * bytes, the headers the SDK's middleware would set, signed by the client's own SigV4 signer with the
 * client's credential provider (memoized by the SDK, refreshed before expiry: Lambda's role
 * credentials keep working), sent to the endpoint the client resolves, retried by the client's own
 * retry strategy (same attempts, backoff and retry quota), over kept-alive connections. It resolves
 * to a 2xx answer, or throws the service's error as the SDK raises it. The SDK client stays for
 * every other call.
 */
export const createLeanCall = (
  dynamodb: DynamoDBClient,
  tableName: string,
  options: LeanWriteOptions = {},
) => {
  let prepared: Promise<Prepared> | undefined;
  let poster: ReturnType<typeof keepAlivePoster> | undefined;
  const traceHeaders = recursionDetectionMiddleware();
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
  };

  const attempt = async (p: Prepared, request: HttpRequest, body: Buffer): Promise<HttpAnswer> => {
    // X-Amzn-Trace-Id (and traceparent) in Lambda, as the SDK adds it.
    await traceHeaders(
      async () => ({ output: {}, response: {} }) as never,
      {} as never,
    )({
      request,
      input: {},
    });
    const signingDate = Date.now() + (p.config.systemClockOffset ?? 0);
    if (options.senders) {
      return options.senders.post({
        origin: p.url.origin,
        path: p.url.pathname || '/',
        headers: request.headers,
        body,
        sign: await signSpec(p, signingDate),
        timeouts,
      });
    }
    const signed = await p.signer.sign(request, {
      signingDate: new Date(signingDate),
      signingRegion: p.region,
      signingService: 'dynamodb',
    });
    poster ??= keepAlivePoster(p.url, timeouts);
    return poster.post(p.url.pathname || '/', signed.headers, body);
  };

  /** `operation`: `BatchWriteItem`, `BatchExecuteStatement`. */
  const call = async (operation: string, body: Buffer): Promise<HttpAnswer> => {
    prepared ??= prepare(dynamodb, tableName).catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    const p = await prepared;
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'content-length': String(body.byteLength),
      ...p.userAgent,
      ...p.endpointHeaders,
      host: p.url.host,
      'amz-sdk-invocation-id': randomUUID(),
    };
    // The SDK's retry loop (its retryMiddleware), with its strategy object.
    let token = await p.retryStrategy.acquireInitialRetryToken('');
    for (let attempts = 1; ; attempts = token.getRetryCount() + 1) {
      headers['amz-sdk-request'] = `attempt=${attempts}; max=${p.maxAttempts}`;
      const request = new HttpRequest({
        method: 'POST',
        protocol: p.url.protocol,
        hostname: p.url.hostname,
        port: p.url.port ? Number(p.url.port) : undefined,
        path: p.url.pathname || '/',
        headers: { ...headers },
        body,
      });
      let error: unknown;
      try {
        const answer = await attempt(p, request, body);
        if (answer.status >= 200 && answer.status < 300) {
          p.retryStrategy.recordSuccess(token);
          return answer;
        }
        error = errorOf(answer);
        correctClockSkew(p.config, answer, error as DynamoServiceError);
      } catch (thrown) {
        error = thrown;
      }
      try {
        token = await p.retryStrategy.refreshRetryTokenForRetry(token, {
          error: error as never,
          errorType: retryErrorType(error),
        });
      } catch {
        const metadata = ((error as { $metadata?: object }).$metadata ?? {}) as { attempts?: number };
        if (typeof error === 'object' && error !== null)
          Object.assign(error, { $metadata: { ...metadata, attempts } });
        throw error;
      }
      const delay = token.getRetryDelay();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  return Object.assign(call, { close: () => poster?.close() });
};

/** BatchWriteItem of puts by the lean path (`createLeanCall`), with the body the SDK would send (`batchWriteBody`). */
export const createLeanBatchWrite = (
  dynamodb: DynamoDBClient,
  tableName: string,
  options: LeanWriteOptions = {},
) => {
  const call = createLeanCall(dynamodb, tableName, options);
  const write = async (items: readonly Item[]): Promise<SendOutcome> => {
    const body = Buffer.from(
      batchWriteBody(
        {
          RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
          ReturnConsumedCapacity: 'TOTAL',
        },
        itemsHoldBinary(items),
      ),
    );
    return outcomeOf(await call('BatchWriteItem', body), tableName);
  };
  return Object.assign(write, { close: call.close });
};

type WriteOutput = {
  UnprocessedItems?: Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]>;
  ConsumedCapacity?: { CapacityUnits?: number }[];
};

/** The items DynamoDB left unprocessed, decoded as the SDK decodes them, and the capacity the call consumed. */
const outcomeOf = (answer: HttpAnswer, tableName: string): SendOutcome => {
  const output = JSON.parse(answer.body.toString('utf8')) as WriteOutput;
  const unprocessed = (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
    request.PutRequest?.Item ? [decodeItem(request.PutRequest.Item)] : [],
  );
  const consumedCapacity = output.ConsumedCapacity?.reduce(
    (sum, entry) => sum + (entry.CapacityUnits ?? 0),
    0,
  );
  return { unprocessed, ...(consumedCapacity !== undefined && { consumedCapacity }) };
};
