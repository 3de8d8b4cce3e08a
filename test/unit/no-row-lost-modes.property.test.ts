import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Counts, ingest, type ResumePoint } from '../../src/core/ingest.ts';
import type { Item } from '../../src/core/item.ts';
import { type KeySchema, keyIdOf } from '../../src/core/key-schema.ts';
import { parseSchema } from '../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../src/core/schema/schema-plan.ts';
import type { WriteCondition, WriteOp } from '../../src/core/schema/write-block.ts';
import { applyOneAtATime, createModeTable, type Fault, type OracleRow } from '../support/mode-table.ts';

/**
 * The no-row-lost property (no-row-lost.property.test.ts) for write modes: under any faults, stops
 * and resumes, the table equals the rows applied one at a time in file order, and so do the counts.
 */
const KEYS: KeySchema = { partition: { name: 'id', type: 'S' } };

type Row = { id: string; v: string; a: string; op: string };
type Spec = { mode: WriteOp; condition: WriteCondition; emptyFields: 'keep' | 'remove' };

const row: fc.Arbitrary<Row> = fc.record({
  id: fc.integer({ min: 0, max: 6 }).map((n) => `k${n}`),
  v: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 5 }).map(String), weight: 6 },
    { arbitrary: fc.constant(''), weight: 1 },
  ),
  a: fc.constantFrom('', 'x', 'y', 'z'),
  op: fc.constantFrom('', 'put', 'UPSERT', 'Delete', 'merge'),
});

const spec: fc.Arbitrary<Spec> = fc
  .record({
    mode: fc.constantFrom<WriteOp>('put', 'upsert', 'delete'),
    condition: fc.constantFrom<WriteCondition>('none', 'absent', 'newer'),
    emptyFields: fc.constantFrom<'keep' | 'remove'>('keep', 'remove'),
  })
  .filter(({ mode, condition }) => !(mode === 'delete' && condition === 'absent'));

const initial = fc.uniqueArray(
  fc.record({ id: fc.integer({ min: 0, max: 6 }).map((n) => `k${n}`), v: fc.integer({ min: 0, max: 5 }) }),
  { selector: (stored) => stored.id, maxLength: 7 },
);

const itemOf = (plain: Record<string, string>): Item =>
  Object.fromEntries(
    Object.entries(plain)
      .filter(([, text]) => text !== '')
      .map(([name, text]) => [name, name === 'v' ? { N: text } : { S: text }]),
  );

/** What SPEC says each row is, on its own: an operation on an item, or a rejection. */
const oracleRow = (spec: Spec, { id, v, a, op }: Row): OracleRow => {
  const lower = op.toLowerCase();
  const chosen = lower === '' ? spec.mode : lower;
  const reject = { op: 'reject', item: {}, remove: [] } as const;
  if (chosen !== 'put' && chosen !== 'upsert' && chosen !== 'delete') return reject;
  if (chosen === 'delete' && spec.condition === 'absent') return reject;
  if (spec.condition === 'newer' && v === '') return reject;
  if (chosen === 'delete')
    return { op: chosen, item: itemOf({ id, v: spec.condition === 'newer' ? v : '' }), remove: [] };
  const remove =
    chosen === 'upsert' && spec.emptyFields === 'remove'
      ? ['v', 'a'].filter((name) => (name === 'v' ? v : a) === '')
      : [];
  return { op: chosen, item: itemOf({ id, v, a }), remove };
};

const runFile = async (
  csv: string,
  spec: Spec,
  table: ReturnType<typeof createModeTable>,
  stopEvery?: number,
) => {
  const write = { ...spec, op: '_op', ...(spec.condition === 'newer' && { version: 'v' }) };
  const schema = parseSchema({ write, columns: { v: { type: 'N' } } });
  const bytes = Buffer.from(csv);
  let resume: ResumePoint | undefined;
  for (;;) {
    let records = 0;
    const result = await ingest({
      open: async (offset) => ({ body: Readable.from([bytes.subarray(offset)]) }),
      gzip: false,
      plan: (header) =>
        compileSchemaPlan(header, KEYS, 'infer', schema, { bucket: 'b', key: 'k', now: new Date(0) }),
      write: {
        send: table.send,
        sendRequests: table.sendRequests,
        keyIdOf: (stored: Item) => keyIdOf(stored, KEYS),
        concurrency: 4,
        maxAttempts: 100,
        sleep: async () => undefined,
      },
      rejected: { add: () => undefined },
      ...(resume && { resume }),
      ...(stopEvery && { shouldStop: () => ++records % stopEvery === 0 }),
    });
    if (result.outcome !== 'stopped') return result;
    resume = result.resume;
  }
};

const tally = (counts: Counts) => ({
  written: counts.rowsWritten,
  deleted: counts.rowsDeleted ?? 0,
  skipped: counts.rowsSkipped ?? 0,
  rejected: counts.rowsRejected,
});

const sorted = (items: Map<string, Item>) => [...items].sort(([a], [b]) => a.localeCompare(b));

describe('no row is ever lost, under write modes', () => {
  it('under any faults, stops and resumes: the table and the counts are the rows applied one at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        spec,
        initial,
        fc.array(row, { maxLength: 120 }),
        fc.array(fc.constantFrom<Fault | undefined>('retry', 'throttle', undefined), { maxLength: 30 }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        async (writeSpec, stored, rows, faults, stopEvery) => {
          const start = stored.map(({ id, v }) => itemOf({ id, v: String(v) }));
          const table = createModeTable(KEYS, start);
          // A fault list with gaps: `undefined` is a call that goes through.
          table.faults.push(...(faults as Fault[]));
          const csv = `id,v,a,_op\n${rows.map(({ id, v, a, op }) => `${id},${v},${a},${op}`).join('\n')}\n`;
          const result = await runFile(csv, writeSpec, table, stopEvery);
          const expected = applyOneAtATime(
            KEYS,
            start,
            rows.map((each) => oracleRow(writeSpec, each)),
            writeSpec.condition,
            'v',
          );
          expect(result.outcome).toBe('complete');
          expect(tally(result.counts)).toEqual(expected.tally);
          expect(result.counts.rowsRead).toBe(rows.length);
          expect(sorted(table.items)).toEqual(sorted(expected.items));
        },
      ),
      { numRuns: 200 },
    );
  });
});
