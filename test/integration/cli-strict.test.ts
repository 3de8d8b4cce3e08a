import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { CLI_PATH } from '../support/built-cli.ts';
import { runCli } from '../support/cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// The command line as a user meets it: help, what it refuses (and the option meant), messages that
// say what to do, Ctrl-C. The commands' work itself: cli.test.ts.

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

  /** 2000 rows with distinct keys (an item per row written), every 50th rejected. */
  const manyRows = () =>
    `ID,Name\n${Array.from({ length: 2000 }, (_, index) => (index % 50 === 49 ? `x${index},bad` : `${index},row`)).join('\n')}\n`;

  /**
   * `csv2ddb ingest INPUT` into a new table of 25 WCU, one call in flight: writes are paced to 25 rows/s,
   * so the file is still loading when Ctrl-C comes, and the writes in flight drain in a second or two.
   */
  const slowIngest = async (input: string, table: string) => {
    await createTable(servers.dynamodb, table, { name: 'ID', type: 'N' }, 25);
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'ingest', input, '--table', table, '--concurrency', '1'],
      {
        env: cliEnv(),
        cwd: work,
      },
    );
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
    });
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    const count = async () =>
      (await servers.dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0;
    /** Ctrl-C once some rows are in the table; the exit code. */
    const interrupt = async () => {
      while ((await count()) === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGINT');
      return closed;
    };
    return { output, interrupt, count };
  };

  it('on Ctrl-C during ingest, stops after the writes in flight and prints the counts and how to go on', async () => {
    const path = join(work, 'many.csv');
    await writeFile(path, manyRows());
    const { output, interrupt, count } = await slowIngest(path, 'interrupted-slow');
    expect(await interrupt()).toBe(130);
    const { stdout, stderr } = output;
    expect(stderr).toContain('stopping after the writes in flight (Ctrl-C again to quit now)');
    const match = /^interrupted: (\d+) rows read, (\d+) written, (\d+) rejected$/m.exec(stdout);
    expect(match, stdout).not.toBeNull();
    const [read, written, rejected] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
    expect(read).toBeLessThan(2000);
    expect(stdout).toMatch(
      new RegExp(
        `^stopped after ${read} rows \\(byte \\d+ of \\d+\\): run the same command again to load it: it starts from the top, and overwrites the rows already written$`,
        'm',
      ),
    );
    // The counts are exact: the writes in flight were waited for
    expect(await count()).toBe(written);
    // and the rejected rows so far are in their file, complete.
    expect(stdout).toContain(`rejected rows so far: ${path}.rejected.csv`);
    const lines = (await readFile(`${path}.rejected.csv`, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(rejected + 1);
  }, 60_000);

  it('on Ctrl-C during ingest of an s3:// object, prints the counts so far and quits, with no report', async () => {
    await servers.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'interrupted/many.csv', Body: manyRows() }),
    );
    const { output, interrupt } = await slowIngest(`s3://${BUCKET}/interrupted/many.csv`, 'interrupted-s3');
    expect(await interrupt()).toBe(130);
    const lines = output.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^interrupted: \d+ rows read, \d+ written, \d+ rejected \(some writes in flight may have landed\)$/,
    );
    expect(lines[1]).toBe(
      `s3://${BUCKET}/interrupted/many.csv has no report: run the same command again to load it: it starts from the top, and overwrites the rows already written`,
    );
    await expect(getText('reports/interrupted/many.csv.json')).rejects.toThrow();
  }, 60_000);
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
