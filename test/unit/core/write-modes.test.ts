import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/core/ingest.ts';
import type { Item } from '../../../src/core/item.ts';
import { type KeySchema, keyIdOf } from '../../../src/core/key-schema.ts';
import { createPacer } from '../../../src/core/pacer.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../../src/core/schema/schema-plan.ts';
import type { Pacer } from '../../../src/core/write-contract.ts';
import { applyOneAtATime, createModeTable, type Fault, type OracleRow } from '../../support/mode-table.ts';

const KEYS: KeySchema = { partition: { name: 'id', type: 'S' } };

/** An item as a test writes it: `{ id: 'k1', v: 5, a: 'x' }` (numbers become N, the rest S). */
const item = (plain: Record<string, string | number>): Item =>
  Object.fromEntries(
    Object.entries(plain).map(([name, value]) => [
      name,
      typeof value === 'number' ? { N: String(value) } : { S: value },
    ]),
  );

const plainOf = (stored: Item): Record<string, string | number> =>
  Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [
      name,
      'N' in value ? Number(value.N) : (value as { S: string }).S,
    ]),
  );

const tableOf = (items: Map<string, Item>) =>
  Object.fromEntries([...items.values()].map((stored) => [String(plainOf(stored).id), plainOf(stored)]));

type Run = { concurrency?: number; faults?: Fault[]; typed?: boolean; pacer?: Pacer; marginMs?: number };

/** Runs a CSV through `ingest` under a `write` block, against a table holding `initial`. */
const runModes = async (csv: string, write: object, initial: readonly Item[] = [], run: Run = {}) => {
  const table = createModeTable(KEYS, initial);
  table.faults.push(...(run.faults ?? []));
  const schema = parseSchema({ write, ...(run.typed !== false && { columns: { v: { type: 'N' } } }) });
  const rejected: number[] = [];
  const result = await ingest({
    open: async () => ({ body: Readable.from([Buffer.from(csv)]) }),
    gzip: false,
    plan: (header) =>
      compileSchemaPlan(header, KEYS, 'infer', schema, { bucket: 'b', key: 'k.csv', now: new Date(0) }),
    write: {
      send: table.send,
      sendRequests: table.sendRequests,
      keyIdOf: (stored) => keyIdOf(stored, KEYS),
      concurrency: run.concurrency ?? 4,
      maxAttempts: 5,
      sleep: async () => undefined,
      ...(run.pacer && { pacer: run.pacer }),
      ...(run.marginMs !== undefined && { marginMs: run.marginMs }),
    },
    rejected: { add: (_header, row) => void rejected.push(row.row) },
  });
  const { counts } = result;
  return {
    result,
    table: tableOf(table.items),
    log: table.log,
    counts: {
      written: counts.rowsWritten,
      deleted: counts.rowsDeleted ?? 0,
      skipped: counts.rowsSkipped ?? 0,
      rejected: counts.rowsRejected,
    },
    rejected,
  };
};

const STORED = [item({ id: 'k1', v: 5, a: 'old', b: 'kept' })];

describe('write modes: the table ends as if the rows were applied one at a time, in file order', () => {
  it.each([
    {
      name: 'put/none: a row replaces the item, the later row of a key wins',
      write: { mode: 'put' },
      csv: 'id,v,a\nk1,1,new\nk2,1,x\nk2,2,y\n',
      table: { k1: { id: 'k1', v: 1, a: 'new' }, k2: { id: 'k2', v: 2, a: 'y' } },
      counts: { written: 3, deleted: 0, skipped: 0, rejected: 0 },
    },
    {
      name: 'upsert/none: attributes are set, others kept, a missing item created, an empty field kept',
      write: { mode: 'upsert' },
      csv: 'id,v,a\nk1,,new\nk2,1,x\nk2,,y\n',
      table: { k1: { id: 'k1', v: 5, a: 'new', b: 'kept' }, k2: { id: 'k2', v: 1, a: 'y' } },
      counts: { written: 3, deleted: 0, skipped: 0, rejected: 0 },
    },
    {
      name: 'upsert/none with emptyFields "remove": an empty field removes the attribute',
      write: { mode: 'upsert', emptyFields: 'remove' },
      csv: 'id,v,a\nk1,,new\n',
      table: { k1: { id: 'k1', a: 'new', b: 'kept' } },
      counts: { written: 1, deleted: 0, skipped: 0, rejected: 0 },
    },
    {
      name: 'upsert/none: a row holding only its key creates the item or leaves it as it is',
      write: { mode: 'upsert' },
      csv: 'id\nk1\nk3\n',
      table: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' }, k3: { id: 'k3' } },
      counts: { written: 2, deleted: 0, skipped: 0, rejected: 0 },
    },
    {
      name: 'put/absent: an existing key is skipped, the first row of a new key wins',
      write: { mode: 'put', condition: 'absent' },
      csv: 'id,v,a\nk1,9,new\nk2,1,first\nk2,2,second\n',
      table: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' }, k2: { id: 'k2', v: 1, a: 'first' } },
      counts: { written: 1, deleted: 0, skipped: 2, rejected: 0 },
    },
    {
      name: 'upsert/absent: insert only, like put/absent',
      write: { mode: 'upsert', condition: 'absent' },
      csv: 'id,v,a\nk1,9,new\nk2,1,first\nk2,2,second\n',
      table: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' }, k2: { id: 'k2', v: 1, a: 'first' } },
      counts: { written: 1, deleted: 0, skipped: 2, rejected: 0 },
    },
    {
      name: 'put/newer: lower and equal versions are skipped, the highest wins, the item is the row',
      write: { mode: 'put', condition: 'newer', version: 'v' },
      csv: 'id,v,a,b\nk1,3,low,\nk1,7,high,\nk1,7,equal,\nk1,6,lower,\nk2,1,x,\nk2,2,y,z\n',
      table: { k1: { id: 'k1', v: 7, a: 'high' }, k2: { id: 'k2', v: 2, a: 'y', b: 'z' } },
      counts: { written: 3, deleted: 0, skipped: 3, rejected: 0 },
    },
    {
      name: 'upsert/newer: a newer row sets its attributes and keeps the others',
      write: { mode: 'upsert', condition: 'newer', version: 'v' },
      csv: 'id,v,a\nk1,6,new\nk1,6,same\nk2,1,x\n',
      table: { k1: { id: 'k1', v: 6, a: 'new', b: 'kept' }, k2: { id: 'k2', v: 1, a: 'x' } },
      counts: { written: 2, deleted: 0, skipped: 1, rejected: 0 },
    },
    {
      name: 'delete/none: deletes count whether or not the item existed; other columns are not read',
      write: { mode: 'delete' },
      csv: 'id,v,a\nk1,not a number,x\nk9,,\n',
      table: {},
      counts: { written: 0, deleted: 2, skipped: 0, rejected: 0 },
    },
    {
      name: 'delete/newer: an older row is skipped, a newer one deletes, a missing item counts as deleted',
      write: { mode: 'delete', condition: 'newer', version: 'v' },
      csv: 'id,v\nk1,5\nk1,6\nk9,1\n',
      table: {},
      counts: { written: 0, deleted: 2, skipped: 1, rejected: 0 },
    },
    {
      name: 'op column: per-row operations in any letter case, empty takes the mode, others rejected',
      write: { mode: 'upsert', op: '_op' },
      csv: 'id,v,a,_op\nk1,,new,\nk1,,,DELETE\nk1,1,again,Put\nk2,1,x,merge\nk3,1,y,upsert\n',
      table: { k1: { id: 'k1', v: 1, a: 'again' }, k3: { id: 'k3', v: 1, a: 'y' } },
      counts: { written: 3, deleted: 1, skipped: 0, rejected: 1 },
    },
    {
      name: 'op column under absent: a delete row is rejected',
      write: { mode: 'put', op: '_op', condition: 'absent' },
      csv: 'id,a,_op\nk1,x,delete\nk2,y,\n',
      table: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' }, k2: { id: 'k2', a: 'y' } },
      counts: { written: 1, deleted: 0, skipped: 0, rejected: 1 },
    },
    {
      name: 'newer: a row with no version value is rejected',
      write: { mode: 'upsert', condition: 'newer', version: 'v' },
      csv: 'id,v,a\nk1,,x\n',
      table: { k1: { id: 'k1', v: 5, a: 'old', b: 'kept' } },
      counts: { written: 0, deleted: 0, skipped: 0, rejected: 1 },
    },
  ])('$name', async ({ write, csv, table, counts }) => {
    const run = await runModes(csv, write, STORED);
    expect(run.result.outcome).toBe('complete');
    expect(run.table).toEqual(table);
    expect(run.counts).toEqual(counts);
    const { rowsRead, rowsWritten, rowsRejected, rowsSkipped = 0, rowsDeleted = 0 } = run.result.counts;
    expect(rowsRead).toBe(rowsWritten + rowsDeleted + rowsSkipped + rowsRejected);
  });

  it('compares string versions by their bytes (ISO-8601 times) and skips a version of another type', async () => {
    const stored = [item({ id: 'k1', v: '2024-05-01T00:00:00Z' }), item({ id: 'k2', v: 5 })];
    const csv = 'id,v,a\nk1,2024-04-30T23:59:59Z,old\nk1,2024-05-01T00:00:01Z,new\nk2,9,x\n';
    const write = { mode: 'upsert', condition: 'newer', version: 'v' };
    const run = await runModes(csv, write, stored, { typed: false });
    // k2's row version is a number (inferred) and so is the stored one: it is newer.
    expect(run.table).toEqual({
      k1: { id: 'k1', v: '2024-05-01T00:00:01Z', a: 'new' },
      k2: { id: 'k2', v: 9, a: 'x' },
    });
    const mixed = await runModes('id,v\nk2,later\n', write, stored, { typed: false });
    expect(mixed.counts).toEqual({ written: 0, deleted: 0, skipped: 1, rejected: 0 });
  });

  it('starts an upsert with INSERT while rows find no item, and with UPDATE once they find one', async () => {
    const fresh = Array.from({ length: 250 }, (_, index) => `n${index},1,x`).join('\n');
    const again = Array.from({ length: 250 }, (_, index) => `n${index},2,y`).join('\n');
    const run = await runModes(`id,v,a\n${fresh}\n${again}\n`, { mode: 'upsert' }, [], { concurrency: 1 });
    expect(run.counts).toEqual({ written: 500, deleted: 0, skipped: 0, rejected: 0 });
    expect(run.table.n7).toEqual({ id: 'n7', v: 2, a: 'y' });
    const first = run.log.map((kinds) => kinds[0]);
    // One round trip a batch, but while the writer changes its mind (at the start, and at the turn).
    expect(run.log.length).toBeLessThan(20 + 8);
    expect(first.slice(4, 9)).toEqual(['insert', 'insert', 'insert', 'insert', 'insert']);
    expect(first.slice(-3)).toEqual(['update', 'update', 'update']);
  });

  it('on a paced table, keeps the units outstanding within what a tenth of the pace writes in half the margin', async () => {
    // 40 WCU and a 10 s margin: at most 20 units outstanding (4 WCU for 5 s), 10 in calls in flight
    // and 10 waiting, so batches of 10 rows.
    const pacer = createPacer({ writeCapacity: 40, maxConcurrency: 8, sleep: async () => undefined });
    const csv = `id,a\n${Array.from({ length: 100 }, (_, index) => `p${index},x`).join('\n')}\n`;
    const run = await runModes(csv, { mode: 'upsert' }, [], { pacer, marginMs: 10_000 });
    expect(run.counts.written).toBe(100);
    expect(Math.max(...run.log.map((call) => call.length))).toBe(10);
  });

  it('keeps file order for a key repeated across batches and calls in flight', async () => {
    const keys = ['a', 'b', 'c'];
    const lines: string[] = [];
    const rows: OracleRow[] = [];
    const ops = ['upsert', 'put', 'delete', 'upsert', 'delete', 'put'] as const;
    for (let index = 0; index < 300; index++) {
      const id = keys[index % 3] as string;
      const op = ops[(index * 7) % ops.length] as (typeof ops)[number];
      const version = (index * 37) % 11;
      const a = index % 5 === 0 ? '' : `r${index}`;
      lines.push(`${id},${version},${a},${op}`);
      const plain: Record<string, string | number> =
        op === 'delete' ? { id, v: version } : { id, v: version, ...(a !== '' && { a }) };
      rows.push({ op, item: item(plain), remove: [] });
      // Filler rows so that the repeated keys fall in different batches.
      for (let filler = 0; filler < index % 4; filler++) {
        lines.push(`f${index}-${filler},1,x,put`);
        rows.push({ op: 'put', item: item({ id: `f${index}-${filler}`, v: 1, a: 'x' }), remove: [] });
      }
    }
    const csv = `id,v,a,_op\n${lines.join('\n')}\n`;
    for (const condition of ['none', 'newer'] as const) {
      const write = { mode: 'put', op: '_op', condition, ...(condition === 'newer' && { version: 'v' }) };
      const expected = applyOneAtATime(KEYS, STORED, rows, condition, 'v');
      const run = await runModes(csv, write, STORED, {
        concurrency: 6,
        faults: ['retry', 'throttle', 'retry'],
      });
      expect(run.table).toEqual(tableOf(expected.items));
      expect(run.counts).toEqual(expected.tally);
      expect(run.log.length).toBeGreaterThan(10);
    }
  });
});
