import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.ts';
import type { IngestResult, ResumePoint } from '../../../src/core/ingest.ts';
import type { Item } from '../../../src/core/item.ts';
import { compileDefaultPlan } from '../../../src/core/item-plan.ts';
import { toItem } from '../../../src/core/to-item.ts';
import { createTable, fixture, NUMBER_KEY, rowsOf, runIngest as run } from './ingest-harness.ts';

describe('ingest()', () => {
  it('writes every row and counts rowsRead = rowsWritten + rowsRejected', async () => {
    const result = await run('ID,Name,Price\n1,alpha,10\n,no key,20\n3,gamma\n4,delta,40\n');
    expect(result.outcome).toBe('complete');
    expect(result.counts).toEqual({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    expect(result.errors).toEqual([
      { row: 2, message: 'column "ID": key is empty', code: ErrorCode.KEY_MISSING },
      { row: 3, message: 'record has 2 fields, the header has 3', code: ErrorCode.ROW_FIELD_COUNT },
    ]);
    expect([...result.table.items.values()]).toEqual([
      { ID: { N: '1' }, Name: { S: 'alpha' }, Price: { N: '10' } },
      { ID: { N: '4' }, Name: { S: 'delta' }, Price: { N: '40' } },
    ]);
    expect(result.rejected).toEqual([
      {
        header: ['ID', 'Name', 'Price'],
        row: { row: 2, reason: 'column "ID": key is empty', fields: ['', 'no key', '20'] },
      },
      {
        header: ['ID', 'Name', 'Price'],
        row: { row: 3, reason: 'record has 2 fields, the header has 3', fields: ['3', 'gamma'] },
      },
    ]);
  });

  it('comes to the same outcome with either CSV_PARSER, on a file of quotes, bad rows and blank lines', async () => {
    const text = `\uFEFFID,Note,Tag\r\n1,plain,a\r\n\r\n2,"quoted, ""twice""\nover lines",b\r\n3,a"b,c\r\n4,short\r\n${rowsOf(500, (row) => (row % 7 === 0 ? `${row + 4},"q${row}",x` : `${row + 4},p${row},y`))}5,"never closed,z\r\n6,x,y`;
    const chunked = await run(text, { parser: 'chunked', chunk: 61 });
    const full = await run(text, { parser: 'csv-parse', chunk: 61 });
    expect(chunked.counts).toEqual({ rowsRead: 505, rowsWritten: 502, rowsRejected: 3 });
    expect({
      ...chunked,
      writes: undefined,
      table: new Map([...chunked.table.items].sort(([a], [b]) => a.localeCompare(b))),
    }).toEqual({
      ...full,
      writes: undefined,
      table: new Map([...full.table.items].sort(([a], [b]) => a.localeCompare(b))),
    });
  });

  it('lets the later of two rows with the same key win, however far apart, counting both', async () => {
    const body = rowsOf(3000, (row) =>
      row === 1 ? '7,first' : row === 1500 ? '007,middle' : row === 3000 ? '7.0,last' : `${row + 10},filler`,
    );
    const result = await run(`ID,Value\n${body}`, { chunk: 997 });
    expect(result.counts).toEqual({ rowsRead: 3000, rowsWritten: 3000, rowsRejected: 0 });
    expect(result.table.items.get('N7e0')).toEqual({ ID: { N: '7.0' }, Value: { S: 'last' } });
    expect(result.table.items.size).toBe(2998);
  });

  it('never fails the rows batched with a bad one', async () => {
    const body = rowsOf(30, (row) => (row === 5 ? ',,' : row === 10 ? `${row},x,yes` : `${row},x,`));
    const result = await run(`ID,Value,Refuse\n${body}`);
    expect(result.counts).toEqual({ rowsRead: 30, rowsWritten: 28, rowsRejected: 2 });
    expect(result.table.items.size).toBe(28);
    expect(result.rejected.map(({ row }) => [row.row, row.fields])).toEqual([
      [5, ['', '', '']],
      [10, ['10', 'x', 'yes']],
    ]);
    expect(result.errors.map(({ row, code }) => [row, code])).toEqual([
      [5, ErrorCode.KEY_MISSING],
      [10, ErrorCode.ITEM_REFUSED],
    ]);
  });

  it('reads gzip files like plain ones', async () => {
    const text = `ID,Name\n${rowsOf(100, (row) => `${row},n${row}`)}`;
    const result = await run(text, { gzip: true, chunk: 50 });
    expect(result.counts).toEqual({ rowsRead: 100, rowsWritten: 100, rowsRejected: 0 });
  });

  it.each([
    ['bom-crlf.csv', 2],
    ['quoted-newlines.csv', 3],
    ['blank-lines.csv', 2],
    ['mixed-line-endings.csv', 3],
    ['cr-only.csv', 2],
  ])('reads %s as %i rows, blank lines not counted', async (name, rows) => {
    const result = await run(fixture(name), { chunk: 3 });
    expect(result.counts).toEqual({ rowsRead: rows, rowsWritten: rows, rowsRejected: 0 });
  });

  it('resumes at any record boundary with the same outcome as one pass', async () => {
    const text = fixture('quoted-newlines.csv');
    const whole = await run(text);
    for (const every of [1, 2]) {
      const table = createTable(NUMBER_KEY);
      let resume: ResumePoint | undefined;
      let result: IngestResult;
      let records = 0;
      do {
        result = await run(text, {
          table,
          ...(resume && { resume }),
          shouldStop: () => ++records % every === 0,
        });
        resume = result.outcome === 'stopped' ? result.resume : undefined;
      } while (result.outcome === 'stopped');
      expect(result.counts).toEqual(whole.counts);
      expect([...table.items.values()]).toEqual([...whole.table.items.values()]);
    }
  });

  it('writes or rejects every row of any well-formed file, never losing one', async () => {
    const field = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        'true',
        'FALSE',
        '007',
        '1e5',
        '-0',
        '3.14',
        '"',
        '""',
        ',',
        '\n',
        '\r\n',
        'ü😀',
      ),
      fc.string({ maxLength: 8 }),
    );
    const row = fc.tuple(
      fc.oneof(fc.integer({ min: 0, max: 20 }).map(String), fc.constantFrom('', 'x', '07')),
      field,
      field,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 80 }),
        fc.integer({ min: 1, max: 40 }),
        async (rows, chunk) => {
          const result = await run(stringify([['ID', 'A', 'B'], ...rows]), { chunk });
          const { rowsRead, rowsWritten, rowsRejected } = result.counts;
          expect(rowsRead).toBe(rows.length);
          expect(rowsWritten + rowsRejected).toBe(rowsRead);
          const rejectedRows = new Set(result.rejected.map(({ row: rejected }) => rejected.row));
          const plan = compileDefaultPlan(['ID', 'A', 'B'], NUMBER_KEY, 'infer');
          const expected = new Map<string, Item>();
          for (const [index, fields] of rows.entries()) {
            if (rejectedRows.has(index + 1)) continue;
            const { item, keyId } = toItem(plan, fields, index + 1);
            expect(fields[0]).toMatch(/^(0|[1-9]\d*|07)$/);
            expected.set(keyId, item);
          }
          expect(new Map(result.table.items)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
