import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter, type SendBatch } from '../../src/core/batch-writer.ts';
import type { Item } from '../../src/core/item.ts';
import { createPacer, writeUnits } from '../../src/core/pacer.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const small = (id: number): Item => ({ id: { S: `i-${id}` }, size: { N: '1' } });

/** Runs `work` on the fake clock; resolves to its result and the simulated seconds it took. */
const timed = async <T>(work: Promise<T>): Promise<{ result: T; seconds: number }> => {
  const started = Date.now();
  let result: T | undefined;
  const done = work.then((value) => {
    result = value;
  });
  await vi.runAllTimersAsync();
  await done;
  return { result: result as T, seconds: (Date.now() - started) / 1000 };
};

/**
 * A provisioned table as DynamoDB meters it: `wcu` units a second, with some seconds of unused
 * capacity banked for bursts; a call over the budget gets its excess items back unprocessed.
 */
const provisionedTable = (wcu: number, burstSeconds: number) => {
  let tokens = wcu * burstSeconds;
  let at = Date.now();
  const stats = { items: 0, throttledCalls: 0 };
  const send: SendBatch = async (items) => {
    tokens = Math.min(wcu * burstSeconds, tokens + ((Date.now() - at) / 1000) * wcu);
    at = Date.now();
    const accepted = Math.max(0, Math.min(items.length, Math.floor(tokens)));
    tokens -= accepted;
    stats.items += accepted;
    if (accepted < items.length) stats.throttledCalls++;
    return { unprocessed: items.slice(accepted) };
  };
  return { send, stats };
};

const writeRows = async (send: SendBatch, rows: number, pacer?: ReturnType<typeof createPacer>) => {
  const writer = new BatchWriter({
    send,
    keyIdOf: (item) => (item.id as { S: string }).S,
    concurrency: 16,
    maxAttempts: 1_000,
    ...(pacer && { pacer }),
    onWritten: () => undefined,
    onRejected: () => undefined,
  });
  for (let row = 0; row < rows; row++) {
    await writer.put({ item: small(row), keyId: `i-${row}`, row, fields: [] });
  }
  await writer.flush();
  return writer.stats;
};

describe('writeUnits()', () => {
  it.each([
    { name: 'a small item', item: { id: { S: 'x' } }, units: 1 },
    { name: 'an item of exactly 1 KB', item: { id: { S: 'x'.repeat(1022) } }, units: 1 },
    { name: 'an item of 2.5 KB', item: { id: { S: 'x'.repeat(2558) } }, units: 3 },
  ])('counts $name as $units unit(s)', ({ item, units }) => {
    expect(writeUnits(item)).toBe(units);
  });
});

describe('createPacer()', () => {
  it('writes a 5-WCU table at about 5 items a second, with few throttled calls', async () => {
    const table = provisionedTable(5, 10);
    const pacer = createPacer({ writeCapacity: 5, maxConcurrency: 16 });
    const { result: stats, seconds } = await timed(writeRows(table.send, 200, pacer));
    expect(table.stats.items).toBe(200);
    expect(200 / seconds).toBeGreaterThan(4.5);
    expect(200 / seconds).toBeLessThan(5.5);
    expect(table.stats.throttledCalls).toBeLessThanOrEqual(1);
    expect(stats.throttles).toBe(table.stats.throttledCalls);
  });

  it('is what keeps the throttling down: without it the same table refuses call after call', async () => {
    const table = provisionedTable(5, 10);
    await timed(writeRows(table.send, 200));
    expect(table.stats.items).toBe(200);
    expect(table.stats.throttledCalls).toBeGreaterThan(5);
  });

  it('never waits on an on-demand table', async () => {
    const pacer = createPacer({ maxConcurrency: 8 });
    const { seconds } = await timed(pacer.acquire(Array.from({ length: 25 }, (_, id) => small(id))));
    expect(seconds).toBe(0);
    expect(pacer.rate()).toBeUndefined();
  });

  it('charges an item by its size in KB', async () => {
    const pacer = createPacer({ writeCapacity: 10, maxConcurrency: 1 });
    const large = { id: { S: 'x'.repeat(4000) } };
    // 10 units banked; 4 items of 4 KB need 16: the last 6 take 0.6 s to earn.
    const { seconds } = await timed(pacer.acquire([large, large, large, large]));
    expect(seconds).toBeCloseTo(0.6, 2);
  });

  it('halves the calls in flight on throttling, once per burst of throttles', () => {
    const pacer = createPacer({ maxConcurrency: 16 });
    expect(pacer.concurrency()).toBe(16);
    pacer.onThrottle();
    pacer.onThrottle();
    expect(pacer.concurrency()).toBe(8);
    vi.advanceTimersByTime(300);
    pacer.onThrottle();
    expect(pacer.concurrency()).toBe(4);
  });

  it('adds about one call in flight per window of successful calls, up to the maximum', () => {
    const pacer = createPacer({ maxConcurrency: 6 });
    pacer.onThrottle();
    pacer.onThrottle();
    expect(pacer.concurrency()).toBe(3);
    // A window of 3 calls in flight, then a window of about 4.
    for (let call = 0; call < 4; call++) pacer.onSuccess(25);
    expect(pacer.concurrency()).toBe(4);
    for (let call = 0; call < 100; call++) pacer.onSuccess(25);
    expect(pacer.concurrency()).toBe(6);
  });

  it('slows a provisioned rate on throttling and brings it back to the provisioned WCU', () => {
    const pacer = createPacer({ writeCapacity: 100, maxConcurrency: 4 });
    pacer.onThrottle();
    expect(pacer.rate()).toBe(70);
    for (let call = 0; call < 5; call++) pacer.onSuccess(25);
    expect(pacer.rate()).toBe(95);
    for (let call = 0; call < 5; call++) pacer.onSuccess(25);
    expect(pacer.rate()).toBe(100);
  });
});
