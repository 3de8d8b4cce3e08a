import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import { BUCKET, usePipeline } from '../support/pipeline.ts';

/** SPEC "Failures", "Which objects are processed" and the CSV rules, through the built handler. */

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** The first half of a gzip file of distinct rows. */
const truncatedGzip = () => {
  const whole = gzipSync(
    Buffer.from(
      `ID,Name\n${Array.from({ length: 2000 }, (_, row) => `${row},name ${row * 7919}`).join('\n')}\n`,
    ),
  );
  return whole.subarray(0, whole.length / 2);
};

describe('files that cannot be processed', () => {
  const context = usePipeline();

  it.each([
    ['an empty (0-byte) file', 'empty.csv', 'the file is empty: it has no header', 'FILE_EMPTY'],
    [
      'a duplicated header name',
      'duplicate-header.csv',
      'header column "Name" appears more than once',
      'CSV_DUPLICATE_HEADER',
    ],
    ['an empty header name', 'empty-header-name.csv', 'header column 2 has no name', 'CSV_EMPTY_HEADER'],
    [
      'a header without the key attribute',
      'missing-key-column.csv',
      'header has no column for key attribute "ID"',
      'CSV_MISSING_KEY_COLUMN',
    ],
  ])('fails %s, writes nothing and does not throw', async (_what, name, message, code) => {
    const { pipeline } = context;
    await expect(pipeline.ingest(`incoming/${name}`, fixture(name))).resolves.toBeUndefined();
    expect(await pipeline.report(`reports/${name}.json`)).toMatchObject({
      status: 'failed',
      rowsRead: 0,
      rowsWritten: 0,
      rowsRejected: 0,
      errors: [{ message, code }],
    });
    expect(await pipeline.items()).toEqual([]);
    expect(await pipeline.keys('rejected/')).toEqual([]);
  });

  it('succeeds on a header-only file with 0 rows', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/header-only.csv', fixture('header-only.csv'));
    expect(await pipeline.report('reports/header-only.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsRead: 0,
      rowsWritten: 0,
      rowsRejected: 0,
      errors: [],
    });
  });

  it('fails a file with invalid UTF-8, after writing the rows before it, saying where', async () => {
    const { pipeline } = context;
    const body = fixture('invalid-utf8.csv');
    await pipeline.ingest('incoming/invalid-utf8.csv', body);
    expect(await pipeline.report('reports/invalid-utf8.csv.json')).toMatchObject({
      status: 'failed',
      rowsRead: 1,
      rowsWritten: 1,
      rowsRejected: 0,
      errors: [
        {
          row: 2,
          message: `the file is not valid UTF-8 (byte offset ${body.indexOf(0xe9)})`,
          code: 'FILE_NOT_UTF8',
        },
      ],
    });
    expect(await pipeline.items()).toEqual([{ ID: { N: '1' }, Name: { S: 'alpha' } }]);
  });

  it.each([
    ['plain text named .csv.gz', Buffer.from('ID,Name\n1,a\n')],
    ['an empty .csv.gz', Buffer.alloc(0)],
    ['a truncated gzip file', truncatedGzip()],
  ])('fails %s as broken gzip', async (_what, body) => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/broken.csv.gz', body);
    const report = await pipeline.report('reports/broken.csv.gz.json');
    expect(report.status).toBe('failed');
    expect(report.errors).toEqual([
      { message: expect.stringMatching(/^the file is not valid gzip \(/), code: 'FILE_BAD_GZIP' },
    ]);
    expect(report.rowsWritten).toBe(report.rowsRead);
  });
});

describe('CSV as RFC 4180 writes it', () => {
  const context = usePipeline();

  it.each<[string, Record<string, unknown>[]]>([
    [
      'bom-crlf.csv',
      [
        { ID: { N: '1' }, Name: { S: 'alpha' }, Price: { N: '10' } },
        { ID: { N: '2' }, Name: { S: 'beta' }, Price: { N: '20' } },
      ],
    ],
    [
      'quoted-newlines.csv',
      [
        { ID: { N: '1' }, Note: { S: 'line one\nline two' }, Tag: { S: 'a' } },
        { ID: { N: '2' }, Note: { S: 'says "hi", then\r\nleaves' }, Tag: { S: 'b' } },
        { ID: { N: '3' }, Tag: { S: 'c' } },
      ],
    ],
    [
      'blank-lines.csv',
      [
        { ID: { N: '1' }, Name: { S: 'alpha' } },
        { ID: { N: '2' }, Name: { S: 'beta' } },
      ],
    ],
    [
      'mixed-line-endings.csv',
      [
        { ID: { N: '1' }, Name: { S: 'alpha' } },
        { ID: { N: '2' }, Name: { S: 'beta' } },
        { ID: { N: '3' }, Name: { S: 'gamma' } },
      ],
    ],
    [
      'multibyte.csv',
      [
        { ID: { N: '1' }, Name: { S: 'Müller' }, Emoji: { S: '😀' } },
        { ID: { N: '2' }, Name: { S: 'Łódź' }, Emoji: { S: '€' } },
      ],
    ],
  ])('reads %s', async (name, items) => {
    const { pipeline } = context;
    await pipeline.ingest(`incoming/${name}`, fixture(name));
    expect(await pipeline.report(`reports/${name}.json`)).toMatchObject({
      status: 'succeeded',
      rowsRead: items.length,
      rowsWritten: items.length,
    });
    const stored = await pipeline.items();
    expect(stored).toHaveLength(items.length);
    expect(stored).toEqual(expect.arrayContaining(items));
  });

  it('reads a gzip file with a BOM and CRLF like the plain one', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/bom-crlf.csv.gz', gzipSync(fixture('bom-crlf.csv')));
    expect(await pipeline.report('reports/bom-crlf.csv.gz.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 2,
    });
    expect((await pipeline.items()).map((item) => Object.keys(item).sort())).toEqual([
      ['ID', 'Name', 'Price'],
      ['ID', 'Name', 'Price'],
    ]);
  });

  it('rejects rows with malformed quoting, with their fields as read, and writes the others', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/malformed-quotes.csv', fixture('malformed-quotes.csv'));
    const report = await pipeline.report('reports/malformed-quotes.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 3, rowsWritten: 1, rowsRejected: 2 });
    expect(report.errors.map(({ row, code }: { row: number; code: string }) => [row, code])).toEqual([
      [1, 'ROW_MALFORMED'],
      [2, 'ROW_MALFORMED'],
    ]);
    const message = report.errors[0].message;
    expect(await pipeline.get('rejected/malformed-quotes.csv')).toBe(
      `_row,_error,ID,Size\n1,"${message.replace(/"/g, '""')}",1,"5"" screen"\n2,"${message.replace(/"/g, '""')}",2,"""12"" wide"\n`,
    );
  });

  it('never writes lines a stray quote swallowed as part of a value', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/swallowing-quote.csv', fixture('swallowing-quote.csv'));
    expect(await pipeline.report('reports/swallowing-quote.csv.json')).toMatchObject({
      status: 'partial',
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 1,
    });
    expect(await pipeline.items()).toEqual([{ ID: { N: '4' }, Size: { S: 'fine' } }]);
  });

  it('rejects a row whose quote never closes, keeping the rest of the file in its rejected record', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/unclosed-quote.csv', fixture('unclosed-quote.csv'));
    expect(await pipeline.report('reports/unclosed-quote.csv.json')).toMatchObject({
      status: 'partial',
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 1,
      errors: [
        {
          row: 2,
          message: 'a quoted field is never closed: the rest of the file was read as part of this row',
        },
      ],
    });
    expect(await pipeline.get('rejected/unclosed-quote.csv')).toBe(
      '_row,_error,ID,Name\n2,a quoted field is never closed: the rest of the file was read as part of this row,2,"never closed\n3,gamma"\n',
    );
  });
});

describe('objects and events that are not processed', () => {
  const context = usePipeline();

  const record = (key: string, extra: { bucket?: string; eventName?: string } = {}) =>
    s3Event({ bucket: extra.bucket ?? BUCKET, key, ...extra }).Records[0];

  it.each([
    [
      'the s3:TestEvent',
      { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-01-01T00:00:00Z', Bucket: BUCKET },
    ],
    ['a record of another bucket', { Records: [record('incoming/data.csv', { bucket: 'elsewhere' })] }],
    [
      'an ObjectRemoved record',
      { Records: [record('incoming/data.csv', { eventName: 'ObjectRemoved:Delete' })] },
    ],
    ['a key outside the upload prefix', { Records: [record('other/data.csv')] }],
    ['a key that is not .csv or .csv.gz', { Records: [record('incoming/data.txt')] }],
    ['an upper-case .CSV suffix', { Records: [record('incoming/data.CSV')] }],
    ['a folder marker', { Records: [record('incoming/folder/')] }],
    // Outputs under the upload prefix are spec-reports.test.ts's case; these lie outside it.
    ['a report, outside the upload prefix', { Records: [record('reports/data.csv.json')] }],
    ['a rejected-rows file, outside the upload prefix', { Records: [record('rejected/data.csv')] }],
  ])('skips %s without error and writes nothing', async (_what, event) => {
    const { pipeline } = context;
    for (const key of [
      'incoming/data.csv',
      'other/data.csv',
      'incoming/data.txt',
      'incoming/data.CSV',
      'rejected/data.csv',
    ]) {
      await pipeline.upload(key, 'ID\n1\n');
    }
    const before = await pipeline.keys();
    await expect(pipeline.handler(event, lambdaContext())).resolves.toBeUndefined();
    expect(await pipeline.keys()).toEqual(before);
    expect(await pipeline.items()).toEqual([]);
  });
});

describe('invalid settings', () => {
  const context = usePipeline({ env: { TYPE_MODE: 'numbers' } });

  it('make the handler throw an error naming the variable', async () => {
    await expect(context.pipeline.ingest('incoming/data.csv', 'ID\n1\n')).rejects.toThrow(
      'invalid settings: TYPE_MODE must be "infer" or "string" (got "numbers")',
    );
    expect(await context.pipeline.keys('reports/')).toEqual([]);
  });
});
