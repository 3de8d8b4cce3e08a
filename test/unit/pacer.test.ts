import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter } from '../../src/core/batch-writer.ts';
import type { Item } from '../../src/core/item.ts';
import { createPacer, writeUnits } from '../../src/core/pacer.ts';
import type { SendBatch } from '../../src/core/write-contract.ts';

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

type Written = { stats: BatchWriter['stats']; maxOutstanding: number; drainSeconds: number };

/**
 * Writes `rows` small items (ids from `first`) and measures what the deadline rule is about: the
 * most rows given to the writer and not yet written, and how long the last flush took.
 */
const writeRowsMeasured = async (
  send: SendBatch,
  rows: number,
  pacer?: ReturnType<typeof createPacer>,
  options: { marginMs?: number; first?: number; beforeFlush?: () => void } = {},
): Promise<Written> => {
  let written = 0;
  let given = 0;
  let maxOutstanding = 0;
  const writer = new BatchWriter({
    send,
    keyIdOf: (item) => (item.id as { S: string }).S,
    concurrency: 16,
    maxAttempts: 1_000,
    ...(pacer && { pacer }),
    ...(options.marginMs !== undefined && { marginMs: options.marginMs }),
    onWritten: (count) => {
      written += count;
    },
    onRejected: () => undefined,
  });
  const first = options.first ?? 0;
  for (let row = first; row < first + rows; row++) {
    given++;
    maxOutstanding = Math.max(maxOutstanding, given - written);
    await writer.put({ item: small(row), keyId: `i-${row}`, row, fields: [] });
  }
  options.beforeFlush?.();
  const stopped = Date.now();
  await writer.flush();
  return { stats: writer.stats, maxOutstanding, drainSeconds: (Date.now() - stopped) / 1000 };
};

const writeRows = async (send: SendBatch, rows: number, pacer?: ReturnType<typeof createPacer>) =>
  (await writeRowsMeasured(send, rows, pacer)).stats;

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
    expect(pacer.rate()).toBeCloseTo(95, 9);
    for (let call = 0; call < 5; call++) pacer.onSuccess(25);
    expect(pacer.rate()).toBe(100);
  });
});

describe('createPacer().setCapacity()', () => {
  it('keeps the throttling cut relative to the new capacity', () => {
    const pacer = createPacer({ writeCapacity: 100, maxConcurrency: 4 });
    pacer.onThrottle();
    pacer.setCapacity(50);
    expect(pacer.rate()).toBeCloseTo(35, 9);
    pacer.setCapacity(200);
    expect(pacer.rate()).toBeCloseTo(140, 9);
  });

  it('paces at its share: 2.5 of a 5-WCU table writes about 2.5 items a second', async () => {
    const table = provisionedTable(5, 10);
    const pacer = createPacer({ writeCapacity: 5, maxConcurrency: 16 });
    pacer.setCapacity(2.5);
    const { result: stats, seconds } = await timed(writeRows(table.send, 100, pacer));
    expect(table.stats.items).toBe(100);
    expect(100 / seconds).toBeGreaterThan(2.2);
    expect(100 / seconds).toBeLessThan(2.8);
    expect(stats.throttles).toBeLessThanOrEqual(1);
  });

  it.each([2, 3])('%i writers at their shares stay together within the table', async (writers) => {
    // 30 s banked (DynamoDB banks up to 300): the writers' batches may meet at the table at once.
    const table = provisionedTable(6, 30);
    const pacers = Array.from({ length: writers }, () =>
      createPacer({ writeCapacity: 6 / writers, maxConcurrency: 16 }),
    );
    const { seconds } = await timed(
      Promise.all(
        pacers.map((pacer, index) => writeRowsMeasured(table.send, 120, pacer, { first: index * 1_000 })),
      ),
    );
    expect(table.stats.items).toBe(120 * writers);
    expect(table.stats.throttledCalls).toBe(0);
    expect((120 * writers) / seconds).toBeGreaterThan(5);
    expect((120 * writers) / seconds).toBeLessThan(6.6);
  });

  it('is what keeps several writers together: each at the full WCU, they are throttled again and again', async () => {
    const table = provisionedTable(6, 30);
    const pacers = Array.from({ length: 3 }, () => createPacer({ writeCapacity: 6, maxConcurrency: 16 }));
    await timed(
      Promise.all(
        pacers.map((pacer, index) => writeRowsMeasured(table.send, 120, pacer, { first: index * 1_000 })),
      ),
    );
    expect(table.stats.throttledCalls).toBeGreaterThan(3);
  });
});

describe('the deadline rule: what is outstanding fits in half the margin at a tenth of the current pace', () => {
  it.each([
    // 1 WCU, 10 s margin: half a unit may be outstanding; a call holds at least one item.
    { wcu: 1, marginMs: 10_000, rows: 40, maxOutstanding: 2, maxDrainSeconds: 2 },
    // The case: 5 WCU, 60 s margin; 16 calls of 25 would take 80 s, 15 units take 3 (30 at a tenth).
    { wcu: 5, marginMs: 60_000, rows: 600, maxOutstanding: 15, maxDrainSeconds: 3 },
    { wcu: 100, marginMs: 60_000, rows: 3_000, maxOutstanding: 300, maxDrainSeconds: 3 },
  ])('$wcu WCU, $marginMs ms: at most $maxOutstanding rows outstanding', async (row) => {
    const table = provisionedTable(row.wcu, 10);
    const pacer = createPacer({ writeCapacity: row.wcu, maxConcurrency: 16 });
    const { result } = await timed(
      writeRowsMeasured(table.send, row.rows, pacer, { marginMs: row.marginMs }),
    );
    expect(table.stats.items).toBe(row.rows);
    expect(result.maxOutstanding).toBeLessThanOrEqual(row.maxOutstanding);
    expect(result.drainSeconds).toBeLessThanOrEqual(row.maxDrainSeconds);
  });

  it('holds at a share set while the file runs', async () => {
    const table = provisionedTable(10, 10);
    const pacer = createPacer({ writeCapacity: 10, maxConcurrency: 16 });
    pacer.setCapacity(1);
    const { result } = await timed(writeRowsMeasured(table.send, 30, pacer, { marginMs: 10_000 }));
    expect(result.maxOutstanding).toBeLessThanOrEqual(2);
    expect(result.drainSeconds).toBeLessThanOrEqual(2);
  });

  it('holds when the share falls to a tenth after the writes were queued (nine more files started)', async () => {
    const table = provisionedTable(50, 1);
    const pacer = createPacer({ writeCapacity: 50, maxConcurrency: 16 });
    const { result } = await timed(
      writeRowsMeasured(table.send, 2_000, pacer, {
        marginMs: 10_000,
        beforeFlush: () => pacer.setCapacity(5),
      }),
    );
    expect(table.stats.items).toBe(2_000);
    // 25 units were outstanding at most: at 5 units a second they take 5 s, half the margin.
    expect(result.maxOutstanding).toBeLessThanOrEqual(25);
    expect(result.drainSeconds).toBeLessThanOrEqual(5);
  });

  it('is what bounds it: without a margin, 1 WCU has 16 calls of 25 rows outstanding', async () => {
    const table = provisionedTable(1, 10);
    const pacer = createPacer({ writeCapacity: 1, maxConcurrency: 16 });
    const { result } = await timed(writeRowsMeasured(table.send, 100, pacer));
    expect(result.maxOutstanding).toBeGreaterThan(50);
  });

  it('sets no limit beyond the calls in flight on demand', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const send: SendBatch = async (items) => {
      sizes.push(items.length);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 100));
      inFlight--;
      return { unprocessed: [] };
    };
    const pacer = createPacer({ maxConcurrency: 16 });
    await timed(writeRowsMeasured(send, 1_000, pacer, { marginMs: 10_000 }));
    expect(new Set(sizes)).toEqual(new Set([25]));
    expect(maxInFlight).toBe(16);
  });
});
