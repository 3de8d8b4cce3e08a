import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Event } from '../../src/core/s3-event.ts';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import {
  type InvocationOutcome,
  type LambdaEmulator,
  type LateInvoke,
  startLambdaEmulator,
} from '../../src/local/lambda-emulator.ts';
import { createSequencer, withSequencer } from '../../src/local/sequencer.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { seededRandom } from './fault-proxy.ts';

export type S3Event = ReturnType<typeof s3Event>;

export type LambdaRunnerOptions = {
  /** s3rver and DynamoDB, started by the test (startTestServers). */
  readonly servers: LocalServers;
  readonly bucket: string;
  /** The function's settings: TABLE_NAME at least; SPEC's defaults for the prefixes. */
  readonly env: Record<string, string>;
  /** Where the function sends its DynamoDB calls (a capacity or fault proxy); the servers' own unless set. */
  readonly dynamodbEndpoint?: string;
  readonly functionName?: string;
  /** The function's timeout; 900 s unless set. */
  readonly timeoutMs?: number;
  /** Lambda's default (2) unless set. */
  readonly maxRetryAttempts?: number;
  /** Lambda waits about a minute; tests 50 ms unless set (doubled before the second retry). */
  readonly retryDelayMs?: number;
  /** Lambda's concurrency; 10 unless set. */
  readonly concurrency?: number;
};

/**
 * The built handler (dist/index.mjs, as `npm run build` left it) run as Lambda runs it: in
 * containers killed at their deadline, async events retried with their request id, invocations
 * concurrent. S3 events are sent by the test, so that it can send them several at once,
 * duplicated or out of order; each upload gets a growing `sequencer`, as S3 gives one per key.
 */
export const startLambdaRunner = async (options: LambdaRunnerOptions) => {
  const { servers, bucket } = options;
  const functionName = options.functionName ?? 'csv2ddb-test';
  const outcomes: InvocationOutcome[] = [];
  const late: LateInvoke[] = [];
  const lambda: LambdaEmulator = await startLambdaEmulator({
    functionName,
    code: {
      path: join(PROJECT_ROOT, 'dist/index.mjs'),
      env: {
        ...servers.env,
        ...(options.dynamodbEndpoint && { AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint }),
        SOURCE_BUCKET: bucket,
        UPLOAD_PREFIX: 'incoming/',
        REPORT_PREFIX: 'reports/',
        REJECTED_PREFIX: 'rejected/',
        POWERTOOLS_METRICS_DISABLED: 'true',
        LOG_LEVEL: 'ERROR',
        ...options.env,
      },
    },
    timeoutMs: options.timeoutMs ?? 900_000,
    maxRetryAttempts: options.maxRetryAttempts ?? 2,
    retryDelayMs: options.retryDelayMs ?? 50,
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    onInvocation: (outcome) => outcomes.push(outcome),
    onLateInvoke: (invoke) => late.push(invoke),
  });
  const nextSequencer = createSequencer();

  /** Uploads an object and returns the event S3 would send for it (not sent yet). */
  const upload = async (key: string, body: string | Uint8Array): Promise<S3Event> => {
    const put = await servers.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const head = await servers.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const event = s3Event({
      bucket,
      key,
      ...(head.ETag && { eTag: head.ETag }),
      ...(head.ContentLength !== undefined && { size: head.ContentLength }),
      ...((put.VersionId ?? head.VersionId) && { versionId: put.VersionId ?? head.VersionId }),
    });
    return withSequencer(event, nextSequencer());
  };

  /** Sends each event as an async invocation, in the order given; returns their request ids. */
  const send = (...events: unknown[]): string[] => events.map((event) => lambda.invokeAsync(event));

  return {
    lambda,
    /** Every attempt so far, in the order they ended. */
    outcomes,
    /** Invoke requests sent after their invocation's deadline (dropped, as Lambda never sends them). */
    late,
    functionName,
    upload,
    send,
    /** Uploads, sends the event, and waits until every invocation (continuations, retries) is over. */
    async ingest(key: string, body: string | Uint8Array) {
      send(await upload(key, body));
      await lambda.idle();
    },
    /** Resolves when nothing runs, waits in the queue or waits for a retry. */
    idle: () => lambda.idle(),
    close: () => lambda.close(),
  };
};

export type LambdaRunner = Awaited<ReturnType<typeof startLambdaRunner>>;

/** Each event `times` times in a row: S3's at-least-once delivery. */
export const duplicated = <Event>(events: readonly Event[], times = 2): Event[] =>
  events.flatMap((event) => Array.from({ length: times }, () => structuredClone(event)));

/** The events in a seeded random order: S3 sends notifications in no set order. */
export const shuffled = <Event>(events: readonly Event[], seed: number): Event[] => {
  const random = seededRandom(seed);
  const order = [...events];
  for (let at = order.length - 1; at > 0; at--) {
    const other = Math.floor(random() * (at + 1));
    [order[at], order[other]] = [order[other] as Event, order[at] as Event];
  }
  return order;
};
