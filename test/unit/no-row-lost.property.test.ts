import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ItemRefusedError, RetryableWriteError } from '../../src/core/errors.ts';
import { type Counts, ingest, type ResumePoint } from '../../src/core/ingest.ts';
import type { Item } from '../../src/core/item.ts';
import { compileDefaultPlan } from '../../src/core/item-plan.ts';
import { type KeySchema, keyIdOf } from '../../src/core/key-schema.ts';
import type { SendBatch } from '../../src/core/write-contract.ts';

const KEY_SCHEMA: KeySchema = { partition: { name: 'ID', type: 'N' } };
const POISON = '!';

type Fault = { readonly kind: 'ok' | 'throttle' | 'error' | 'partial'; readonly keep: number };

/**
 * A table in memory that behaves like DynamoDB where it matters: puts replace by key (`7` and `007`
 * are one key), an item holding the poison text is refused as invalid, and the faults of `schedule`
 * come one per call (then every call succeeds).
 */
const memoryTable = (schedule: readonly Fault[] = []) => {
  const items = new Map<string, string>();
  let call = 0;
  const send: SendBatch = async (batch) => {
    if (batch.some((item) => JSON.stringify(item).includes(POISON)))
      throw new ItemRefusedError('invalid value');
    const fault = schedule[call++] ?? { kind: 'ok', keep: 0 };
    if (fault.kind === 'throttle') throw new RetryableWriteError('throttled', { throttled: true });
    if (fault.kind === 'error') throw new RetryableWriteError('InternalServerError');
    const kept = fault.kind === 'partial' ? batch.slice(0, fault.keep % batch.length) : batch;
    for (const item of kept) items.set(keyIdOf(item, KEY_SCHEMA), JSON.stringify(item));
    return { unprocessed: batch.slice(kept.length) };
  };
  return { send, items };
};

/** Runs one file through `ingest`, stopping after every `stopEvery` records and resuming from there. */
const runFile = async (csv: string, options: { gzip: boolean; send: SendBatch; stopEvery?: number }) => {
  const bytes = options.gzip ? gzipSync(csv) : Buffer.from(csv);
  const rejected: number[] = [];
  let resume: ResumePoint | undefined;
  for (;;) {
    let records = 0;
    const result = await ingest({
      open: async (offset) => ({ body: Readable.from([options.gzip ? bytes : bytes.subarray(offset)]) }),
      gzip: options.gzip,
      plan: (header) => compileDefaultPlan(header, KEY_SCHEMA, 'infer'),
      write: {
        send: options.send,
        keyIdOf: (item: Item) => keyIdOf(item, KEY_SCHEMA),
        concurrency: 3,
        maxAttempts: 100,
        sleep: async () => undefined,
      },
      rejected: { add: (_header, row) => void rejected.push(row.row) },
      ...(resume && { resume }),
      ...(options.stopEvery && { shouldStop: () => ++records % (options.stopEvery as number) === 0 }),
    });
    if (result.outcome !== 'stopped') return { result, rejected: rejected.sort((a, b) => a - b) };
    resume = result.resume;
  }
};

const field = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '',
      'true',
      'FALSE',
      '007',
      '1e5',
      '12345678901234567890',
      'a,b',
      'say "hi"',
      'x\ny',
    ),
    weight: 4,
  },
  { arbitrary: fc.constant(POISON), weight: 1 },
  { arbitrary: fc.string({ maxLength: 6 }), weight: 2 },
);
// Few keys, so that rows of one key meet in a batch; some keys are no numbers at all.
const key = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 12 }).map(String), weight: 8 },
  { arbitrary: fc.constantFrom('007', '7.0', '', 'abc'), weight: 1 },
);
// Mostly the header's field count; now and then one too few or too many.
const record = fc.tuple(
  key,
  fc.oneof(
    { arbitrary: fc.array(field, { minLength: 2, maxLength: 2 }), weight: 8 },
    { arbitrary: fc.array(field, { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
);
const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

const csvFile = fc
  .record({
    records: fc.array(record, { maxLength: 150, size: 'large' }),
    eol: fc.constantFrom('\n', '\r\n'),
  })
  .map(({ records, eol }) =>
    ['ID,A,B', ...records.map(([id, fields]) => [id, ...fields].map(quote).join(','))].join(eol).concat(eol),
  );

const fault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom('ok', 'throttle', 'error', 'partial'),
  keep: fc.nat({ max: 24 }),
});

const sorted = (items: Map<string, string>) => [...items].sort(([a], [b]) => a.localeCompare(b));

const balanced = (counts: Counts) => counts.rowsRead === counts.rowsWritten + counts.rowsRejected;

describe('no row is ever lost', () => {
  it('under any faults, stops and resumes: every row is written or rejected, as a clean run does', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvFile,
        fc.array(fault, { maxLength: 40 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        async (csv, schedule, gzip, stopEvery) => {
          const faulty = memoryTable(schedule);
          const actual = await runFile(csv, { gzip, send: faulty.send, ...(stopEvery && { stopEvery }) });
          // The same batches without faults: which superseded row DynamoDB got to see depends on batching.
          const clean = memoryTable();
          const expected = await runFile(csv, {
            gzip: false,
            send: clean.send,
            ...(stopEvery && { stopEvery }),
          });
          const onePass = memoryTable();
          const single = await runFile(csv, { gzip: false, send: onePass.send });

          expect(actual.result.outcome).toBe('complete');
          expect(balanced(actual.result.counts)).toBe(true);
          expect(actual.result.counts).toEqual(expected.result.counts);
          expect(actual.rejected).toEqual(expected.rejected);
          expect(actual.rejected).toHaveLength(actual.result.counts.rowsRejected);
          expect(actual.result.counts.rowsRead).toBe(single.result.counts.rowsRead);
          expect(sorted(faulty.items)).toEqual(sorted(clean.items));
          expect(sorted(faulty.items)).toEqual(sorted(onePass.items));
        },
      ),
      { numRuns: 200 },
    );
  });
});
