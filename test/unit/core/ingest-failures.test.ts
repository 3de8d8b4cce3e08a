import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.ts';
import { fixture, half, rowsOf, runIngest as run } from './ingest-harness.ts';

describe('ingest() on bad files', () => {
  it('fails an empty file, writing nothing', async () => {
    const result = await run(fixture('empty.csv'));
    expect(result).toMatchObject({
      outcome: 'failed',
      counts: { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 },
      errors: [{ message: 'the file is empty: it has no header', code: ErrorCode.FILE_EMPTY }],
    });
    expect(result.table.calls()).toBe(0);
  });

  it('completes a header-only file with 0 rows', async () => {
    const result = await run(fixture('header-only.csv'));
    expect(result).toMatchObject({
      outcome: 'complete',
      counts: { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 },
    });
    expect(result.errors).toEqual([]);
  });

  it.each([
    ['duplicate-header.csv', ErrorCode.CSV_DUPLICATE_HEADER, 'header column "Name" appears more than once'],
    ['empty-header-name.csv', ErrorCode.CSV_EMPTY_HEADER, 'header column 2 has no name'],
    [
      'missing-key-column.csv',
      ErrorCode.CSV_MISSING_KEY_COLUMN,
      'header has no column for key attribute "ID"',
    ],
  ])('fails %s before writing anything', async (name, code, message) => {
    const result = await run(fixture(name));
    expect(result).toMatchObject({
      outcome: 'failed',
      counts: { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 },
    });
    expect(result.errors).toEqual([{ message, code }]);
    expect(result.table.calls()).toBe(0);
  });

  it.each([1, 7, 256, 65536])(
    'fails a file with invalid UTF-8 mid-file after writing every row before it (chunks of %i bytes)',
    async (chunk) => {
      const text = Buffer.concat([
        Buffer.from(`ID,Name\n${rowsOf(100, (row) => `${row},name ${row}`)}`),
        Buffer.from('101,caf'),
        Buffer.from([0xe9]),
        Buffer.from(`\n${rowsOf(10, (row) => `${row + 101},after`)}`),
      ]);
      const result = await run(text, { chunk });
      expect(result).toMatchObject({
        outcome: 'failed',
        counts: { rowsRead: 100, rowsWritten: 100, rowsRejected: 0 },
      });
      expect(result.table.items.size).toBe(100);
      expect(result.errors).toEqual([
        {
          row: 101,
          message: `the file is not valid UTF-8 (byte offset ${text.indexOf(0xe9)})`,
          code: ErrorCode.FILE_NOT_UTF8,
        },
      ]);
    },
  );

  it('fails a gzip file with invalid UTF-8 the same way', async () => {
    const text = Buffer.concat([
      Buffer.from(`ID,Name\n${rowsOf(20, (row) => `${row},a`)}2`),
      Buffer.from([0xff, 0x0a]),
    ]);
    const result = await run(text, { gzip: true, chunk: 16 });
    expect(result).toMatchObject({
      outcome: 'failed',
      counts: { rowsRead: 20, rowsWritten: 20, rowsRejected: 0 },
      errors: [{ row: 21, code: ErrorCode.FILE_NOT_UTF8 }],
    });
  });

  it.each([
    ['text that is not gzip', Buffer.from('ID,Name\n1,a\n')],
    [
      'a truncated gzip file',
      half(gzipSync(Buffer.from(`ID,Name\n${rowsOf(500, (row) => `${row},${row * 7919}`)}`))),
    ],
  ])('fails a .csv.gz file holding %s', async (_what, body) => {
    const result = await run(body, { gzip: true, raw: true });
    expect(result).toMatchObject({ outcome: 'failed', errors: [{ code: ErrorCode.FILE_BAD_GZIP }] });
    expect(result.counts.rowsWritten).toBe(result.counts.rowsRead);
  });

  it('reports the file-level error even after 100 row errors', async () => {
    const text = Buffer.concat([
      Buffer.from(`ID,Name\n${rowsOf(150, () => ',empty key')}`),
      Buffer.from([0xc3]),
    ]);
    const result = await run(text);
    expect(result.counts).toEqual({ rowsRead: 150, rowsWritten: 0, rowsRejected: 150 });
    expect(result.errors).toHaveLength(101);
    expect(result.errors.at(-1)).toMatchObject({ code: ErrorCode.FILE_NOT_UTF8 });
  });

  it('rejects rows with malformed quoting and goes on with the next rows', async () => {
    const result = await run(fixture('malformed-quotes.csv'), { chunk: 5 });
    expect(result.counts).toEqual({ rowsRead: 3, rowsWritten: 1, rowsRejected: 2 });
    expect(result.rejected.map(({ row }) => [row.row, row.fields])).toEqual([
      [1, ['1', '5" screen']],
      [2, ['2', '"12" wide']],
    ]);
    expect(result.errors.every(({ code }) => code === ErrorCode.ROW_MALFORMED)).toBe(true);
  });

  it('rejects the row whose quote swallowed the next lines, never writing them as its value', async () => {
    const result = await run(fixture('swallowing-quote.csv'));
    expect(result.counts).toEqual({ rowsRead: 2, rowsWritten: 1, rowsRejected: 1 });
    expect([...result.table.items.values()]).toEqual([{ ID: { N: '4' }, Size: { S: 'fine' } }]);
  });

  it('rejects a row whose quote never closes, listing the rest of the file in it', async () => {
    const result = await run(fixture('unclosed-quote.csv'));
    expect(result.counts).toEqual({ rowsRead: 2, rowsWritten: 1, rowsRejected: 1 });
    expect(result.rejected[0]?.row).toMatchObject({ row: 2, fields: ['2', 'never closed\n3,gamma'] });
  });

  it('fails a file whose header has malformed quoting', async () => {
    const result = await run('"ID"x,Name\n1,a\n');
    expect(result).toMatchObject({ outcome: 'failed', errors: [{ code: ErrorCode.CSV_MALFORMED_HEADER }] });
  });

  it('fails a file at a record over 4 MB, naming its row, after writing the rows before it', async () => {
    const text = `ID,Name\n1,a\n2,b\n3,"${'x'.repeat(4 * 1024 * 1024)}\n4,d\n`;
    const result = await run(text, { chunk: 65536 });
    expect(result).toMatchObject({
      outcome: 'failed',
      counts: { rowsRead: 2, rowsWritten: 2, rowsRejected: 0 },
      errors: [{ row: 3, code: ErrorCode.CSV_RECORD_TOO_LARGE }],
    });
  });
});
