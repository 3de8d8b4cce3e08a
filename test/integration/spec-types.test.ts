import { describe, expect, it } from 'vitest';
import { usePipeline } from '../support/pipeline.ts';

/** SPEC "From a row to an item", checked on the items the built handler leaves in the test DynamoDB (docs/testing.md). */

const zeros = (count: number) => '0'.repeat(count);

/** [field, the attribute DynamoDB holds (numbers as DynamoDB spells them), or undefined for none]. */
const INFER: [string, Record<string, unknown> | undefined][] = [
  ['42', { N: '42' }],
  ['-3.25', { N: '-3.25' }],
  ['12345678901234567890', { N: '12345678901234567890' }],
  ['1.50', { N: '1.5' }],
  ['-0', { N: '0' }],
  ['0.000', { N: '0' }],
  ['1'.repeat(38), { N: '1'.repeat(38) }],
  [`1${zeros(125)}`, { N: `1${zeros(125)}` }],
  [`0.${zeros(129)}1`, { N: `0.${zeros(129)}1` }],
  ['007', { S: '007' }],
  ['1e5', { S: '1e5' }],
  ['+5', { S: '+5' }],
  ['.5', { S: '.5' }],
  ['1,000', { S: '1,000' }],
  [' 42', { S: ' 42' }],
  ['NaN', { S: 'NaN' }],
  ['1'.repeat(39), { S: '1'.repeat(39) }],
  [`1${zeros(126)}`, { S: `1${zeros(126)}` }],
  [`0.${zeros(130)}1`, { S: `0.${zeros(130)}1` }],
  ['true', { BOOL: true }],
  ['FALSE', { BOOL: false }],
  ['tRuE', { BOOL: true }],
  ['yes', { S: 'yes' }],
  ['  padded  ', { S: '  padded  ' }],
  ['Müller "quoted", 😀', { S: 'Müller "quoted", 😀' }],
  ['two\nlines', { S: 'two\nlines' }],
  ['', undefined],
];

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const typesCsv = `ID,Value\n${INFER.map(([text], index) => `${index + 1},${csvField(text)}`).join('\n')}\n`;

const byId = (items: Record<string, Record<string, unknown>>[]) =>
  new Map(items.map((item) => [String((item.ID as { N: string }).N), item]));

describe('TYPE_MODE=infer (the default)', () => {
  const context = usePipeline({});

  it('types every field by the rules of SPEC, writing the decimal text exactly', async () => {
    await context.pipeline.ingest('incoming/types.csv', typesCsv);
    expect(await context.pipeline.report('reports/types.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsRead: INFER.length,
      rowsWritten: INFER.length,
      rowsRejected: 0,
    });
    const items = byId((await context.pipeline.items()) as never);
    for (const [index, [text, value]] of INFER.entries()) {
      const id = String(index + 1);
      expect({ text, item: items.get(id) }).toEqual({
        text,
        item: { ID: { N: id }, ...(value && { Value: value }) },
      });
    }
  });
});

describe('TYPE_MODE=string', () => {
  const context = usePipeline({ env: { TYPE_MODE: 'string' } });

  it('makes every non-key field a string and still leaves empty fields out', async () => {
    await context.pipeline.ingest('incoming/types.csv', typesCsv);
    const items = byId((await context.pipeline.items()) as never);
    expect(items.size).toBe(INFER.length);
    for (const [index, [text]] of INFER.entries()) {
      const id = String(index + 1);
      expect(items.get(id)).toEqual({ ID: { N: id }, ...(text !== '' && { Value: { S: text } }) });
    }
  });
});

describe('an N partition key', () => {
  const context = usePipeline({ partition: { name: 'ID', type: 'N' } });

  it('treats 7, 007 and 7.0 as the same key, the later row winning', async () => {
    await context.pipeline.ingest(
      'incoming/same-key.csv',
      'ID,Name\n7,first\n8,other\n007,second\n7.0,third\n',
    );
    expect(await context.pipeline.report('reports/same-key.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsRead: 4,
      rowsWritten: 4,
    });
    expect(await context.pipeline.items()).toEqual(
      expect.arrayContaining([
        { ID: { N: '7' }, Name: { S: 'third' } },
        { ID: { N: '8' }, Name: { S: 'other' } },
      ]),
    );
    expect(await context.pipeline.items()).toHaveLength(2);
  });

  it('replaces the whole item: an attribute the later row leaves empty is gone, not merged', async () => {
    await context.pipeline.ingest('incoming/replace-1.csv', 'ID,A,B\n21,x,y\n22,o,o\n021,z,\n');
    await context.pipeline.ingest('incoming/replace-2.csv', 'ID,C\n22,new\n');
    const items = await context.pipeline.items();
    expect(items).toContainEqual({ ID: { N: '21' }, A: { S: 'z' } });
    expect(items).toContainEqual({ ID: { N: '22' }, C: { S: 'new' } });
  });

  it('accepts any notation DynamoDB accepts and rejects the rest, naming the column', async () => {
    await context.pipeline.ingest(
      'incoming/n-keys.csv',
      'ID,Name\n1e3,a\n-2.5,b\nabc,c\n 4,d\n+5,e\n,f\n1E126,g\n',
    );
    const report = await context.pipeline.report('reports/n-keys.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 7, rowsWritten: 3, rowsRejected: 4 });
    expect(
      report.errors.map(({ row, message }: { row: number; message: string }) => ({ row, message })),
    ).toEqual([
      { row: 3, message: 'column "ID": key "abc" is not a number' },
      { row: 4, message: 'column "ID": key " 4" is not a number' },
      { row: 6, message: 'column "ID": key is empty' },
      { row: 7, message: 'column "ID": key "1E126" is too large for DynamoDB (1E126 or more)' },
    ]);
    expect(new Set((await context.pipeline.items()).map((item) => (item.ID as { N: string }).N))).toEqual(
      // DynamoDB takes +5 as 5; it is sent without the sign, which dynalite refuses.
      new Set(['1000', '-2.5', '5']),
    );
  });
});

describe('an S partition key', () => {
  const context = usePipeline({ partition: { name: 'Code', type: 'S' } });

  it('keeps key text exactly, spaces and leading zeros included', async () => {
    await context.pipeline.ingest('incoming/s-keys.csv', 'Code,N\n007,1\n7,2\n" a ",3\nü,4\n');
    const codes = (await context.pipeline.items()).map((item) => (item.Code as { S: string }).S);
    expect(codes.sort()).toEqual([' a ', '007', '7', 'ü']);
  });

  it('rejects a partition key over 2048 bytes and writes one of exactly 2048', async () => {
    const body = `Code,N\n${'k'.repeat(2048)},1\n${'k'.repeat(2049)},2\n${'ü'.repeat(1025)},3\n`;
    await context.pipeline.ingest('incoming/long-keys.csv', body);
    const report = await context.pipeline.report('reports/long-keys.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 3, rowsWritten: 1, rowsRejected: 2 });
    expect(report.errors.map(({ message }: { message: string }) => message)).toEqual([
      `column "Code": key is 2049 bytes, over DynamoDB's 2048-byte limit`,
      `column "Code": key is 2050 bytes, over DynamoDB's 2048-byte limit`,
    ]);
  });

  it('writes an item of 400 KB and rejects one just over it, never failing the rows around it', async () => {
    // "Code" (4) + "a" (1) + "Big" (3): the string takes the rest of 400 KB.
    const room = 400 * 1024 - 8;
    const body = `Code,Big\na,${'x'.repeat(room)}\nb,${'x'.repeat(room + 1)}\nc,small\n`;
    await context.pipeline.ingest('incoming/big-items.csv', body);
    const report = await context.pipeline.report('reports/big-items.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    expect(report.errors).toEqual([
      {
        row: 2,
        message: `item is ${400 * 1024 + 1} bytes, over DynamoDB's 400 KB limit`,
        code: 'ITEM_TOO_LARGE',
      },
    ]);
    const codes = (await context.pipeline.items()).map((item) => (item.Code as { S: string }).S);
    expect(codes.sort()).toEqual(['a', 'c']);
  });
});

describe('a B partition key', () => {
  const context = usePipeline({ partition: { name: 'Hash', type: 'B' } });

  it('decodes base64 and rejects a key that is not base64', async () => {
    await context.pipeline.ingest(
      'incoming/b-keys.csv',
      'Hash,Name\nAQID,one\n/w==,two\nnot base64!,three\n',
    );
    const report = await context.pipeline.report('reports/b-keys.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsWritten: 2, rowsRejected: 1 });
    expect(report.errors[0]).toMatchObject({ row: 3, message: 'column "Hash": key is not base64' });
    const items = await context.pipeline.items();
    expect(
      items.map((item) => [Buffer.from((item.Hash as { B: Uint8Array }).B).toString('base64'), item.Name]),
    ).toEqual(
      expect.arrayContaining([
        ['AQID', { S: 'one' }],
        ['/w==', { S: 'two' }],
      ]),
    );
  });
});

describe('a composite key (partition S, sort N)', () => {
  const context = usePipeline({ partition: { name: 'Tenant', type: 'S' }, sort: { name: 'Seq', type: 'N' } });

  it('writes one item per partition and sort key pair, wherever the key columns are', async () => {
    const body = 'Note,Seq,Tenant\nfirst,1,a\nsecond,2,a\nthird,1,b\nreplaced,01,a\nno sort,,a\n';
    await context.pipeline.ingest('incoming/composite.csv', body);
    const report = await context.pipeline.report('reports/composite.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 5, rowsWritten: 4, rowsRejected: 1 });
    expect(report.errors).toEqual([{ row: 5, message: 'column "Seq": key is empty', code: 'KEY_MISSING' }]);
    const items = await context.pipeline.items();
    expect(items).toHaveLength(3);
    expect(items).toEqual(
      expect.arrayContaining([
        { Tenant: { S: 'a' }, Seq: { N: '1' }, Note: { S: 'replaced' } },
        { Tenant: { S: 'a' }, Seq: { N: '2' }, Note: { S: 'second' } },
        { Tenant: { S: 'b' }, Seq: { N: '1' }, Note: { S: 'third' } },
      ]),
    );
  });
});

describe('a composite key (partition N, sort S)', () => {
  const context = usePipeline({ partition: { name: 'ID', type: 'N' }, sort: { name: 'Name', type: 'S' } });

  it('rejects a sort key over 1024 bytes and writes one of exactly 1024', async () => {
    await context.pipeline.ingest(
      'incoming/long-sort.csv',
      `ID,Name
1,${'s'.repeat(1024)}
2,${'s'.repeat(1025)}
`,
    );
    const report = await context.pipeline.report('reports/long-sort.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 2, rowsWritten: 1, rowsRejected: 1 });
    expect(report.errors).toEqual([
      {
        row: 2,
        message: `column "Name": key is 1025 bytes, over DynamoDB's 1024-byte limit`,
        code: 'KEY_TOO_LARGE',
      },
    ]);
    expect(await context.pipeline.items()).toEqual([{ ID: { N: '1' }, Name: { S: 's'.repeat(1024) } }]);
  });
});
