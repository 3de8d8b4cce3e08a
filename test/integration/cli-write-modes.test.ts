import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable, scanTable } from '../support/local-tables.ts';
import { startTestServers, TEST_DYNAMODB } from '../support/servers.ts';

/** `csv2ddb ingest`'s write-mode flags, run as a user runs them (PartiQL: DynamoDB Local only). */
let servers: LocalServers;
let work: string;

beforeAll(async () => {
  servers = await startTestServers();
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-cli-modes-'));
  await createTable(servers.dynamodb, 'synced', { name: 'id', type: 'S' });
  await servers.dynamodb.send(
    new BatchWriteItemCommand({
      RequestItems: {
        synced: [
          { PutRequest: { Item: { id: { S: 'a' }, UpdatedAt: { N: '5' }, note: { S: 'kept' } } } },
          { PutRequest: { Item: { id: { S: 'b' }, UpdatedAt: { N: '5' } } } },
        ],
      },
    }),
  );
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const csv2ddb = (...args: string[]) =>
  runCli(args, { env: { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' }, cwd: work });

describe('csv2ddb ingest --mode, --condition, --version, --op, --empty-fields', () => {
  it('refuses an invalid combination as an invalid schema, before any write', async () => {
    const path = join(work, 'any.csv');
    await writeFile(path, 'id\nx\n');
    const run = await csv2ddb(
      'ingest',
      path,
      '--table',
      'synced',
      '--mode',
      'delete',
      '--condition',
      'absent',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'invalid schema (the --mode, --condition, --version, --op and --empty-fields flags)',
    );
    expect(run.stderr).toContain('write.condition "absent" cannot go with mode "delete"');
    const noVersion = await csv2ddb('ingest', path, '--table', 'synced', '--condition', 'newer');
    expect(noVersion.stderr).toContain('write.version is required with condition "newer"');
  });

  it.runIf(TEST_DYNAMODB === 'dynamodb-local')(
    'upserts newer rows, deletes by the op column, and prints skipped and deleted rows',
    async () => {
      const path = join(work, 'feed.csv');
      await writeFile(path, 'id,UpdatedAt,note,_op\na,6,new,\na,4,old,\nb,9,,delete\nc,1,x,upsert\n');
      const run = await csv2ddb(
        'ingest',
        path,
        '--table',
        'synced',
        ...['--mode', 'upsert', '--condition', 'newer', '--version', 'UpdatedAt', '--op', '_op'],
      );
      expect(run.stdout).toContain('succeeded: 4 rows read, 2 written, 1 deleted, 1 skipped, 0 rejected');
      expect(run.code).toBe(0);
      expect(await scanTable(servers.dynamodb, 'synced')).toEqual([
        '{"id":{"S":"a"},"note":{"S":"new"},"UpdatedAt":{"N":"6"}}',
        '{"id":{"S":"c"},"note":{"S":"x"},"UpdatedAt":{"N":"1"}}',
      ]);
    },
  );
});
