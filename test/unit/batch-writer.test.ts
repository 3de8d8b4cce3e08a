import { describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from '../../src/core/batch-writer.ts';
import { DependencyError, ItemRefusedError, RetryableWriteError } from '../../src/core/errors.ts';
import type { Item } from '../../src/core/item.ts';
import type { SendBatch, WriteEntry } from '../../src/core/write-contract.ts';

const keyOf = (item: Item) => (item.id as { S: string }).S;

const entry = (row: number, key = `k${row}`): WriteEntry => ({
  item: { id: { S: key }, row: { N: String(row) } },
  keyId: `S${key}`,
  row,
  fields: [key, String(row)],
});

const rowOf = (item: Item) => Number((item.row as { N: string }).N);

/** A table in memory: a put lands when its call returns, as DynamoDB applies a call before answering. */
const fakeTable = () => {
  const items = new Map<string, number>();
  const calls: string[][] = [];
  return {
    items,
    calls,
    apply(batch: readonly Item[]) {
      calls.push(batch.map(keyOf));
      for (const item of batch) items.set(keyOf(item), rowOf(item));
    },
  };
};

const writerWith = (send: SendBatch, options: Partial<BatchWriterOptions> = {}) => {
  const written = { rows: 0 };
  const rejected: { row: number; reason: string }[] = [];
  const sleeps: number[] = [];
  const writer = new BatchWriter({
    send,
    keyIdOf: (item) => `S${keyOf(item)}`,
    concurrency: 4,
    maxAttempts: 5,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onWritten: (rows) => {
      written.rows += rows;
    },
    onRejected: (rejectedEntry, reason) => {
      rejected.push({ row: rejectedEntry.row, reason });
    },
    ...options,
  });
  return { writer, written, rejected, sleeps };
};

const putAll = async (writer: BatchWriter, entries: readonly WriteEntry[]) => {
  for (const each of entries) await writer.put(each);
  await writer.flush();
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('BatchWriter', () => {
  it('sends at most 25 items per call', async () => {
    const table = fakeTable();
    const { writer, written } = writerWith(async (items) => {
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(
      writer,
      range(1, 60).map((row) => entry(row)),
    );
    expect(table.calls.map((call) => call.length)).toEqual([25, 25, 10]);
    expect(written.rows).toBe(60);
    expect(writer.stats).toMatchObject({ calls: 3, retries: 0, throttles: 0 });
  });

  it('lets the later row of a duplicated key win even when its batch would land first', async () => {
    const table = fakeTable();
    let call = 0;
    const { writer } = writerWith(async (items) => {
      // The first call is slow: a later batch with the same key must wait for it.
      const delay = call++ === 0 ? 30 : 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      table.apply(items);
      return { unprocessed: [] };
    });
    const first = range(1, 25).map((row) => entry(row));
    const second = [entry(26, 'k7'), ...range(27, 50).map((row) => entry(row))];
    await putAll(writer, [...first, ...second]);
    expect(table.items.get('k7')).toBe(26);
    expect(table.items.size).toBe(49);
  });

  it('sends a key once per batch and counts both rows as written', async () => {
    const table = fakeTable();
    const { writer, written } = writerWith(async (items) => {
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(writer, [entry(1, 'a'), entry(2, 'b'), entry(3, 'a')]);
    expect(table.calls).toEqual([['b', 'a']]);
    expect(table.items.get('a')).toBe(3);
    expect(written.rows).toBe(3);
  });

  it('sends a batch once it holds 25 rows of one key, so that it never hoards a key', async () => {
    const table = fakeTable();
    const { writer, written } = writerWith(async (items) => {
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(
      writer,
      range(1, 60).map((row) => entry(row, 'same')),
    );
    expect(table.calls).toEqual([['same'], ['same'], ['same']]);
    expect(table.items.get('same')).toBe(60);
    expect(written.rows).toBe(60);
  });

  it('sends unprocessed items again, with growing backoff, until they are written', async () => {
    const table = fakeTable();
    let call = 0;
    const { writer, written, sleeps } = writerWith(async (items) => {
      call++;
      // Nothing for two calls, then everything.
      if (call <= 3 && call > 1) return { unprocessed: items };
      const kept = call === 1 ? items.slice(0, 20) : items;
      table.apply(kept);
      return { unprocessed: items.slice(kept.length) };
    });
    await putAll(
      writer,
      range(1, 25).map((row) => entry(row)),
    );
    expect(table.calls.map((each) => each.length)).toEqual([20, 5]);
    expect(table.items.size).toBe(25);
    expect(written.rows).toBe(25);
    expect(sleeps).toEqual([25, 50, 100]);
    expect(writer.stats).toMatchObject({ calls: 4, retries: 3, throttles: 3 });
  });

  it('fails with a DependencyError naming the rows once the retry budget is spent', async () => {
    const { writer, written } = writerWith(
      async () => {
        throw new RetryableWriteError('InternalServerError: down');
      },
      { maxAttempts: 3 },
    );
    await writer.put(entry(1));
    await writer.put(entry(2));
    const failure = await writer.flush().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyError);
    expect((failure as DependencyError).code).toBe('WRITE_RETRIES_EXHAUSTED');
    expect((failure as Error).message).toContain('rows 1, 2');
    expect(writer.stats.calls).toBe(3);
    expect(written.rows).toBe(0);
  });

  it('does not spend the retry budget while each call writes part of the items', async () => {
    const table = fakeTable();
    const { writer, written } = writerWith(
      async (items) => {
        const [first, ...rest] = items;
        if (first) table.apply([first]);
        return { unprocessed: rest };
      },
      { maxAttempts: 2 },
    );
    await putAll(
      writer,
      range(1, 10).map((row) => entry(row)),
    );
    expect(table.items.size).toBe(10);
    expect(written.rows).toBe(10);
  });

  it('rejects only the item DynamoDB refuses and writes the rest of its batch', async () => {
    const table = fakeTable();
    const { writer, written, rejected } = writerWith(async (items) => {
      if (items.some((item) => keyOf(item) === 'bad')) {
        throw new ItemRefusedError('One or more parameter values were invalid');
      }
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(writer, [entry(1), entry(2, 'bad'), entry(3)]);
    expect(rejected).toEqual([{ row: 2, reason: expect.stringContaining('DynamoDB refused the item') }]);
    expect([...table.items.keys()].sort()).toEqual(['k1', 'k3']);
    expect(written.rows).toBe(2);
  });

  it('writes the earlier row of a key when the later one is refused', async () => {
    const table = fakeTable();
    const { writer, written, rejected } = writerWith(async (items) => {
      if (items.some((item) => rowOf(item) === 2)) throw new ItemRefusedError('invalid');
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(writer, [entry(1, 'a'), entry(2, 'a')]);
    expect(rejected.map((each) => each.row)).toEqual([2]);
    expect(table.items.get('a')).toBe(1);
    expect(written.rows).toBe(1);
  });

  it('stops at a fatal error and refuses further rows', async () => {
    const fatal = new Error('AccessDeniedException');
    const { writer } = writerWith(async () => {
      throw fatal;
    });
    for (const row of range(1, 25)) await writer.put(entry(row));
    await writer.settle();
    await expect(writer.put(entry(26))).rejects.toBe(fatal);
    await expect(writer.flush()).rejects.toBe(fatal);
  });

  it('tells the pacer about throttling and success', async () => {
    const signals: string[] = [];
    let call = 0;
    const { writer } = writerWith(
      async () => {
        if (call++ === 0) throw new RetryableWriteError('throttled', { throttled: true });
        return { unprocessed: [], consumedCapacity: 3 };
      },
      {
        pacer: {
          acquire: async (items) => {
            signals.push(`acquire ${items.length}`);
          },
          concurrency: () => 2,
          onThrottle: () => signals.push('throttle'),
          onSuccess: (items) => signals.push(`success ${items}`),
        },
      },
    );
    await putAll(writer, [entry(1), entry(2), entry(3)]);
    expect(signals).toEqual(['acquire 3', 'throttle', 'acquire 3', 'success 3']);
    expect(writer.stats).toEqual({ calls: 2, retries: 1, throttles: 1, consumedCapacity: 3 });
  });
});

describe('BatchWriter refusals within a key', () => {
  it('falls back to the last row DynamoDB accepts when several later rows of its key are refused', async () => {
    const table = fakeTable();
    const { writer, written, rejected } = writerWith(async (items) => {
      if (items.some((item) => rowOf(item) >= 2)) throw new ItemRefusedError('invalid');
      table.apply(items);
      return { unprocessed: [] };
    });
    await putAll(writer, [entry(1, 'a'), entry(2, 'a'), entry(3, 'a')]);
    expect(rejected.map((each) => each.row).sort()).toEqual([2, 3]);
    expect(table.items.get('a')).toBe(1);
    expect(written.rows).toBe(1);
  });
});

describe('BatchWriter.cancel()', () => {
  /** A send that holds each call until the test lets it answer. */
  const heldSend = () => {
    const held: { items: readonly Item[]; answer: (unprocessed: readonly Item[]) => void }[] = [];
    const send: SendBatch = (items) =>
      new Promise((resolve) => {
        held.push({ items, answer: (unprocessed) => resolve({ unprocessed }) });
      });
    return { send, held };
  };

  it('drops the batch being filled and sends no new call; a call on the wire finishes', async () => {
    const { send, held } = heldSend();
    const { writer, written } = writerWith(send, { concurrency: 1 });
    for (const row of range(1, 25)) await writer.put(entry(row));
    const waiting = writer.put(entry(26));
    expect(waiting).toBeUndefined();
    writer.cancel();
    expect(writer.put(entry(27))).toBeUndefined();
    held[0]?.answer([]);
    await writer.flush();
    expect(held).toHaveLength(1);
    expect(written.rows).toBe(25);
  });

  it('sends no call that waited for a free slot', async () => {
    const { send, held } = heldSend();
    const { writer } = writerWith(send, { concurrency: 1 });
    for (const row of range(1, 24)) await writer.put(entry(row));
    await writer.put(entry(25));
    for (const row of range(26, 49)) await writer.put(entry(row));
    const second = writer.put(entry(50));
    writer.cancel();
    held[0]?.answer([]);
    await second;
    await writer.flush();
    expect(held).toHaveLength(1);
  });

  it('sends no call that waited for capacity', async () => {
    const calls: number[] = [];
    let release: () => void = () => undefined;
    const { writer } = writerWith(
      async (items) => {
        calls.push(items.length);
        return { unprocessed: [] };
      },
      {
        pacer: {
          acquire: () =>
            new Promise<void>((resolve) => {
              release = resolve;
            }),
          concurrency: () => 4,
          onThrottle: () => undefined,
          onSuccess: () => undefined,
        },
      },
    );
    for (const row of range(1, 25)) await writer.put(entry(row));
    writer.cancel();
    release();
    await writer.flush();
    expect(calls).toEqual([]);
  });

  it('sends no retry after a backoff sleep', async () => {
    const table = fakeTable();
    const { writer, written } = writerWith(
      async (items) => {
        table.apply(items.slice(0, 5));
        return { unprocessed: items.slice(5) };
      },
      {
        sleep: async () => {
          writer.cancel();
        },
      },
    );
    for (const row of range(1, 25)) await writer.put(entry(row));
    await writer.flush();
    expect(table.calls).toHaveLength(1);
    expect(written.rows).toBe(5);
  });

  it('cancels when its signal is aborted', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const { writer } = writerWith(
      async (items) => {
        calls.push(items.length);
        return { unprocessed: [] };
      },
      { signal: controller.signal },
    );
    for (const row of range(1, 10)) await writer.put(entry(row));
    controller.abort();
    await writer.flush();
    expect(writer.isCancelled).toBe(true);
    expect(calls).toEqual([]);
  });
});
