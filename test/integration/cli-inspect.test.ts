import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli-run.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// The commands that look before they load, or after: type warnings, --dry-run, schema validate and
// infer --table, report s3://, reports. Each against s3rver and the test DynamoDB, in a child process.

const BUCKET = 'inspect-bucket';
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-inspect-'));
  await createTable(servers.dynamodb, 'zips');
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const csv2ddb = (...args: string[]) => runCli(args, { env: servers.env, cwd: work });

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
    expect(plain.stderr).toContain('warning: column "Zip": 3 rows S, 57 rows N');
    expect(plain.stderr).toContain(`csv2ddb schema infer ${path}`);
  });

  it('is stored in the report of an s3:// file, and report shows it', async () => {
    await putObject('incoming/zips.csv', ZIPS);
    expect((await csv2ddb('ingest', `s3://${BUCKET}/incoming/zips.csv`, '--table', 'zips')).code).toBe(0);
    const stored = JSON.parse(await getText('reports/zips.csv.json'));
    expect(stored.warnings).toEqual([{ column: 'Zip', types: { S: 3, N: 57 } }]);
    const { stdout } = await csv2ddb('report', 'incoming/zips.csv', '--bucket', BUCKET);
    expect(stdout).toContain('warning: column "Zip": 3 rows S, 57 rows N');
  });

  it('is not given under a schema that types the column', async () => {
    const path = await write('zips-typed.csv', ZIPS);
    const schema = await write('zips-schema.json', JSON.stringify({ columns: { Zip: { type: 'S' } } }));
    const { stdout } = await csv2ddb('ingest', path, '--table', 'zips', '--schema', schema, '--json');
    expect(JSON.parse(stdout)).not.toHaveProperty('warnings');
  });
});
