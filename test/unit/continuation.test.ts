import type { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { invokeAsync } from '../../src/aws/continuation.ts';
import {
  type FileTask,
  isContinuation,
  MAX_PAYLOAD_BYTES,
  readContinuation,
  rejectedPartKey,
  startTask,
  toContinuation,
} from '../../src/core/continuation.ts';
import { ConfigError, FileError } from '../../src/core/errors.ts';

const started = new Date('2024-05-01T12:00:00.000Z');

const stopped = (overrides: Partial<NonNullable<FileTask['resume']>> = {}): FileTask => ({
  ...startTask(
    { bucket: 'source', key: 'incoming/a.csv', rest: 'a.csv', gzip: false, eTag: '"abc"' },
    started,
  ),
  invocations: 2,
  writes: { calls: 40, retries: 2, throttles: 1, consumedCapacity: 1000 },
  parts: [1, 2],
  resume: {
    header: ['ID', 'Name'],
    offset: 12_345,
    counts: { rowsRead: 1000, rowsWritten: 990, rowsRejected: 10 },
    errors: [{ row: 7, message: 'record has 1 field, the header has 2', code: 'ROW_FIELD_COUNT' }],
    ...overrides,
  },
});

// biome-ignore lint/suspicious/noExplicitAny: a payload as JSON.parse gives it, to be spoilt on purpose
type Json = any;

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('continuation payloads', () => {
  it('survive the trip through JSON and back unchanged', () => {
    const task = stopped();
    const payload = toContinuation(task);
    expect(payload).toMatchObject({ csv2ddb: 'continuation', version: 1 });
    expect(readContinuation(JSON.parse(JSON.stringify(payload)))).toEqual(task);
  });

  it('tell themselves apart from S3 events', () => {
    expect(isContinuation(toContinuation(stopped()))).toBe(true);
    expect(isContinuation({ Records: [] })).toBe(false);
    expect(isContinuation(null)).toBe(false);
  });

  it.each([
    {
      name: 'another version',
      problem: 'version',
      mutate: (payload: Json) => Object.assign(payload, { version: 2 }),
    },
    {
      name: 'an unknown field',
      problem: 'extra',
      mutate: (payload: Json) => Object.assign(payload, { extra: 1 }),
    },
    {
      name: 'a negative count',
      problem: 'file.resume.counts.rowsRead',
      mutate: (payload: Json) => Object.assign(payload.file.resume.counts, { rowsRead: -1 }),
    },
  ])('refuse $name with a ConfigError naming it', ({ problem, mutate }) => {
    const payload = JSON.parse(JSON.stringify(toContinuation(stopped())));
    mutate(payload);
    expect(() => readContinuation(payload)).toThrow(ConfigError);
    expect(() => readContinuation(payload)).toThrow(problem);
  });

  it('cut long messages, keeping the payload small', () => {
    const long = 'x'.repeat(50_000);
    const errors = Array.from({ length: 100 }, (_, index) => ({ row: index + 1, message: long }));
    const payload = toContinuation(stopped({ errors }));
    expect(payload.file.resume?.errors).toHaveLength(100);
    expect(payload.file.resume?.errors[0]?.message.length).toBe(1000);
    expect(sizeOf(payload)).toBeLessThan(MAX_PAYLOAD_BYTES);
  });

  it('drop the last errors, never the counts, when a wide header leaves little room', () => {
    const header = Array.from({ length: 2_000 }, (_, index) => `column number ${index} ${'y'.repeat(90)}`);
    const errors = Array.from({ length: 100 }, (_, index) => ({ row: index + 1, message: 'z'.repeat(900) }));
    const payload = toContinuation(stopped({ header, errors }));
    const kept = payload.file.resume?.errors ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(100);
    expect(kept[0]?.row).toBe(1);
    expect(payload.file.resume?.counts).toEqual(stopped().resume?.counts);
    expect(sizeOf(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it('fail the file when the header alone is too large to carry', () => {
    const header = Array.from({ length: 3_000 }, (_, index) => `column ${index} ${'w'.repeat(100)}`);
    expect(() => toContinuation(stopped({ header }))).toThrow(FileError);
    expect(() => toContinuation(stopped({ header }))).toThrow(/header is too large/);
  });
});

describe('startTask()', () => {
  it('starts a file with nothing read, no parts and the time it was taken', () => {
    expect(
      startTask(
        {
          bucket: 'b',
          key: 'incoming/x.csv.gz',
          rest: 'x.csv.gz',
          gzip: true,
          versionId: 'v1',
          sequencer: '0055AED6DCD90281E5',
        },
        started,
        'chain-1',
      ),
    ).toEqual({
      bucket: 'b',
      key: 'incoming/x.csv.gz',
      rest: 'x.csv.gz',
      gzip: true,
      versionId: 'v1',
      sequencer: '0055AED6DCD90281E5',
      chain: 'chain-1',
      startedAt: '2024-05-01T12:00:00.000Z',
      invocations: 0,
      writes: { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 },
      parts: [],
    });
  });
});

describe('rejectedPartKey()', () => {
  it('numbers parts after the rejected-rows key, where they sort in order', () => {
    expect(rejectedPartKey('rejected/a.csv', 3)).toBe('rejected/a.csv.part-0003');
    expect(rejectedPartKey('rejected/a.csv', 12) > rejectedPartKey('rejected/a.csv', 9)).toBe(true);
  });

  it('names the chain, so that two chains of one upload never share a part', () => {
    expect(rejectedPartKey('rejected/a.csv', 3, 'c1')).toBe('rejected/a.csv.part-c1-0003');
    expect(rejectedPartKey('rejected/a.csv', 3, 'c2')).not.toBe(rejectedPartKey('rejected/a.csv', 3, 'c1'));
  });

  it('gives each new file a chain of its own', () => {
    const job = { bucket: 'b', key: 'incoming/x.csv', rest: 'x.csv', gzip: false };
    expect(startTask(job, started).chain).not.toBe(startTask(job, started).chain);
  });
});

describe('invokeAsync()', () => {
  // A Lambda that answers anything but 202 is a fault the local Lambda service never produces.
  const answering = (StatusCode: number) =>
    ({ send: async () => ({ StatusCode }) }) as unknown as LambdaClient;

  it('resolves once Lambda has queued the payload (202)', async () => {
    await expect(invokeAsync(answering(202), 'f', {}, 'the event for a.csv')).resolves.toBeUndefined();
  });

  it('throws a DependencyError naming what was not queued on any other answer', async () => {
    await expect(invokeAsync(answering(200), 'f', {}, 'the event for a.csv')).rejects.toMatchObject({
      name: 'DependencyError',
      message: 'Lambda did not queue the event for a.csv (status 200)',
    });
  });
});
