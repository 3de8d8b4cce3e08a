import { access, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import { type LambdaEmulator, startLambdaEmulator } from '../../src/local/lambda-emulator.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

const BUCKET = 'cli-bucket';
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/cli');
let servers: LocalServers;
let lambda: LambdaEmulator;
let work: string;
const invoked: unknown[] = [];

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  lambda = await startLambdaEmulator({
    functionName: 'csv2ddb-ingest',
    handler: async (event) => {
      invoked.push(event);
    },
  });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-cli-'));
  for (const table of ['items', 'schema-items', 's3-items', 'replayed', 'dialect-items'])
    await createTable(servers.dynamodb, table);
});
afterAll(async () => {
  await lambda?.close();
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const csv2ddb = (...args: string[]) =>
  runCli(args, {
    env: { ...process.env, ...servers.env, AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint, NODE_NO_WARNINGS: '1' },
    cwd: work,
  });

/** A fixture copied into the work folder, so that its rejected-rows file lands there. */
const fixture = async (name: string) => {
  const path = join(work, name);
  await copyFile(join(FIXTURES, name), path);
  return path;
};

const getItem = async (table: string, id: string) =>
  (await servers.dynamodb.send(new GetItemCommand({ TableName: table, Key: { ID: { N: id } } }))).Item;

const getText = async (key: string) => {
  const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await response.Body?.transformToString('utf-8')) ?? '';
};

describe('csv2ddb ingest', () => {
  it('writes every row of a good file and exits 0', async () => {
    const { code, stdout } = await csv2ddb('ingest', await fixture('instances.csv'), '--table', 'items');
    expect(code).toBe(0);
    expect(stdout).toContain('succeeded: 3 rows read, 3 written, 0 rejected');
    expect(await getItem('items', '1')).toEqual({
      ID: { N: '1' },
      Name: { S: 'alpha' },
      Price: { N: '12345678901234567890' },
      Zip: { S: '02134' },
      Active: { BOOL: true },
      Tags: { S: 'web|prod' },
    });
    expect((await getItem('items', '3'))?.Price).toEqual({ S: '007' });
  });

  it('writes through sender threads with --threads 2 (the bundle finds dist/cli/sender.mjs)', async () => {
    const { code, stdout, stderr } = await csv2ddb(
      'ingest',
      await fixture('instances.csv'),
      '--table',
      'items',
      '--threads',
      '2',
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('succeeded: 3 rows read, 3 written, 0 rejected');
    expect((await getItem('items', '2'))?.Name).toEqual({ S: 'beta' });
  });

  it('writes the good rows, puts the bad ones next to the input and exits 1', async () => {
    const path = await fixture('bad-rows.csv');
    const { code, stdout } = await csv2ddb('ingest', path, '--table', 'items');
    expect(code).toBe(1);
    expect(stdout).toContain('partial: 5 rows read, 2 written, 3 rejected');
    expect(stdout).toContain(`rejected rows: ${path}.rejected.csv`);
    expect(stdout).toMatch(/2 +KEY_MISSING +column "ID": key is empty/);
    const rejected = await readFile(`${path}.rejected.csv`, 'utf8');
    expect(rejected.split('\n')[0]).toBe('_row,_error,ID,Name,Price');
    expect(rejected).toContain('4,"record has 4 fields, the header has 3",4,too,many,fields');
    expect((await getItem('items', '5'))?.Name).toEqual({ S: 'epsilon' });
  });

  it('removes an earlier rejected-rows file when a run rejects nothing', async () => {
    const path = await fixture('instances.csv');
    await writeFile(`${path}.rejected.csv`, 'stale');
    expect((await csv2ddb('ingest', path, '--table', 'items')).code).toBe(0);
    await expect(access(`${path}.rejected.csv`)).rejects.toThrow();
  });

  it('reads .csv.gz files', async () => {
    const path = join(work, 'instances.csv.gz');
    await writeFile(path, gzipSync(await readFile(join(FIXTURES, 'instances.csv'))));
    const { code, stdout } = await csv2ddb('ingest', path, '--table', 'items', '--concurrency', '2');
    expect(code).toBe(0);
    expect(stdout).toContain('3 rows read, 3 written');
  });

  it('reads the dialect given by --delimiter and --encoding, and writes the rejected rows in it', async () => {
    const path = join(work, 'cp1252.csv');
    const text = await readFile(join(PROJECT_ROOT, 'test/fixtures/windows-1252.csv'));
    await writeFile(path, Buffer.concat([text, Buffer.from(';K\xf6ln;x;1\n', 'latin1')]));
    const { code, stdout } = await csv2ddb(
      'ingest',
      path,
      '--table',
      'dialect-items',
      '--delimiter',
      ';',
      '--encoding',
      'windows-1252',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('4 rows read, 3 written, 1 rejected');
    expect((await getItem('dialect-items', '1'))?.Name).toEqual({ S: 'Müller' });
    expect((await getItem('dialect-items', '3'))?.Name).toEqual({ S: 'Œuvre “quoted”' });
    expect((await readFile(`${path}.rejected.csv`)).toString('latin1')).toBe(
      '_row;_error;ID;Name;City;Price\n4;"column ""ID"": key is empty";;K\xf6ln;x;1\n',
    );
  });

  it('writes the rejected rows of a .csv.gz file gzip-compressed, next to it', async () => {
    const path = join(work, 'bad-rows.csv.gz');
    await writeFile(path, gzipSync(await readFile(join(FIXTURES, 'bad-rows.csv'))));
    // Not `items`: the export tests below read what the earlier tests wrote there.
    const { code, stdout } = await csv2ddb('ingest', path, '--table', 'dialect-items');
    expect(code).toBe(1);
    expect(stdout).toContain(`rejected rows: ${join(work, 'bad-rows.csv.rejected.csv.gz')}`);
    const rejected = gunzipSync(await readFile(join(work, 'bad-rows.csv.rejected.csv.gz'))).toString('utf8');
    expect(rejected.split('\n')[0]).toBe('_row,_error,ID,Name,Price');
    expect(rejected).toContain('4,"record has 4 fields, the header has 3",4,too,many,fields');
  });

  it('fails a file without the key column and exits 2', async () => {
    const { code, stdout } = await csv2ddb('ingest', await fixture('no-key-column.csv'), '--table', 'items');
    expect(code).toBe(2);
    expect(stdout).toContain('failed: 0 rows read');
    expect(stdout).toContain('header has no column for key attribute "ID"');
  });

  it('applies a column schema', async () => {
    const path = await fixture('instances.csv');
    const { code } = await csv2ddb(
      'ingest',
      path,
      '--table',
      'schema-items',
      '--schema',
      join(FIXTURES, 'schema.json'),
    );
    expect(code).toBe(0);
    expect(await getItem('schema-items', '1')).toMatchObject({
      name: { S: 'alpha' },
      Zip: { S: '02134' },
      Tags: { SS: expect.arrayContaining(['web', 'prod']) },
      source: { S: `local/${path}` },
    });
  });

  it('treats every field as a string with --type-mode string', async () => {
    const { code, stdout } = await csv2ddb(
      'ingest',
      await fixture('instances.csv'),
      '--table',
      'schema-items',
      '--type-mode',
      'string',
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded', rowsWritten: 3 });
    expect((await getItem('schema-items', '2'))?.Price).toEqual({ S: '19.99' });
  });

  it('ingests an s3:// object through the pipeline, report and rejected rows in the bucket', async () => {
    await servers.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'incoming/bad-rows.csv',
        Body: await readFile(join(FIXTURES, 'bad-rows.csv')),
      }),
    );
    const { code, stdout } = await csv2ddb(
      'ingest',
      `s3://${BUCKET}/incoming/bad-rows.csv`,
      '--table',
      's3-items',
    );
    expect(code).toBe(1);
    expect(stdout).toContain(`report: s3://${BUCKET}/reports/bad-rows.csv.json`);
    expect(stdout).toContain(`rejected rows: s3://${BUCKET}/rejected/bad-rows.csv`);
    expect(JSON.parse(await getText('reports/bad-rows.csv.json'))).toMatchObject({
      status: 'partial',
      rowsWritten: 2,
    });
    expect(await getText('rejected/bad-rows.csv')).toContain('_row,_error,ID,Name,Price');
  });

  // Each case is a process of its own: run them side by side.
  it.concurrent.each([
    ['no table', ['ingest', 'x.csv'], /csv2ddb ingest: required option '--table <name>' not specified/],
    ['no input', ['ingest', '--table', 'items'], /csv2ddb ingest: missing required argument 'input'/],
    ['a missing file', ['ingest', 'nowhere.csv', '--table', 'items'], /nowhere\.csv: no such file/],
    [
      'a bad concurrency',
      ['ingest', 'x.csv', '--table', 'items', '--concurrency', '0'],
      /--concurrency must be a whole number from 1 to 64/,
    ],
    [
      'a bad thread count',
      ['ingest', 'x.csv', '--table', 'items', '--threads', '5'],
      /--threads must be "auto" or a whole number from 1 to 4/,
    ],
    [
      'a bad delimiter',
      ['ingest', 'x.csv', '--table', 'items', '--delimiter', ':'],
      /--delimiter must be one of , ; \| tab, not ":"/,
    ],
    [
      'a bad encoding',
      ['ingest', 'x.csv', '--table', 'items', '--encoding', 'ebcdic'],
      /--encoding must be one of utf-8, .*, not "ebcdic"/,
    ],
    [
      'a bad type mode',
      ['ingest', 'x.csv', '--table', 'items', '--type-mode', 'typed'],
      /--type-mode must be "infer" or "string"/,
    ],
    [
      'an unknown table',
      ['ingest', join(FIXTURES, 'instances.csv'), '--table', 'nope'],
      /table nope does not exist/,
    ],
    [
      'an invalid schema',
      [
        'ingest',
        join(FIXTURES, 'instances.csv'),
        '--table',
        'items',
        '--schema',
        join(FIXTURES, 'invalid-schema.json'),
      ],
      /invalid schema .*columns\."Name"\.type/,
    ],
    [
      'an s3 key that is not a CSV file',
      ['ingest', `s3://${BUCKET}/incoming/x.txt`, '--table', 'items'],
      /does not name a \.csv\b.* file/,
    ],
  ])('exits 2 for %s, saying what is wrong', async (_case, args, message) => {
    const { code, stderr } = await csv2ddb(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('csv2ddb report', () => {
  it('shows the status, counts and errors of a source key, exit code by status', async () => {
    const { code, stdout } = await csv2ddb('report', 'incoming/bad-rows.csv', '--bucket', BUCKET);
    expect(code).toBe(1);
    expect(stdout).toMatch(/status +partial/);
    expect(stdout).toMatch(/rows +5 rows read, 2 written, 3 rejected/);
    expect(stdout).toMatch(/rejected rows +s3:\/\/cli-bucket\/rejected\/bad-rows\.csv/);
    expect(stdout).toMatch(/3 +KEY_INVALID +column "ID": key "x3" is not a number/);
  });

  it('accepts the report key and prints the stored JSON with --json', async () => {
    const { stdout } = await csv2ddb('report', 'reports/bad-rows.csv.json', '--bucket', BUCKET, '--json');
    expect(JSON.parse(stdout)).toEqual(JSON.parse(await getText('reports/bad-rows.csv.json')));
  });

  it('exits 2 when there is no report', async () => {
    const { code, stderr } = await csv2ddb('report', 'incoming/never.csv', '--bucket', BUCKET);
    expect(code).toBe(2);
    expect(stderr).toContain(`no report at s3://${BUCKET}/reports/never.csv.json`);
  });
});

describe('csv2ddb scan', () => {
  it('prints items as JSON lines with every digit of their numbers', async () => {
    const { code, stdout, stderr } = await csv2ddb('scan', '--table', 'items', '--limit', '10');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.find((line) => line.includes('alpha'))).toContain('"Price":12345678901234567890');
    expect(stderr).toContain('4 items');
  });

  it('stops at --limit and says there is more', async () => {
    const { stdout, stderr } = await csv2ddb('scan', '--table', 'items', '--limit', '2');
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(stderr).toContain('2 items (more in the table');
  });

  it.each([
    ['table', /^ID +Active +Name +Price +Tags +Zip\n/],
    ['dynamodb', /"Price":\{"N":"12345678901234567890"\}/],
  ])('prints --format %s', async (format, expected) => {
    const { stdout } = await csv2ddb('scan', '--table', 'items', '--format', format);
    expect(stdout).toMatch(expected);
  });
});

describe('csv2ddb replay', () => {
  beforeAll(async () => {
    for (const [key, body] of [
      ['incoming/a b/ü.csv', 'ID,Name\n10,ten\n'],
      ['incoming/more.csv.gz', gzipSync('ID,Name\n11,eleven\nx,bad\n')],
      ['incoming/notes.txt', 'not csv'],
    ] as const) {
      await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
  });

  it('lists what it would process with --dry-run', async () => {
    const { code, stdout } = await csv2ddb('replay', '--bucket', BUCKET, '--dry-run');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'incoming/a b/ü.csv',
      'incoming/bad-rows.csv',
      'incoming/more.csv.gz',
    ]);
  });

  it('invokes the function asynchronously with one S3-shaped event per file', async () => {
    invoked.length = 0;
    const { code } = await csv2ddb(
      'replay',
      '--bucket',
      BUCKET,
      '--prefix',
      'incoming/a b/',
      '--function',
      'csv2ddb-ingest',
    );
    expect(code).toBe(0);
    await lambda.idle();
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: 'incoming/a+b/%C3%BC.csv', size: 15 } },
        },
      ],
    });
  });

  it('writes straight into a table with --table, one report per file, exit code of the worst', async () => {
    const { code, stdout } = await csv2ddb('replay', '--bucket', BUCKET, '--table', 'replayed');
    expect(code).toBe(1);
    expect(stdout).toMatch(/succeeded +incoming\/a b\/ü\.csv/);
    expect(stdout).toMatch(/partial +incoming\/more\.csv\.gz +2 rows read, 1 written, 1 rejected/);
    expect(JSON.parse(await getText('reports/a b/ü.csv.json'))).toMatchObject({ status: 'succeeded' });
    expect(await getItem('replayed', '11')).toMatchObject({ Name: { S: 'eleven' } });
  });

  it('exits 2 without --function or --table', async () => {
    const { code, stderr } = await csv2ddb('replay', '--bucket', BUCKET);
    expect(code).toBe(2);
    expect(stderr).toContain('give either --function NAME or --table NAME');
  });
});
