import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinRejectedParts } from '../../src/aws/rejected-parts.ts';
import { type LocalServers, startLocalServers } from '../../src/local/servers.ts';
import { listKeys, readText } from '../support/local-tables.ts';

const BUCKET = 'uploads';
const header = ['ID', 'Name'];
const partText = (rows: string[]) => `_row,_error,ID,Name\n${rows.join('\n')}\n`;

describe('joinRejectedParts()', () => {
  let servers: LocalServers;
  beforeAll(async () => {
    servers = await startLocalServers({ buckets: [BUCKET] });
  });
  afterAll(async () => {
    await servers?.close();
  });

  const putParts = async (parts: Record<string, string>) => {
    for (const [key, body] of Object.entries(parts)) {
      await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
  };

  it('is safe to retry after some parts were deleted: the join is not done again, the rest is deleted', async () => {
    const parts = {
      'rejected/a.csv.part-c1-0001': partText(['3,bad,3,x']),
      'rejected/a.csv.part-c1-0002': partText(['9,bad,9,y']),
    };
    await putParts(parts);
    const join = { parts: Object.keys(parts), key: 'rejected/a.csv', header, joinId: 'c1' };
    await joinRejectedParts(servers.s3, BUCKET, join);
    const joined = await readText(servers.s3, BUCKET, 'rejected/a.csv');
    expect(joined).toBe('_row,_error,ID,Name\n3,bad,3,x\n9,bad,9,y\n');
    // As if deleting part 2 had failed: part 1 is gone, part 2 is still there; Lambda retries.
    await putParts({ 'rejected/a.csv.part-c1-0002': parts['rejected/a.csv.part-c1-0002'] });
    await joinRejectedParts(servers.s3, BUCKET, join);
    expect(await readText(servers.s3, BUCKET, 'rejected/a.csv')).toBe(joined);
    expect(await listKeys(servers.s3, BUCKET, 'rejected/')).toEqual(['rejected/a.csv']);
  });

  it("joins again for another chain: one chain's join never stands for another's", async () => {
    await putParts({
      'rejected/b.csv.part-c1-0001': partText(['1,bad,1,x']),
      'rejected/b.csv.part-c1-0002': partText(['2,bad,2,y']),
    });
    const first = ['rejected/b.csv.part-c1-0001', 'rejected/b.csv.part-c1-0002'];
    await joinRejectedParts(servers.s3, BUCKET, {
      parts: first,
      key: 'rejected/b.csv',
      header,
      joinId: 'c1',
    });
    await putParts({
      'rejected/b.csv.part-c2-0001': partText(['5,bad,5,z']),
      'rejected/b.csv.part-c2-0002': partText(['6,bad,6,w']),
    });
    const second = ['rejected/b.csv.part-c2-0001', 'rejected/b.csv.part-c2-0002'];
    await joinRejectedParts(servers.s3, BUCKET, {
      parts: second,
      key: 'rejected/b.csv',
      header,
      joinId: 'c2',
    });
    expect(await readText(servers.s3, BUCKET, 'rejected/b.csv')).toBe(
      '_row,_error,ID,Name\n5,bad,5,z\n6,bad,6,w\n',
    );
  });
});
