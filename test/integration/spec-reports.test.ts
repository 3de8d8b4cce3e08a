import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import { BUCKET, loadBuiltHandler, usePipeline } from '../support/pipeline.ts';

/** SPEC "Reports and rejected rows", checked on the objects the built handler writes to s3rver. */

const ORDERS =
  'ID,Name,Price\n1,alpha,10\n,missing key,20\n3,gamma\n4,"quoted, name",40\n\n5,five,50,extra\n';
const ORDERS_REJECTED =
  '_row,_error,ID,Name,Price\n' +
  '2,"column ""ID"": key is empty",,missing key,20\n' +
  '3,"record has 2 fields, the header has 3",3,gamma\n' +
  '5,"record has 4 fields, the header has 3",5,five,50,extra\n';
const ORDERS_ITEMS = [
  { ID: { N: '1' }, Name: { S: 'alpha' }, Price: { N: '10' } },
  { ID: { N: '4' }, Name: { S: 'quoted, name' }, Price: { N: '40' } },
];

/** The report without the fields SPEC leaves to us (timings, writer statistics). */
const specFields = (report: Record<string, unknown>) => {
  const { status, rowsRead, rowsWritten, rowsRejected, errors, bucket, key, eTag, versionId } = report;
  return { status, rowsRead, rowsWritten, rowsRejected, errors, bucket, key, eTag, versionId };
};

describe('reports and rejected rows', () => {
  const context = usePipeline();

  it('reports a partial file exactly and lists each rejected row with its original fields', async () => {
    const { pipeline } = context;
    const { eTag } = await pipeline.upload('incoming/orders.csv', ORDERS);
    await pipeline.handler(s3Event({ bucket: BUCKET, key: 'incoming/orders.csv', eTag }), lambdaContext());
    const report = await pipeline.report('reports/orders.csv.json');
    expect(specFields(report)).toEqual({
      status: 'partial',
      rowsRead: 5,
      rowsWritten: 2,
      rowsRejected: 3,
      errors: [
        { row: 2, message: 'column "ID": key is empty', code: 'KEY_MISSING' },
        { row: 3, message: 'record has 2 fields, the header has 3', code: 'ROW_FIELD_COUNT' },
        { row: 5, message: 'record has 4 fields, the header has 3', code: 'ROW_FIELD_COUNT' },
      ],
      bucket: BUCKET,
      key: 'incoming/orders.csv',
      eTag,
      versionId: undefined,
    });
    expect(eTag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(report).not.toHaveProperty('versionId');
    expect(report.rejectedRowsKey).toBe('rejected/orders.csv');
    expect(await pipeline.get('rejected/orders.csv')).toBe(ORDERS_REJECTED);
    expect(await pipeline.items()).toEqual(expect.arrayContaining(ORDERS_ITEMS));
    expect(await pipeline.items()).toHaveLength(2);
  });

  it('lets a user fix the rejected rows, drop two columns and upload them again', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/orders.csv', ORDERS);
    const fixed = (await pipeline.get('rejected/orders.csv'))
      ?.replace(',missing key,', '2,missing key,')
      .replace('3,gamma', '3,gamma,30')
      .replace('5,five,50,extra', '5,five,50')
      .split('\n')
      .map((line) => line.replace(/^[^,]*,("[^"]*(""[^"]*)*"|[^,]*),/, ''))
      .join('\n');
    expect(fixed?.split('\n')[0]).toBe('ID,Name,Price');
    await pipeline.ingest('incoming/orders-fixed.csv', fixed as string);
    expect(await pipeline.report('reports/orders-fixed.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 3,
    });
    expect(await pipeline.items()).toHaveLength(5);
  });

  it('reports a clean file as succeeded with no rejected-rows file', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/clean.csv', 'ID,Name\n1,a\n2,b\n');
    expect(specFields(await pipeline.report('reports/clean.csv.json'))).toMatchObject({
      status: 'succeeded',
      rowsRead: 2,
      rowsWritten: 2,
      rowsRejected: 0,
      errors: [],
    });
    expect(await pipeline.keys()).toEqual(['incoming/clean.csv', 'reports/clean.csv.json']);
  });

  it('names a .csv.gz report after the whole key and gzips its rejected rows under the same name', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/orders.csv.gz', gzipSync(ORDERS));
    expect(await pipeline.report('reports/orders.csv.gz.json')).toMatchObject({
      status: 'partial',
      rowsRead: 5,
      rowsWritten: 2,
      rowsRejected: 3,
      key: 'incoming/orders.csv.gz',
    });
    expect(await pipeline.gunzipped('rejected/orders.csv.gz')).toBe(ORDERS_REJECTED);
    expect(await pipeline.keys('rejected/')).toEqual(['rejected/orders.csv.gz']);
  });

  it('removes an earlier rejected-rows file when the file is processed again with no rejected rows', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/orders.csv', ORDERS);
    expect(await pipeline.get('rejected/orders.csv')).toBe(ORDERS_REJECTED);
    await pipeline.ingest('incoming/orders.csv', 'ID,Name,Price\n1,alpha,10\n');
    expect(await pipeline.report('reports/orders.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsRejected: 0,
    });
    expect(await pipeline.get('rejected/orders.csv')).toBeUndefined();
  });

  it('processes the same file again with the same outcome', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/orders.csv', ORDERS);
    const first = specFields(await pipeline.report('reports/orders.csv.json'));
    const items = await pipeline.items();
    await pipeline.ingest('incoming/orders.csv', ORDERS);
    expect(specFields(await pipeline.report('reports/orders.csv.json'))).toEqual(first);
    expect(await pipeline.items()).toEqual(items);
    expect(await pipeline.get('rejected/orders.csv')).toBe(ORDERS_REJECTED);
  });

  it('lists the first 100 rejections in row order and counts every one', async () => {
    const { pipeline } = context;
    const rows = Array.from({ length: 250 }, (_, index) =>
      index % 2 === 0 ? `,bad ${index + 1}` : `${index + 1},ok`,
    );
    await pipeline.ingest('incoming/many-bad.csv', `ID,Name\n${rows.join('\n')}\n`);
    const report = await pipeline.report('reports/many-bad.csv.json');
    expect(report).toMatchObject({ status: 'partial', rowsRead: 250, rowsWritten: 125, rowsRejected: 125 });
    expect(report.errors.map(({ row }: { row: number }) => row)).toEqual(
      Array.from({ length: 100 }, (_, index) => 2 * index + 1),
    );
    const rejected = (await pipeline.get('rejected/many-bad.csv'))?.trimEnd().split('\n') ?? [];
    expect(rejected).toHaveLength(126);
    expect(rejected.at(-1)).toBe('249,"column ""ID"": key is empty",,bad 249');
  });

  it('decodes URL-encoded event keys: a space and ü in the key', async () => {
    const { pipeline } = context;
    await pipeline.ingest('incoming/My Data/Größe ü+1.csv', 'ID,Name\n1,a\n,b\n');
    expect(await pipeline.report('reports/My Data/Größe ü+1.csv.json')).toMatchObject({
      status: 'partial',
      key: 'incoming/My Data/Größe ü+1.csv',
    });
    expect(await pipeline.get('rejected/My Data/Größe ü+1.csv')).toBe(
      '_row,_error,ID,Name\n2,"column ""ID"": key is empty",,b\n',
    );
  });

  it('reads the object as it is, whatever ETag the event names (the AWS console sample event names a fake one)', async () => {
    const { pipeline } = context;
    const { eTag } = await pipeline.upload('incoming/sample.csv', 'ID,Name\n1,a\n');
    const event = s3Event({
      bucket: BUCKET,
      key: 'incoming/sample.csv',
      eTag: '0123456789abcdef0123456789abcdef',
    });
    await pipeline.handler(event, lambdaContext());
    expect(await pipeline.report('reports/sample.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 1,
      eTag,
    });
  });

  it('processes every record of an event', async () => {
    const { pipeline } = context;
    const keys = ['incoming/one.csv', 'incoming/two.csv.gz', 'incoming/sub dir/three.csv'];
    const bodies = ['ID\n1\n', gzipSync('ID\n2\n'), 'ID\n3\n'];
    const records = [];
    for (const [index, key] of keys.entries()) {
      const { eTag } = await pipeline.upload(key, bodies[index] as string | Uint8Array);
      records.push(...s3Event({ bucket: BUCKET, key, eTag }).Records);
    }
    await pipeline.handler({ Records: records }, lambdaContext());
    expect(await pipeline.keys('reports/')).toEqual([
      'reports/one.csv.json',
      'reports/sub dir/three.csv.json',
      'reports/two.csv.gz.json',
    ]);
    expect((await pipeline.items()).map((item) => (item.ID as { N: string }).N).sort()).toEqual([
      '1',
      '2',
      '3',
    ]);
  });
});

describe('custom prefixes', () => {
  const context = usePipeline({
    env: { UPLOAD_PREFIX: '', REPORT_PREFIX: 'out/reports/', REJECTED_PREFIX: 'out/rejected/' },
  });

  it('processes any .csv key of the bucket and writes its outputs under the given prefixes', async () => {
    const { pipeline } = context;
    await pipeline.ingest('data/orders.csv', ORDERS);
    expect(await pipeline.report('out/reports/data/orders.csv.json')).toMatchObject({ status: 'partial' });
    expect(await pipeline.get('out/rejected/data/orders.csv')).toBe(ORDERS_REJECTED);
  });

  it('never processes its own outputs, though they lie under the upload prefix', async () => {
    const { pipeline } = context;
    await pipeline.ingest('out/rejected/data/orders.csv', ORDERS_REJECTED);
    await pipeline.ingest('out/reports/x.csv', 'ID\n1\n');
    expect(await pipeline.keys()).toEqual(['out/rejected/data/orders.csv', 'out/reports/x.csv']);
    expect(await pipeline.items()).toEqual([]);
  });
});

describe('endpoints from the AWS SDK settings', () => {
  const context = usePipeline();

  it('reaches s3rver named by host name (AWS_ENDPOINT_URL_S3=http://localhost:port)', async () => {
    const { pipeline } = context;
    // The handler builds its clients at its first invocation, from the environment of that moment.
    const handler = await loadBuiltHandler();
    process.env.AWS_ENDPOINT_URL_S3 = pipeline.servers.s3Endpoint.replace('127.0.0.1', 'localhost');
    try {
      const { eTag } = await pipeline.upload('incoming/by-name.csv', 'ID,Name\n1,a\n');
      await handler(s3Event({ bucket: BUCKET, key: 'incoming/by-name.csv', eTag }), lambdaContext());
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = pipeline.servers.s3Endpoint;
    }
    expect(await pipeline.report('reports/by-name.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 1,
    });
  });
});
