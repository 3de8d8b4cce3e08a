import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// `csv2ddb report s3://…` and `csv2ddb reports`: what happened to the files of a bucket, against s3rver
// and the test DynamoDB, in a child process.

const BUCKET = 'reports-bucket';
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-reports-'));
  await createTable(servers.dynamodb, 'zips');
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const csv2ddb = (...args: string[]) =>
  runCli(args, { env: { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' }, cwd: work });

const putObject = (key: string, body: string) =>
  servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

describe('csv2ddb report s3://… and csv2ddb reports', () => {
  const ingestS3 = (key: string) => csv2ddb('ingest', `s3://${BUCKET}/${key}`, '--table', 'zips');

  beforeAll(async () => {
    await putObject('incoming/list/good.csv', 'ID,Name\n101,a\n102,b\n');
    await putObject('incoming/list/partial.csv', 'ID,Name\n103,a\nx,b\n');
    await putObject('incoming/list/failed.csv', 'Name\na\n');
    for (const key of ['good', 'partial', 'failed']) await ingestS3(`incoming/list/${key}.csv`);
    // Uploaded, never processed: no report yet. A second later: S3 keeps LastModified to the second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await putObject('incoming/list/waiting.csv', 'ID\n104\n');
    // The pipeline's own outputs and other objects are not files of the listing.
    await putObject('incoming/list/notes.txt', 'not a csv');
  }, 60_000);

  it('shows the report of an s3:// key, as ingest takes it, upload key or report key', async () => {
    const upload = await csv2ddb('report', `s3://${BUCKET}/incoming/list/partial.csv`);
    expect(upload.code).toBe(1);
    expect(upload.stdout).toMatch(/^status\s+partial$/m);
    const byReport = await csv2ddb('report', `s3://${BUCKET}/reports/list/failed.csv.json`, '--json');
    expect(byReport.code).toBe(2);
    expect(JSON.parse(byReport.stdout)).toMatchObject({ status: 'failed', key: 'incoming/list/failed.csv' });
    const none = await csv2ddb('report', `s3://${BUCKET}/incoming/list/waiting.csv`);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      `no report at s3://${BUCKET}/reports/list/waiting.csv.json (not processed yet?)`,
    );
    expect((await csv2ddb('report', 'incoming/list/good.csv')).stderr).toContain('or --bucket');
  });

  it('lists the files under a prefix, newest first, with their status and counts', async () => {
    const { code, stdout, stderr } = await csv2ddb('reports', '--bucket', BUCKET, '--prefix', 'list/');
    expect(code).toBe(0);
    const [head, ...lines] = stdout.trimEnd().split('\n');
    expect(head).toMatch(/^when\s+status\s+read\s+written\s+rejected\s+file$/);
    const rows = lines.map((line) => line.split(/\s+/));
    const listed = rows.map((row) => [row[1], row.at(-1)]);
    // The upload a second after the others comes first; S3 keeps times to the second, so the three
    // reported in the same second may come in any order.
    expect(listed[0]).toEqual(['pending', 'incoming/list/waiting.csv']);
    expect(listed.slice(1).sort()).toEqual([
      ['failed', 'incoming/list/failed.csv'],
      ['partial', 'incoming/list/partial.csv'],
      ['succeeded', 'incoming/list/good.csv'],
    ]);
    expect(rows.find((row) => row.at(-1) === 'incoming/list/partial.csv')?.slice(2, 5)).toEqual([
      '2',
      '1',
      '1',
    ]);
    expect(stderr.trim()).toBe(`4 files under s3://${BUCKET}/incoming/list/`);
  });

  it('keeps to --status and --limit, and prints JSON lines with --json', async () => {
    const failed = await csv2ddb(
      'reports',
      '--bucket',
      BUCKET,
      '--prefix',
      'list/',
      '--status',
      'failed',
      '--json',
    );
    const lines = failed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        status: 'failed',
        key: 'incoming/list/failed.csv',
        reportKey: 'reports/list/failed.csv.json',
        report: expect.objectContaining({ rowsRead: 0, status: 'failed' }),
      }),
    ]);
    const limited = await csv2ddb('reports', '--bucket', BUCKET, '--prefix', 'list/', '--limit', '2');
    expect(limited.stdout.trim().split('\n')).toHaveLength(3);
    expect(limited.stderr).toContain('(raise --limit for more)');
    const bad = await csv2ddb('reports', '--bucket', BUCKET, '--status', 'broken');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'broken' is invalid");
  });
});
