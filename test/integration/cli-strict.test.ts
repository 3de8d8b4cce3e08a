import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// The command line as a user meets it: help, what it refuses (and the option meant), messages that
// say what to do. Ctrl-C: cli-interrupt.test.ts; the commands' work itself: cli.test.ts.

const BUCKET = 'cli-strict-bucket';
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/cli');
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-cli-strict-'));
  for (const table of ['items', 'strict']) await createTable(servers.dynamodb, table);
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const cliEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' });
const csv2ddb = (...args: string[]) => runCli(args, { env: cliEnv(), cwd: work });
const csv2ddbWith = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(args, { env, cwd: work });

const fixture = async (name: string) => {
  const path = join(work, name);
  await copyFile(join(FIXTURES, name), path);
  return path;
};

const getText = async (key: string) => {
  const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await response.Body?.transformToString('utf-8')) ?? '';
};

describe('csv2ddb --help', () => {
  it.concurrent.each(['', 'ingest', 'replay', 'report', 'scan', 'schema'])(
    'explains "%s"',
    async (command) => {
      const { code, stdout } = await csv2ddb(...(command ? [command] : []), '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: csv2ddb ${command}`.trimEnd());
    },
  );

  it('names an unknown command, and the one meant', async () => {
    expect(await csv2ddb('load', 'x.csv')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("csv2ddb: unknown command 'load'"),
    });
    const { code, stderr } = await csv2ddb('injest', 'x.csv');
    expect(code).toBe(2);
    expect(stderr).toBe(
      'csv2ddb: unknown command \'injest\'\n(Did you mean ingest?)\nRun "csv2ddb --help" for usage.\n',
    );
  });

  it('prints the version', async () => {
    const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(await csv2ddb('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('a strict command line: what is not declared is an error, before anything is read or written', () => {
  it.concurrent.each([
    [['ingest', 'x.csv', '--table', 'items', '--concurency', '4'], '--concurency', '--concurrency'],
    [['ingest', 'x.csv', '--table', 'items', '--schemas', 'schema.json'], '--schemas', '--schema'],
    [['ingest', 'x.csv', '--table', 'items', '--typemode', 'string'], '--typemode', '--type-mode'],
    [['replay', '--bucket', BUCKET, '--dryrun'], '--dryrun', '--dry-run'],
    [['report', 'incoming/x.csv', '--bucket', BUCKET, '--jsn'], '--jsn', '--json'],
    [['scan', '--table', 'items', '--limt', '5'], '--limt', '--limit'],
    [['schema', 'infer', 'x.csv', '--sampel', '5'], '--sampel', '--sample'],
  ])('refuses %j: unknown option %s, did you mean %s', async (args, unknown, meant) => {
    const { code, stdout, stderr } = await csv2ddb(...args);
    const command = args[0] === 'schema' ? 'csv2ddb schema infer' : `csv2ddb ${args[0]}`;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `${command}: unknown option '${unknown}'\n(Did you mean ${meant}?)\nRun "${command} --help" for usage.\n`,
    );
  });

  it.concurrent.each([
    [
      ['ingest', 'a.csv', 'b.csv', '--table', 'items'],
      "too many arguments for 'ingest'. Expected 1 argument but got 2",
    ],
    [
      ['report', 'a', 'b', '--bucket', BUCKET],
      "too many arguments for 'report'. Expected 1 argument but got 2",
    ],
    [['scan', 'items', '--table', 'items'], "too many arguments for 'scan'. Expected 0 arguments but got 1"],
    [['replay', 'incoming/', '--bucket', BUCKET], "too many arguments for 'replay'"],
    [['schema', 'infer', 'a.csv', 'b.csv'], "too many arguments for 'infer'"],
  ])('refuses the extra argument of %j', async (args, message) => {
    const { code, stdout, stderr } = await csv2ddb(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('loads nothing when given two files: one file per run', async () => {
    const first = await fixture('instances.csv');
    const { code, stderr } = await csv2ddb(
      'ingest',
      first,
      await fixture('bad-rows.csv'),
      '--table',
      'strict',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('too many arguments');
    const { Count } = await servers.dynamodb.send(new ScanCommand({ TableName: 'strict', Select: 'COUNT' }));
    expect(Count).toBe(0);
  });
});

describe('messages that say what to do', () => {
  it.concurrent.each([
    [
      'a key that never existed',
      ['ingest', `s3://${BUCKET}/incoming/nope.csv`, '--table', 'items'],
      `csv2ddb ingest: s3://${BUCKET}/incoming/nope.csv does not exist\n`,
    ],
    [
      'a file that does not exist',
      ['schema', 'infer', 'nope.csv'],
      'csv2ddb schema infer: nope.csv: no such file\n',
    ],
    [
      'a prefix outside the upload prefix',
      ['replay', '--bucket', BUCKET, '--prefix', 'other/', '--dry-run'],
      "csv2ddb replay: --prefix other/ is outside the upload prefix incoming/: S3 notifies only uploads under it, and replay takes only what it would notify (if the function's UPLOAD_PREFIX is another, give it as --upload-prefix)\n",
    ],
  ])('exits 2 for %s, saying so', async (_case, args, message) => {
    const { code, stdout, stderr } = await csv2ddb(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(message);
  });

  it('writes no report for a key that never existed', async () => {
    await csv2ddb('ingest', `s3://${BUCKET}/incoming/never-there.csv`, '--table', 'items');
    await expect(getText('reports/never-there.csv.json')).rejects.toThrow(/NoSuchKey|does not exist/);
  });

  it('tells how to set credentials when the SDK finds none', async () => {
    const env: NodeJS.ProcessEnv = {
      ...cliEnv(),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
      AWS_CONFIG_FILE: join(work, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      delete env[name];
    const { code, stderr } = await csv2ddbWith(env, 'scan', '--table', 'items');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^csv2ddb scan: CredentialsProviderError: .*\n/);
    expect(stderr).toContain(
      'The AWS SDK found no credentials. Set AWS_PROFILE to a profile of ~/.aws/config',
    );
    expect(stderr).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  });
});

describe('npm start', () => {
  it.concurrent.each([
    ['--bogus', "npm start: unknown option '--bogus'\n"],
    ['--wach', "npm start: unknown option '--wach'\n(Did you mean --watch?)\n"],
    ['extra', 'npm start: too many arguments. Expected 0 arguments but got 1.\n'],
  ])('refuses %s before it starts anything', async (arg, message) => {
    const run = await promisify(execFile)('npm', ['start', '--silent', '--', arg], {
      cwd: PROJECT_ROOT,
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${message}Run "npm start -- --help" for usage.\n`);
  });
});
