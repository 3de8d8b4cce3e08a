import { readFileSync } from 'node:fs';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, startPipeline } from '../support/pipeline.ts';

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

const EXAMPLE_SCHEMA = readFileSync('examples/schema.json', 'utf8');
const SAMPLE = readFileSync('test/fixtures/schema/ec2-sample.csv', 'utf8');
const SCHEMA_KEY = 'config/schema.json';

/** Starts a pipeline with these schema settings, and takes them away again afterwards. */
const usePipeline = (env: Record<string, string>) => {
  const state: { pipeline?: Pipeline } = {};
  beforeAll(async () => {
    state.pipeline = await startPipeline({ env });
  });
  afterAll(async () => {
    await state.pipeline?.close();
    for (const name of Object.keys(env)) delete process.env[name];
  });
  return () => state.pipeline as Pipeline;
};

const itemWithId = async (pipeline: Pipeline, id: string) =>
  (await pipeline.items()).find((item) => (item.ID as { N: string }).N === id);

describe('a column schema from SCHEMA', () => {
  const pipeline = usePipeline({ SCHEMA: EXAMPLE_SCHEMA });

  it('writes the sample data as the example schema says', async () => {
    await expect(pipeline().ingest('incoming/ec2.csv', SAMPLE)).resolves.toBeUndefined();
    const report = await pipeline().report('reports/ec2.csv.json');
    expect(report).toMatchObject({ status: 'succeeded', rowsRead: 5, rowsWritten: 5, rowsRejected: 0 });
    const item = await itemWithId(pipeline(), '2');
    // A set has no order: DynamoDB Local gives its members back in an order of its own.
    expect([...((item?.Tags as { SS: string[] } | undefined)?.SS ?? [])].sort()).toEqual([
      'critical',
      'db',
      'prod',
    ]);
    expect(item).toEqual({
      ID: { N: '2' },
      InstanceId: { S: 'i-03bb81e3c29b62179' },
      InstanceType: { S: 'm7g.large' },
      vCPUs: { N: '2' },
      MemoryGiB: { N: '8' },
      Zip: { S: '00501' },
      Tags: { SS: expect.any(Array) },
      Specs: { M: { cpu: { S: 'Graviton3' }, volumes: { L: [{ M: { sizeGiB: { N: '20' } } }] } } },
      Region: { S: 'ap-southeast-2' },
      source: { S: `${BUCKET}/incoming/ec2.csv` },
      ingestedAt: { S: report.startedAt },
      sourceRow: { N: '2' },
    });
    expect(await itemWithId(pipeline(), '3')).toMatchObject({
      Specs: { L: [{ S: 'a' }, { S: 'b' }] },
      Region: { S: 'eu-west-1' },
    });
    expect(await itemWithId(pipeline(), '1')).not.toHaveProperty('Tags');
    expect(await itemWithId(pipeline(), '1')).not.toHaveProperty('Notes');
  });

  it('rejects a row whose value does not fit its type, naming the column', async () => {
    const header = 'ID,Instance ID,vCPUs,Specs';
    await pipeline().ingest(
      'incoming/bad-row.csv',
      `${header}\n21,i-1,many,{}\n22,i-2,4,"{""a"":1e999}"\n23,i-3,2,[]\n`,
    );
    expect(await pipeline().report('reports/bad-row.csv.json')).toMatchObject({
      status: 'partial',
      rowsRead: 3,
      rowsWritten: 1,
      rowsRejected: 2,
      errors: [
        { row: 1, message: 'column "vCPUs": "many" is not a number' },
        { row: 2, message: 'column "Specs": JSON number 1e999 is too large for DynamoDB (1E126 or more)' },
      ],
    });
    expect(await pipeline().get('rejected/bad-row.csv')).toBe(
      `_row,_error,${header}\n1,"column ""vCPUs"": ""many"" is not a number",21,i-1,many,{}\n` +
        `2,"column ""Specs"": JSON number 1e999 is too large for DynamoDB (1E126 or more)",22,i-2,4,"{""a"":1e999}"\n`,
    );
  });

  it('fails a file whose header lacks a required column', async () => {
    await pipeline().ingest('incoming/no-vcpus.csv', 'ID,Instance ID\n31,i-1\n');
    expect(await pipeline().report('reports/no-vcpus.csv.json')).toMatchObject({
      status: 'failed',
      rowsRead: 0,
      errors: [{ message: 'header has no column "vCPUs", which the schema requires' }],
    });
    expect(await itemWithId(pipeline(), '31')).toBeUndefined();
  });
});

describe('a column schema from SCHEMA_S3_KEY', () => {
  const pipeline = usePipeline({ SCHEMA_S3_KEY: SCHEMA_KEY });
  const putSchema = (schema: unknown) =>
    pipeline().upload(SCHEMA_KEY, typeof schema === 'string' ? schema : JSON.stringify(schema));

  it('reads the schema object, and a new version of it in the same container', async () => {
    await putSchema({ columns: { Zip: { type: 'S' } }, add: { version: 'v1' } });
    await pipeline().ingest('incoming/first.csv', 'ID,Zip\n1,02139\n');
    expect(await itemWithId(pipeline(), '1')).toEqual({
      ID: { N: '1' },
      Zip: { S: '02139' },
      version: { S: 'v1' },
    });

    // Unchanged: the same ETag, the same schema.
    await pipeline().ingest('incoming/second.csv', 'ID,Zip\n2,02139\n');
    expect(await itemWithId(pipeline(), '2')).toEqual({
      ID: { N: '2' },
      Zip: { S: '02139' },
      version: { S: 'v1' },
    });

    await putSchema({ columns: { Zip: { type: 'N' } }, add: { version: 'v2' } });
    await pipeline().ingest('incoming/third.csv', 'ID,Zip\n3,02139\n');
    // DynamoDB keeps a number's value, not its spelling.
    expect(await itemWithId(pipeline(), '3')).toEqual({
      ID: { N: '3' },
      Zip: { N: '2139' },
      version: { S: 'v2' },
    });
  });

  it('fails each file while the schema object is invalid, without throwing, and recovers when it is fixed', async () => {
    await putSchema({ columns: { Zip: { type: 'INT' } } });
    await expect(pipeline().ingest('incoming/while-broken.csv', 'ID,Zip\n4,1\n')).resolves.toBeUndefined();
    expect(await pipeline().report('reports/while-broken.csv.json')).toMatchObject({
      status: 'failed',
      rowsRead: 0,
      rowsWritten: 0,
      errors: [
        {
          message: `invalid schema (s3://${BUCKET}/${SCHEMA_KEY}): columns."Zip".type must be one of S, N, BOOL, JSON, SS, NS (got "INT")`,
          code: 'SCHEMA_INVALID',
        },
      ],
    });
    expect(await itemWithId(pipeline(), '4')).toBeUndefined();

    await putSchema('{"columns": ');
    await pipeline().ingest('incoming/not-json.csv', 'ID,Zip\n5,1\n');
    expect((await pipeline().report('reports/not-json.csv.json')).errors[0].message).toMatch(
      /^invalid schema \(s3:\/\/source\/config\/schema\.json\): not valid JSON \(/,
    );

    await putSchema({ add: { version: 'v3' } });
    await pipeline().ingest('incoming/fixed.csv', 'ID,Zip\n6,1\n');
    expect(await pipeline().report('reports/fixed.csv.json')).toMatchObject({
      status: 'succeeded',
      rowsWritten: 1,
    });
    expect(await itemWithId(pipeline(), '6')).toEqual({
      ID: { N: '6' },
      Zip: { N: '1' },
      version: { S: 'v3' },
    });
  });

  it('fails each file while the schema object is missing', async () => {
    await pipeline().servers.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: SCHEMA_KEY }));
    await expect(pipeline().ingest('incoming/no-schema.csv', 'ID,Zip\n7,1\n')).resolves.toBeUndefined();
    expect(await pipeline().report('reports/no-schema.csv.json')).toMatchObject({
      status: 'failed',
      errors: [{ message: `invalid schema: SCHEMA_S3_KEY s3://${BUCKET}/${SCHEMA_KEY} does not exist` }],
    });
  });
});

describe('an invalid SCHEMA', () => {
  const pipeline = usePipeline({ SCHEMA: '{"columns":{"vCPUs":{"type":"INT"}}}' });

  it('fails every file with the message, and the invocation succeeds', async () => {
    for (const name of ['one', 'two']) {
      await expect(pipeline().ingest(`incoming/${name}.csv`, 'ID,vCPUs\n1,2\n')).resolves.toBeUndefined();
      expect(await pipeline().report(`reports/${name}.csv.json`)).toMatchObject({
        status: 'failed',
        errors: [
          {
            message:
              'invalid schema: columns."vCPUs".type must be one of S, N, BOOL, JSON, SS, NS (got "INT")',
          },
        ],
      });
    }
    expect(await pipeline().items()).toEqual([]);
  });
});

describe('SCHEMA and SCHEMA_S3_KEY together', () => {
  const pipeline = usePipeline({ SCHEMA: '{}', SCHEMA_S3_KEY: SCHEMA_KEY });

  it('are an invalid schema: every file fails, the invocation succeeds', async () => {
    await expect(pipeline().ingest('incoming/both.csv', 'ID\n1\n')).resolves.toBeUndefined();
    expect(await pipeline().report('reports/both.csv.json')).toMatchObject({
      status: 'failed',
      errors: [{ message: 'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both', code: 'SCHEMA_INVALID' }],
    });
  });
});
