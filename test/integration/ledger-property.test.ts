import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServers } from '../../src/local/servers.ts';
import { type CapacityProxy, startCapacityProxy } from '../support/capacity-proxy.ts';
import { type LambdaRunner, type S3Event, startLambdaRunner } from '../support/lambda-runner.ts';
import { createTable, listKeys, readText } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

/**
 * No row lost, none written twice, between invocations: several uploads of one key, their events
 * duplicated, reordered and sent at once or one after the other, through the built handler run as
 * Lambda runs it (deadlines, retries, concurrency), with the file ledger on. Large files continue
 * themselves. Whatever the order, the newest upload's rows stand, once each, with its report.
 */
const BUCKET = 'ledger-property';
const TABLE = 'items';
let servers: LocalServers;
let proxy: CapacityProxy;
let runner: LambdaRunner;
let run = 0;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
  await createTable(servers.dynamodb, 'ledger', { name: 'pk', type: 'S' });
  await createTable(servers.dynamodb, TABLE, { name: 'ID', type: 'N' });
  // 500 WCU: a file of a few hundred rows outlives a 4 s invocation with a 2 s margin, and continues.
  proxy = await startCapacityProxy(servers.dynamodbEndpoint, { table: TABLE, wcu: 500, burstSeconds: 1 });
  runner = await startLambdaRunner({
    servers,
    bucket: BUCKET,
    dynamodbEndpoint: proxy.endpoint,
    timeoutMs: 4_000,
    env: { TABLE_NAME: TABLE, LEDGER_TABLE: 'ledger', CONTINUATION_MARGIN_MS: '2000' },
  });
}, 60_000);
afterAll(async () => {
  await runner?.close();
  await proxy?.close();
  await servers?.close();
});

/** Upload `version` of a key: `rows` distinct ids from `first`, values naming the version; `bad` rows rejected. */
const body = (version: number, first: number, rows: number, bad: number) =>
  `ID,Name\n${Array.from({ length: rows }, (_, i) => `${first + i},v${version}-${first + i}\n`).join('')}${'x,bad\n'.repeat(bad)}`;

const upload = fc.record({ rows: fc.integer({ min: 1, max: 1_500 }), bad: fc.integer({ min: 0, max: 2 }) });
/** Each upload's event delivered 1–3 times, all in a random order, in waves sent at once. */
const schedule = fc.array(upload, { minLength: 1, maxLength: 3 }).chain((uploads) =>
  fc.record({
    uploads: fc.constant(uploads),
    deliveries: fc
      .tuple(
        ...uploads.map((_, index) => fc.integer({ min: 1, max: 3 }).map((times) => Array(times).fill(index))),
      )
      .map((lists) => lists.flat() as number[])
      .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length })),
    // Where the deliveries are cut into waves, and whether a wave waits for the one before to end.
    cuts: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    waits: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
  }),
);

const nameOf = async (id: number) =>
  (
    await servers.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { ID: { N: String(id) } }, ConsistentRead: true }),
    )
  ).Item?.Name?.S;

describe('the file ledger under duplicated, reordered and concurrent deliveries', () => {
  it('keeps the newest upload of a key, each row written once, one report, no parts left', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async ({ uploads, deliveries, cuts, waits }) => {
        const key = `incoming/p-${++run}.csv`;
        const first = run * 10_000;
        const events: S3Event[] = [];
        for (const [version, { rows, bad }] of uploads.entries())
          events.push(await runner.upload(key, body(version, first, rows, bad)));
        const newest = uploads.length - 1;
        const { rows, bad } = uploads[newest] as { rows: number; bad: number };
        const writtenBefore = proxy.counts.itemsWritten;
        const outcomesBefore = runner.outcomes.length;

        let wave: S3Event[] = [];
        for (const [index, version] of deliveries.entries()) {
          wave.push(structuredClone(events[version] as S3Event));
          if (index === deliveries.length - 1 || cuts[index % cuts.length]) {
            runner.send(...wave);
            wave = [];
            if (waits[index % waits.length]) await runner.idle();
          }
        }
        await runner.idle();

        const outcomes = runner.outcomes.slice(outcomesBefore);
        expect(outcomes.filter((outcome) => outcome.timedOut || outcome.dropped)).toEqual([]);
        const report = JSON.parse(
          (await readText(servers.s3, BUCKET, `reports/p-${run}.csv.json`)) ?? 'null',
        );
        expect(report).toMatchObject({
          status: bad > 0 ? 'partial' : 'succeeded',
          rowsRead: rows + bad,
          rowsWritten: rows,
          rowsRejected: bad,
        });
        expect(report.eTag.replace(/"/g, '')).toBe(
          events[newest]?.Records[0]?.s3.object.eTag?.replace(/"/g, ''),
        );
        // Duplicates are skipped. An older upload's event, in a bucket without versions, reads the object
        // as it is now (its ETag is no pin): each upload writes the newest rows at most once.
        const written = proxy.counts.itemsWritten - writtenBefore;
        expect(written).toBeGreaterThanOrEqual(rows);
        expect(written).toBeLessThanOrEqual(rows * uploads.length);
        for (const id of [first, first + rows - 1]) expect(await nameOf(id)).toBe(`v${newest}-${id}`);
        const rejected = await readText(servers.s3, BUCKET, `rejected/p-${run}.csv`);
        expect(rejected?.trim().split('\n').length ?? 0).toBe(bad > 0 ? bad + 1 : 0);
        const parts = await listKeys(servers.s3, BUCKET, `rejected/p-${run}.csv.part`);
        expect(parts).toEqual([]);
      }),
      { numRuns: 10 },
    );
  }, 240_000);
});
