import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import {
  type InvocationOutcome,
  type LambdaEmulator,
  type LambdaEmulatorOptions,
  type LateInvoke,
  startLambdaEmulator,
} from '../../src/local/lambda-emulator.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/servers.ts';

const HANDLERS = join(PROJECT_ROOT, 'test/fixtures/lambda/handlers.mjs');
const ENV = {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  MARKER: 'the function env',
};

let emulator: LambdaEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** An emulator running one export of the fixture module in containers, recording every attempt. */
const start = async (exportName: string, options: Partial<LambdaEmulatorOptions> = {}) => {
  const outcomes: InvocationOutcome[] = [];
  const late: LateInvoke[] = [];
  emulator = await startLambdaEmulator({
    functionName: 'fn',
    code: { path: HANDLERS, exportName, env: ENV },
    timeoutMs: 5_000,
    retryDelayMs: 10,
    onInvocation: (outcome) => outcomes.push(outcome),
    onLateInvoke: (invoke) => late.push(invoke),
    ...options,
  });
  const client = new LambdaClient({
    endpoint: emulator.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  return { emulator, outcomes, late, client };
};

const payloadOf = (response: { Payload?: Uint8Array }) =>
  JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8'));

describe('startLambdaEmulator() with containers', () => {
  it('runs the handler in a container of its own, with the function env and a counting-down context', async () => {
    const { client } = await start('echo');
    const response = await client.send(new InvokeCommand({ FunctionName: 'fn', Payload: '{"a":1}' }));
    const result = payloadOf(response);
    expect(result).toMatchObject({ event: { a: 1 }, marker: 'the function env', functionName: 'fn' });
    expect(result.threadId).toBeGreaterThan(0);
    expect(result.left).toBeGreaterThan(0);
    expect(result.left).toBeLessThanOrEqual(5_000);
    expect(result.requestId).toBe(response.$metadata.requestId);
  });

  it('reuses a warm container for the next invocation', async () => {
    const { client, outcomes, emulator } = await start('echo');
    const first = payloadOf(await client.send(new InvokeCommand({ FunctionName: 'fn' })));
    const second = payloadOf(await client.send(new InvokeCommand({ FunctionName: 'fn' })));
    expect(second.threadId).toBe(first.threadId);
    expect(outcomes.map((outcome) => outcome.initDurationMs !== undefined)).toEqual([true, false]);
    expect(emulator.stats().containersStarted).toBe(1);
  });

  it('kills a container at its deadline: a hand-over after it never goes out, and Lambda retries', async () => {
    const { emulator, outcomes } = await start('overrun', { timeoutMs: 300, maxRetryAttempts: 1 });
    emulator.invokeAsync({ step: 1 });
    await emulator.idle();
    // Two attempts of the first event, both killed; no step 2 ever ran.
    expect(outcomes.map(({ attempt, timedOut, dropped }) => ({ attempt, timedOut, dropped }))).toEqual([
      { attempt: 1, timedOut: true, dropped: false },
      { attempt: 2, timedOut: true, dropped: true },
    ]);
    expect(outcomes[0]?.error?.message).toBe('Task timed out after 0.30 seconds');
    expect(emulator.stats()).toMatchObject({ containersStarted: 2, containersKilled: 2 });
  });

  it('kills a handler that never yields', async () => {
    const { emulator, outcomes } = await start('spin', { timeoutMs: 200, maxRetryAttempts: 0 });
    emulator.invokeAsync({});
    await emulator.idle();
    expect(outcomes).toMatchObject([{ timedOut: true, dropped: true }]);
  });

  it('drops an Invoke a container sends once its invocation is over', async () => {
    const { emulator, outcomes, late } = await start('leak');
    const requestId = emulator.invokeAsync({ step: 1 });
    await emulator.idle();
    await expect.poll(() => late.length).toBe(1);
    expect(late[0]).toMatchObject({ requestId });
    await emulator.idle();
    expect(outcomes).toHaveLength(1);
    expect(emulator.stats().lateInvokes).toBe(1);
  });

  it('lets the hand-overs made in time through', async () => {
    const { emulator, outcomes } = await start('chain');
    emulator.invokeAsync({ step: 1 });
    await emulator.idle();
    expect(outcomes.map((outcome) => outcome.result).sort()).toEqual([1, 2, 3]);
    expect(outcomes.every((outcome) => outcome.error === undefined)).toBe(true);
  });

  it('retries a failed event twice by default, with the same request id each time', async () => {
    const { emulator, outcomes } = await start('fail');
    const requestId = emulator.invokeAsync({});
    await emulator.idle();
    expect(outcomes.map(({ attempt, dropped }) => ({ attempt, dropped }))).toEqual([
      { attempt: 1, dropped: false },
      { attempt: 2, dropped: false },
      { attempt: 3, dropped: true },
    ]);
    expect(outcomes.map((outcome) => outcome.requestId)).toEqual([requestId, requestId, requestId]);
    // The handler saw that id as context.awsRequestId on every attempt.
    expect(outcomes.map((outcome) => outcome.error?.message)).toEqual(Array(3).fill(`failed ${requestId}`));
  });

  it('runs events concurrently up to its limit; the others wait', async () => {
    const { emulator, outcomes } = await start('slow', { concurrency: 3 });
    for (let n = 0; n < 7; n++) emulator.invokeAsync({ ms: 300 });
    await emulator.idle();
    const spans = outcomes.map((outcome) => outcome.result as { start: number; end: number });
    // The most handlers running at one moment: sweep their starts (+1) and ends (-1) in time order.
    const steps = spans.flatMap(({ start, end }) => [
      [start, 1],
      [end, -1],
    ]);
    steps.sort(([a, da], [b, db]) => (a as number) - (b as number) || (da as number) - (db as number));
    let now = 0;
    const most = Math.max(...steps.map(([, delta]) => (now += delta as number)));
    expect(spans).toHaveLength(7);
    expect(most).toBe(3);
    expect(emulator.stats().containersStarted).toBe(3);
  });

  it('answers a synchronous call over the limit with 429, as Lambda does', async () => {
    const { emulator, client } = await start('slow', { concurrency: 1 });
    emulator.invokeAsync({ ms: 1_000 });
    await expect(client.send(new InvokeCommand({ FunctionName: 'fn', Payload: '{}' }))).rejects.toMatchObject(
      {
        name: 'TooManyRequestsException',
      },
    );
    await emulator.idle();
  });

  it('fails the invocation when the module cannot be loaded', async () => {
    const { emulator, outcomes } = await start('missing', { maxRetryAttempts: 0 });
    emulator.invokeAsync({});
    await emulator.idle();
    expect(outcomes).toMatchObject([
      { dropped: true, error: { message: expect.stringContaining('missing()') } },
    ]);
  });
});
