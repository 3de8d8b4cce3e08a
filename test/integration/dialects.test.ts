import { readFile } from 'node:fs/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BUCKET, usePipeline } from '../support/pipeline.ts';

/** SPEC "CSV dialect", through the built handler: the dialect reaches the reader and the rejected rows. */

const fixture = (name: string) => readFile(`test/fixtures/${name}`);

/** The names of the three rows every dialect fixture holds (the same text in each). */
const NAMES = ['Müller', 'Dupont; fils', 'Œuvre “quoted”'];

type Pipeline = ReturnType<typeof usePipeline>['pipeline'];

const names = async (pipeline: Pipeline) =>
  (await pipeline.plainItems())
    .sort((a, b) => Number(a.ID) - Number(b.ID))
    .map((item) => item.Name)
    .slice(0, 3);

const bytesOf = async (pipeline: Pipeline, key: string): Promise<Buffer> => {
  const response = await pipeline.servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
};

// The env of one pipeline stays for the next (process.env): the pipeline without a schema comes first.
describe('dialects without a schema', () => {
  const context = usePipeline();

  it('reads a UTF-16LE file by its byte order mark', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/utf16.csv', await fixture('utf16le-bom.csv'));
    expect(await pipeline.report('reports/utf16.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 3,
    });
    expect(await names(pipeline)).toEqual(NAMES);
  });

  it.each([
    ['utf16le-bom.csv', 'utf16le', [0xff, 0xfe]],
    ['utf16be-bom.csv', 'utf16be', [0xfe, 0xff]],
  ] as const)(
    'writes the rejected rows of %s (read as UTF-8, its byte order mark says UTF-16) in that UTF-16, to upload again as they are',
    async (name, encoding, bom) => {
      const { pipeline } = context;
      const encode = (text: string) => {
        const le = Buffer.from(text, 'utf16le');
        return encoding === 'utf16le' ? le : Buffer.from(le).swap16();
      };
      const body = Buffer.concat([await fixture(name), encode('x;bad,Köln,z,1\r\n')]);
      await pipeline.ingest(`incoming/${name}`, body);
      expect(await pipeline.report(`reports/${name}.json`)).toMatchObject({
        status: 'partial',
        rowsWritten: 3,
        rowsRejected: 1,
      });
      const rejected = await bytesOf(pipeline, `rejected/${name}`);
      expect([...rejected.subarray(0, 2)]).toEqual(bom);
      const decoded = encoding === 'utf16le' ? rejected : Buffer.from(rejected).swap16();
      expect(decoded.toString('utf16le')).toBe(
        '\uFEFF_row,_error,ID,Name,City,Price\n4,"column ""ID"": key ""x;bad"" is not a number",x;bad,Köln,z,1\n',
      );
      // Fixed, the rejected-rows file goes in again as it is, read by its byte order mark.
      const fixed = encode('\uFEFF_row,_error,ID,Name,City,Price\n4,"was bad",4,Köln,z,1\n');
      await pipeline.ingest(`incoming/fixed-${name}`, fixed);
      expect(await pipeline.report(`reports/fixed-${name}.json`)).toMatchObject({
        status: 'succeeded',
        rowsWritten: 1,
      });
      expect((await pipeline.plainItems()).find((item) => String(item.ID) === '4')).toMatchObject({
        Name: 'Köln',
      });
    },
  );

  it('reads a .tsv key with a tab, and writes its rejected rows with a tab', async () => {
    const { pipeline } = context;
    const text = `${(await fixture('tabs.tsv')).toString('utf8')}5\tfive\textra\tfield\tmore\n`;
    await pipeline.ingest('incoming/tabs.tsv', text);
    expect(await pipeline.report('reports/tabs.tsv.json')).toMatchObject({
      status: 'partial',
      rowsWritten: 3,
      rowsRejected: 1,
    });
    expect(await names(pipeline)).toEqual(NAMES);
    expect(await pipeline.get('rejected/tabs.tsv')).toBe(
      '_row\t_error\tID\tName\tCity\tPrice\n' +
        '4\trecord has 5 fields, the header has 4\t5\tfive\textra\tfield\tmore\n',
    );
  });

  it('fails a `;` file with the delimiter hint', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/semicolon.csv', await fixture('semicolon.csv'));
    const report = await pipeline.report('reports/semicolon.csv.json');
    expect(report.status).toBe('failed');
    expect(report.errors[0].message).toContain('the header looks `;`-separated: set `csv.delimiter`');
  });
});

describe('dialects from the schema', () => {
  const context = usePipeline({ env: { SCHEMA: '{"csv":{"delimiter":";"}}' } });

  it('reads a `;` file, and writes its rejected rows with `;`', async () => {
    const { pipeline } = context;
    const text = `${(await fixture('semicolon.csv')).toString('utf8')};no key;x;1\n`;
    await pipeline.ingest('incoming/semicolon.csv', text);
    expect(await pipeline.report('reports/semicolon.csv.json')).toMatchObject({
      status: 'partial',
      rowsWritten: 3,
      rowsRejected: 1,
    });
    expect(await names(pipeline)).toEqual(NAMES);
    expect(await pipeline.get('rejected/semicolon.csv')).toBe(
      '_row;_error;ID;Name;City;Price\n4;"column ""ID"": key is empty";;no key;x;1\n',
    );
  });
});

describe('an encoding from the schema', () => {
  const context = usePipeline({ env: { SCHEMA: '{"csv":{"delimiter":";","encoding":"windows-1252"}}' } });

  it('reads a windows-1252 file, and writes its rejected rows in windows-1252', async () => {
    const { pipeline } = context;
    const body = Buffer.concat([await fixture('windows-1252.csv'), Buffer.from(';K\xf6ln;x;1\n', 'latin1')]);
    await pipeline.ingest('incoming/cp1252.csv', body);
    expect(await pipeline.report('reports/cp1252.csv.json')).toMatchObject({
      status: 'partial',
      rowsWritten: 3,
      rowsRejected: 1,
    });
    expect(await names(pipeline)).toEqual(NAMES);
    const rejected = await bytesOf(pipeline, 'rejected/cp1252.csv');
    expect(rejected.toString('latin1')).toBe(
      '_row;_error;ID;Name;City;Price\n4;"column ""ID"": key is empty";;K\xf6ln;x;1\n',
    );
  });
});
