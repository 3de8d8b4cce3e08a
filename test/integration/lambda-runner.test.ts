import { type AddressInfo, createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { duplicated, type LambdaRunner, shuffled, startLambdaRunner } from '../support/lambda-runner.ts';
import { createTable, readText } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

const BUCKET = 'runner';
let servers: LocalServers;
let runner: LambdaRunner | undefined;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'items');
});
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});
afterAll(() => servers?.close());

const report = async (name: string) =>
  JSON.parse((await readText(servers.s3, BUCKET, `reports/${name}.json`)) ?? 'null');

describe('the Lambda-faithful runner', () => {
  it('runs the built handler on an uploaded file, as S3 and Lambda would', async () => {
    runner = await startLambdaRunner({ servers, bucket: BUCKET, env: { TABLE_NAME: 'items' } });
    await runner.ingest('incoming/small.csv', 'ID,Name\n1,one\n2,two\n');
    expect(await report('small.csv')).toMatchObject({ status: 'succeeded', rowsWritten: 2 });
    expect(runner.outcomes).toMatchObject([{ type: 'Event', attempt: 1, timedOut: false, dropped: false }]);
  });

  it('gives each upload of a key a greater sequencer', async () => {
    runner = await startLambdaRunner({ servers, bucket: BUCKET, env: { TABLE_NAME: 'items' } });
    const first = await runner.upload('incoming/v.csv', 'ID\n1\n');
    const second = await runner.upload('incoming/v.csv', 'ID\n2\n');
    const sequencer = (event: typeof first) => event.Records[0]?.s3.object.sequencer as string;
    expect(sequencer(second) > sequencer(first)).toBe(true);
    expect(sequencer(second)).toHaveLength(sequencer(first).length);
    expect(first.Records[0]?.s3.object.eTag).not.toBe(second.Records[0]?.s3.object.eTag);
  });

  it('delivers duplicated and reordered events as separate invocations', async () => {
    runner = await startLambdaRunner({ servers, bucket: BUCKET, env: { TABLE_NAME: 'items' } });
    const events = [
      await runner.upload('incoming/a.csv', 'ID\n1\n'),
      await runner.upload('incoming/b.csv', 'ID\n2\n'),
    ];
    const sent = shuffled(duplicated(events), 7);
    expect(sent).toHaveLength(4);
    expect(new Set(runner.send(...sent)).size).toBe(4);
    await runner.idle();
    expect(runner.outcomes).toHaveLength(4);
  });

  it('kills an invocation at its deadline and retries it twice, then gives it up', async () => {
    // A DynamoDB that takes connections and never answers: the handler waits until Lambda kills it.
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      runner = await startLambdaRunner({
        servers,
        bucket: BUCKET,
        env: { TABLE_NAME: 'items' },
        dynamodbEndpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        timeoutMs: 1_500,
      });
      await runner.ingest('incoming/stuck.csv', 'ID\n1\n');
      const requestIds = new Set(runner.outcomes.map((outcome) => outcome.requestId));
      expect(
        runner.outcomes.map(({ attempt, timedOut, dropped }) => ({ attempt, timedOut, dropped })),
      ).toEqual([
        { attempt: 1, timedOut: true, dropped: false },
        { attempt: 2, timedOut: true, dropped: false },
        { attempt: 3, timedOut: true, dropped: true },
      ]);
      expect(requestIds.size).toBe(1);
      expect(runner.lambda.stats().containersKilled).toBe(3);
      expect(await report('stuck.csv')).toBeNull();
    } finally {
      silent.close();
    }
  });
});
