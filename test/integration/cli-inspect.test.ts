import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable, scanTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// The commands that look before a load: type warnings, --dry-run, schema validate and infer --table
// (report s3:// and reports: cli-reports.test.ts). Against s3rver and the test DynamoDB, in a child process.

const BUCKET = 'inspect-bucket';
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-inspect-'));
  for (const table of ['zips', 'dry', 'wet']) await createTable(servers.dynamodb, table);
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const csv2ddb = (...args: string[]) =>
  runCli(args, { env: { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' }, cwd: work });

const write = async (name: string, text: string) => {
  const path = join(work, name);
  await writeFile(path, text);
  return path;
};

const putObject = (key: string, body: string) =>
  servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

const getText = async (key: string) => {
  const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await response.Body?.transformToString('utf-8')) ?? '';
};

/** 60 zip codes: 57 read as numbers, 3 keep a leading zero and stay text. */
const ZIPS = [
  'ID,Zip,City',
  ...Array.from({ length: 60 }, (_, i) => `${i + 1},${i < 3 ? `0213${i}` : 30301 + i},City ${i + 1}`),
].join('\n');

describe('type warnings', () => {
  it('ingest prints the columns that got several types, with their counts, and suggests schema infer', async () => {
    const path = await write('zips.csv', ZIPS);
    const { code, stdout } = await csv2ddb('ingest', path, '--table', 'zips', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).warnings).toEqual([{ column: 'Zip', types: { S: 3, N: 57 } }]);

    const plain = await csv2ddb('ingest', path, '--table', 'zips');
    expect(plain.stdout).not.toContain('warning');
    expect(plain.stderr).toContain('warning: column "Zip": 57 rows N, 3 rows S');
    expect(plain.stderr).toContain(`csv2ddb schema infer ${path}`);
  });

  it('is stored in the report of an s3:// file, and report shows it', async () => {
    await putObject('incoming/zips.csv', ZIPS);
    expect((await csv2ddb('ingest', `s3://${BUCKET}/incoming/zips.csv`, '--table', 'zips')).code).toBe(0);
    const stored = JSON.parse(await getText('reports/zips.csv.json'));
    expect(stored.warnings).toEqual([{ column: 'Zip', types: { S: 3, N: 57 } }]);
    const { stdout } = await csv2ddb('report', 'incoming/zips.csv', '--bucket', BUCKET);
    expect(stdout).toContain('warning: column "Zip": 57 rows N, 3 rows S');
  });

  it('is not given under a schema that types the column', async () => {
    const path = await write('zips-typed.csv', ZIPS);
    const schema = await write('zips-schema.json', JSON.stringify({ columns: { Zip: { type: 'S' } } }));
    const { stdout } = await csv2ddb('ingest', path, '--table', 'zips', '--schema', schema, '--json');
    expect(JSON.parse(stdout)).not.toHaveProperty('warnings');
  });
});

const SAMPLE = join(PROJECT_ROOT, 'examples/ec2-instances.csv');

const keysOf = async (prefix: string) =>
  (await servers.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents?.map(
    ({ Key }) => Key,
  ) ?? [];

describe('csv2ddb ingest --dry-run', () => {
  it('writes nothing, and reports and rejects exactly what a run does', async () => {
    await mkdir(join(work, 'dry'));
    await mkdir(join(work, 'wet'));
    await copyFile(SAMPLE, join(work, 'dry/sample.csv'));
    await copyFile(SAMPLE, join(work, 'wet/sample.csv'));

    const dry = await csv2ddb('ingest', 'dry/sample.csv', '--table', 'dry', '--dry-run', '--json');
    expect(await scanTable(servers.dynamodb, 'dry')).toEqual([]);
    const wet = await csv2ddb('ingest', 'wet/sample.csv', '--table', 'wet', '--json');
    expect(dry.code).toBe(wet.code);
    expect(dry.code).toBe(1);

    const [dryReport, wetReport] = [JSON.parse(dry.stdout), JSON.parse(wet.stdout)];
    expect(dryReport.dryRun).toBe(true);
    const same = (report: Record<string, unknown>) => ({
      status: report.status,
      rowsRead: report.rowsRead,
      rowsWritten: report.rowsWritten,
      rowsRejected: report.rowsRejected,
      errors: report.errors,
      warnings: report.warnings,
    });
    expect(same(dryReport)).toEqual(same(wetReport));
    expect(dryReport.rowsWritten).toBe(57);
    expect(await readFile(join(work, 'dry/sample.csv.rejected.csv'), 'utf8')).toBe(
      await readFile(join(work, 'wet/sample.csv.rejected.csv'), 'utf8'),
    );

    const plain = await csv2ddb('ingest', 'dry/sample.csv', '--table', 'dry', '--dry-run');
    expect(plain.stdout.split('\n').slice(0, 2)).toEqual([
      'dry run: nothing was written; the counts are what a run would do',
      expect.stringMatching(/^partial: 60 rows read, 57 written, 3 rejected /),
    ]);
  });

  it('leaves an interrupted run alone: --dry-run with --resume is refused (exit 2)', async () => {
    const { code, stderr } = await csv2ddb(
      'ingest',
      'dry/sample.csv',
      '--table',
      'dry',
      '--dry-run',
      '--resume',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--dry-run writes nothing to go on from: leave out --resume');
  });

  it("leaves an s3:// object's outputs alone: no report, no rejected rows in the bucket, those go to a local file", async () => {
    await putObject('incoming/dry/sample.csv', await readFile(SAMPLE, 'utf8'));
    const { code, stdout } = await csv2ddb(
      'ingest',
      `s3://${BUCKET}/incoming/dry/sample.csv`,
      '--table',
      'dry',
      '--dry-run',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('rejected rows: sample.csv.rejected.csv');
    expect(stdout).not.toContain('report:');
    expect(await keysOf('reports/dry/')).toEqual([]);
    expect(await keysOf('rejected/dry/')).toEqual([]);
    expect(await scanTable(servers.dynamodb, 'dry')).toEqual([]);
    const rejected = await readFile(join(work, 'sample.csv.rejected.csv'), 'utf8');
    expect(rejected.split('\n')[0]).toBe(
      '_row,_error,ID,Instance ID,Instance Type,vCPUs,Memory GiB,Zip,Tags,Specs,Notes,Region',
    );
    expect(rejected.trimEnd().split('\n')).toHaveLength(4);
  });
});

describe('csv2ddb schema validate', () => {
  it('says a valid schema is valid, and checks it against a table with --table (exit 0)', async () => {
    const schema = join(PROJECT_ROOT, 'examples/schema.json');
    const plain = await csv2ddb('schema', 'validate', schema);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout.trim()).toBe(
      `${schema}: a valid column schema (9 columns, other columns: infer, 3 added attributes)`,
    );
    const { code, stdout } = await csv2ddb('schema', 'validate', schema, '--table', 'zips');
    expect(code).toBe(0);
    expect(stdout).toContain('; fits table zips (key ID N)');
  });

  it('names the file and every problem of an invalid one (exit 2)', async () => {
    const path = await write(
      'bad-schema.json',
      JSON.stringify({ columns: { Zip: { type: 'STRING' }, Tags: { separator: ';' } }, extra: 1 }),
    );
    const { code, stdout, stderr } = await csv2ddb('schema', 'validate', path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(
      `csv2ddb schema validate: invalid schema (${path}): columns."Zip".type must be one of S, N, BOOL, JSON, SS, NS (got "STRING"); columns."Tags".separator is only allowed with type SS or NS; the schema has unknown property "extra" (allowed: $schema, csv, columns, otherColumns, add, write)`,
    );
  });

  it('refuses a schema that types a key differently from the table, and a missing file (exit 2)', async () => {
    const path = await write('key-schema.json', JSON.stringify({ columns: { ID: { type: 'S' } } }));
    expect((await csv2ddb('schema', 'validate', path)).code).toBe(0);
    const against = await csv2ddb('schema', 'validate', path, '--table', 'zips');
    expect(against.code).toBe(2);
    expect(against.stderr).toContain(
      `invalid schema (${path}): columns."ID".type S differs from the table's type N for key attribute "ID"`,
    );
    const missing = await csv2ddb('schema', 'validate', 'nope.json');
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr.trim()).toBe('csv2ddb schema validate: nope.json: no such file');
  });
});

describe('csv2ddb schema infer --table', () => {
  it("reads the key's name and type from the table instead of guessing", async () => {
    const path = await write('keyed.csv', 'ID,Zip\n1,02134\n2,30301\nx3,10001\n');
    const guessed = await csv2ddb('schema', 'infer', path);
    expect(JSON.parse(guessed.stdout).columns.ID).toEqual({ type: 'S' });
    expect(guessed.stderr).toContain('note: no --table: key columns are proposed like any other');

    const { code, stdout, stderr } = await csv2ddb('schema', 'infer', path, '--table', 'zips');
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.columns.ID).toEqual({});
    expect(schema.$schema).toMatch(/schema\/csv2ddb-schema\.json$/);
    expect(stderr).toContain(
      'key attribute: the table types it N; 1 value(s) are not numbers: their rows will be rejected',
    );
  });

  it("says when the file has no column for the table's key", async () => {
    const path = await write('keyless.csv', 'Name,Zip\na,02134\n');
    const { code, stderr } = await csv2ddb('schema', 'infer', path, '--table', 'zips');
    expect(code).toBe(0);
    expect(stderr).toContain(`note: table zips is keyed by "ID", which is not a column of ${path}`);
  });

  it('reads an s3:// object', async () => {
    await putObject('incoming/infer.csv', 'ID,Flag\n1,true\n2,FALSE\n');
    const { code, stdout } = await csv2ddb(
      'schema',
      'infer',
      `s3://${BUCKET}/incoming/infer.csv`,
      '--table',
      'zips',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).columns).toEqual({ ID: {}, Flag: { type: 'BOOL' } });
  });
});
