import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ScanCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, toContinuation } from '../../src/core/continuation.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { CLI_PATH } from '../support/built-cli.ts';
import { runCli } from '../support/cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// Ctrl-C during `csv2ddb ingest`: the counts so far, where it stopped, and --resume.

const BUCKET = 'cli-interrupt-bucket';
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-cli-interrupt-'));
  await createTable(servers.dynamodb, 'items');
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const cliEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' });
const csv2ddb = (...args: string[]) => runCli(args, { env: cliEnv(), cwd: work });

const getText = async (key: string) => {
  const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await response.Body?.transformToString('utf-8')) ?? '';
};

describe('Ctrl-C during csv2ddb ingest', () => {
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

  it.each([
    ['many.csv', 'interrupted-slow'],
    ['more.csv.gz', 'interrupted-slow-gz'],
  ])(
    'on Ctrl-C during ingest of %s, stops after the writes in flight, prints the counts, goes on with --resume',
    async (name, table) => {
      const path = join(work, name);
      const gzip = name.endsWith('.gz');
      await writeFile(path, gzip ? gzipSync(manyRows()) : manyRows());
      const { output, interrupt, count } = await slowIngest(path, table);
      expect(await interrupt()).toBe(130);
      const { stdout, stderr } = output;
      expect(stderr).toContain('stopping after the writes in flight (Ctrl-C again to quit now)');
      const match = /^interrupted: (\d+) rows read, (\d+) written, (\d+) rejected$/m.exec(stdout);
      expect(match, stdout).not.toBeNull();
      const [read, written, rejected] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
      expect(read).toBeLessThan(2000);
      const of = gzip ? 'the decompressed file' : '\\d+';
      expect(stdout).toMatch(
        new RegExp(
          `^stopped after ${read} rows \\(byte \\d+ of ${of}\\), kept in ${path}\\.resume\\.json$`,
          'm',
        ),
      );
      expect(stdout).toContain(
        'to go on from there: the same command with --resume (without it, the file is loaded from the top)\n',
      );
      // The counts are exact: the writes in flight were waited for
      expect(await count()).toBe(written);
      // and the rejected rows so far are kept, complete, in a part until the file is done.
      const rejectedPath = gzip ? path.replace(/\.gz$/, '.rejected.csv.gz') : `${path}.rejected.csv`;
      const csvLines = async (file: string) => {
        const bytes = await readFile(file);
        return (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8').trimEnd().split('\n');
      };
      const part = /^rejected rows so far: (\S+) \(joined into (\S+) at the end\)$/m.exec(stdout);
      expect(part?.[2]).toBe(rejectedPath);
      expect(await csvLines(part?.[1] ?? '')).toHaveLength(rejected + 1);

      // The rest at full speed: the table's capacity raised, the run goes on where it stopped.
      await servers.dynamodb.send(
        new UpdateTableCommand({
          TableName: table,
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 1000 },
        }),
      );
      const resumed = await csv2ddb('ingest', path, '--table', table, '--resume');
      expect(resumed.code, resumed.stderr).toBe(1);
      expect(resumed.stdout).toContain('partial: 2000 rows read, 1960 written, 40 rejected');
      expect(await count()).toBe(1960);
      const lines = await csvLines(rejectedPath);
      expect(lines[0]).toBe('_row,_error,ID,Name');
      expect(lines).toHaveLength(41);
      // Nothing of the interrupted run is left: no part, no resume file.
      const left = (await readdir(work)).filter((file) => file.startsWith(name.replace(/\.gz$/, '')));
      expect(left.sort()).toEqual([name, rejectedPath.slice(work.length + 1)].sort());
    },
    60_000,
  );

  it.concurrent.each([
    [
      'no interrupted run',
      'never.csv',
      undefined,
      /--resume: no interrupted run of .*never\.csv \(no .*never\.csv\.resume\.json\)/,
    ],
    [
      'a file changed since',
      'changed.csv',
      { size: 1, mtimeMs: 1 },
      /--resume: .*changed\.csv changed since it was interrupted: ingest it without --resume/,
    ],
  ])('refuses --resume with %s', async (_case, name, identity, message) => {
    const path = join(work, name);
    await writeFile(path, 'ID,Name\n1,a\n');
    if (identity) {
      const task = startTask({ bucket: 'local', key: path, rest: path, gzip: false }, new Date());
      await writeFile(
        `${path}.resume.json`,
        JSON.stringify({
          kind: 'csv2ddb interrupted ingest',
          ...identity,
          continuation: toContinuation(task),
        }),
      );
    }
    const { code, stderr } = await csv2ddb('ingest', path, '--table', 'items', '--resume');
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

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
