import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { type CapacityProxy, startCapacityProxy } from '../support/capacity-proxy.ts';
import { type LambdaRunner, startLambdaRunner } from '../support/lambda-runner.ts';
import { createTable, listKeys, readText } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

/**
 * The file ledger (LEDGER_TABLE) in the built handler, run as Lambda runs it: duplicate deliveries,
 * reordered and overlapping uploads of one key, and many files sharing a provisioned table's capacity.
 * A capacity proxy in front of DynamoDB counts every item written, so that a file processed twice shows.
 */
const BUCKET = 'ledger-pipeline';
let servers: LocalServers;
let runner: LambdaRunner | undefined;
let proxy: CapacityProxy | undefined;
let tables = 0;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'ledger', { name: 'pk', type: 'S' });
});
afterEach(async () => {
  await runner?.close();
  await proxy?.close();
  runner = undefined;
  proxy = undefined;
});
afterAll(() => servers?.close());

/** A new destination table behind a capacity proxy, and the function writing it with the ledger on. */
const start = async (options: {
  wcu: number;
  burstSeconds?: number;
  timeoutMs?: number;
  marginMs?: number;
}) => {
  const table = `items${++tables}`;
  await createTable(servers.dynamodb, table, { name: 'ID', type: 'N' });
  proxy = await startCapacityProxy(servers.dynamodbEndpoint, {
    table,
    wcu: options.wcu,
    ...(options.burstSeconds !== undefined && { burstSeconds: options.burstSeconds }),
  });
  runner = await startLambdaRunner({
    servers,
    bucket: BUCKET,
    dynamodbEndpoint: proxy.endpoint,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    env: {
      TABLE_NAME: table,
      LEDGER_TABLE: 'ledger',
      ...(options.marginMs !== undefined && { CONTINUATION_MARGIN_MS: String(options.marginMs) }),
    },
  });
  return { table, proxy, runner };
};

const csv = (ids: readonly number[], value: string, bad = 0) =>
  `ID,Name\n${ids.map((id) => `${id},${value}-${id}`).join('\n')}\n${'x,bad\n'.repeat(bad)}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const report = async (name: string) =>
  JSON.parse((await readText(servers.s3, BUCKET, `reports/${name}.json`)) ?? 'null');
const nameOf = async (table: string, id: number) => {
  const { Item } = await servers.dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { ID: { N: String(id) } }, ConsistentRead: true }),
  );
  return Item?.Name?.S;
};
const itemCount = async (table: string) =>
  (await servers.dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0;
const unquoted = (eTag: string | undefined) => eTag?.replace(/"/g, '');

describe('the file ledger in the Lambda path', () => {
  it('processes an event delivered twice at once only once: one report, the rejected rows whole, no parts left', async () => {
    const { proxy, runner } = await start({ wcu: 100_000 });
    const event = await runner.upload('incoming/twice.csv', csv(range(1, 2000), 'v1', 3));
    runner.send(event, structuredClone(event));
    await runner.idle();
    expect(await report('twice.csv')).toMatchObject({
      status: 'partial',
      rowsWritten: 2000,
      rowsRejected: 3,
    });
    // The second delivery wrote nothing: every item went to the table once.
    expect(proxy.counts.itemsWritten).toBe(2000);
    const rejected = await readText(servers.s3, BUCKET, 'rejected/twice.csv');
    expect(rejected?.trim().split('\n')).toHaveLength(4);
    expect((await listKeys(servers.s3, BUCKET, 'rejected/')).filter((key) => key.includes('.part-'))).toEqual(
      [],
    );
    expect(runner.outcomes.every((outcome) => !outcome.timedOut && !outcome.dropped)).toBe(true);
  });

  it("skips an older upload's event that arrives after the newer one's", async () => {
    const { table, proxy, runner } = await start({ wcu: 100_000 });
    const v1 = await runner.upload('incoming/order.csv', csv(range(1, 50), 'v1'));
    const v2 = await runner.upload('incoming/order.csv', csv(range(1, 30), 'v2'));
    runner.send(v2);
    await runner.idle();
    runner.send(v1);
    await runner.idle();
    expect(await nameOf(table, 1)).toBe('v2-1');
    expect(await itemCount(table)).toBe(30);
    expect(proxy.counts.itemsWritten).toBe(30);
    const { eTag } = await report('order.csv');
    expect(unquoted(eTag)).toBe(unquoted(v2.Records[0]?.s3.object.eTag));
  });

  it('stops an older upload still running when a newer one arrives: the newer values and report win', async () => {
    // 20k rows at 2,000 WCU: v1 runs for about 10 s over several 4 s invocations, and writes the keys
    // v2 holds last; its first rows are bad, so it leaves rejected-rows parts behind it as it continues.
    const { table, runner } = await start({ wcu: 2_000, burstSeconds: 1, timeoutMs: 4_000, marginMs: 2_000 });
    const v1 = await runner.upload(
      'incoming/big.csv',
      csv(range(1, 20_000), 'v1').replace('ID,Name\n', 'ID,Name\nx,bad\ny,bad\n'),
    );
    runner.send(v1);
    while ((await itemCount(table)) < 6_000) await new Promise((resolve) => setTimeout(resolve, 100));
    const v2 = await runner.upload('incoming/big.csv', csv(range(19_981, 20_000), 'v2'));
    runner.send(v2);
    await runner.idle();
    for (const id of range(19_981, 20_000)) expect(await nameOf(table, id)).toBe(`v2-${id}`);
    const final = await report('big.csv');
    expect(final).toMatchObject({ status: 'succeeded', rowsWritten: 20 });
    expect(unquoted(final.eTag)).toBe(unquoted(v2.Records[0]?.s3.object.eTag));
    // v1 continued at least once before it stopped; neither its parts nor its rejected rows are left.
    expect(runner.outcomes.length).toBeGreaterThan(2);
    expect(await listKeys(servers.s3, BUCKET, 'rejected/big.csv')).toEqual([]);
    expect(runner.outcomes.filter((outcome) => outcome.timedOut)).toEqual([]);
  }, 60_000);

  it('keeps files uploaded at once within the capacity they share, continuing them in time', async () => {
    // 5 files × 60 rows at 20 WCU (100 units of burst): about 10 s of writes, past the 8 s timeout.
    const { proxy, runner } = await start({ wcu: 20, burstSeconds: 5, timeoutMs: 8_000, marginMs: 4_000 });
    const names = range(1, 5).map((n) => `many-${n}.csv`);
    const events = await Promise.all(
      names.map((name, n) => runner.upload(`incoming/${name}`, csv(range(n * 1000 + 1, n * 1000 + 60), 'v'))),
    );
    runner.send(...events);
    await runner.idle();
    for (const name of names)
      expect(await report(name)).toMatchObject({ status: 'succeeded', rowsWritten: 60 });
    expect(proxy.excess()).toBe(0);
    expect(runner.outcomes.filter((outcome) => outcome.timedOut)).toEqual([]);
    expect(runner.outcomes.length).toBeGreaterThan(names.length);
  }, 90_000);
});
