import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileContext, ProcessDeps } from '../../src/app/file-types.ts';
import { createProcessDeps } from '../../src/app/process-deps.ts';
import { createPlanFactory, createSchemaSource } from '../../src/app/schema-source.ts';
import { runTasks, selectTasks, type TaskResult } from '../../src/app/tasks.ts';
import { describeTable, type TableInfo } from '../../src/aws/dynamodb-table.ts';
import { createS3FileStore } from '../../src/aws/s3-file-store.ts';
import type { ContinuationPayload } from '../../src/core/continuation.ts';
import { s3Event } from '../../src/core/s3-event.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { createTable, listKeys, readGunzipped, readText, scanTable } from '../support/local-tables.ts';
import { sampleCsv } from '../support/sample-csv.ts';
import { startTestServers } from '../support/servers.ts';

const BUCKET = 'source';
const PREFIXES = { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' };
const SETTINGS = { sourceBucket: BUCKET, prefixes: PREFIXES };
let servers: LocalServers;
let tables = 0;

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
});
afterAll(() => servers.close());

/** A fresh table and the dependencies that write into it, with the schema's `{now}` in every item. */
const freshDeps = async (): Promise<
  ProcessDeps & { readonly tableName: string; readonly table: TableInfo }
> => {
  const tableName = `table-${++tables}`;
  await createTable(servers.dynamodb, tableName);
  const table = await describeTable(servers.dynamodb, tableName);
  const schema = createSchemaSource(servers.s3, BUCKET, { inline: '{"add":{"ingestedAt":"{now}"}}' });
  const deps = createProcessDeps({
    store: createS3FileStore(servers.s3, PREFIXES),
    dynamodb: servers.dynamodb,
    tableName,
    table,
    writeConcurrency: 4,
    maxWriteAttempts: 5,
    typeMode: 'infer',
    schema,
  });
  return { ...deps, tableName, table };
};

const upload = async (key: string, body: string | Uint8Array) => {
  await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  return s3Event({ bucket: BUCKET, key, eTag: head.ETag, size: head.ContentLength });
};

/**
 * Runs invocations the way Lambda would, on a fake clock: each one may look at the clock `ticks`
 * times (once at the start, then once per record) before its time is up; each continuation it
 * asks for is captured, sent through JSON, and run as the next invocation.
 */
const runInvocations = async (
  deps: ProcessDeps,
  event: unknown,
  ticks: (invocation: number) => number,
  before?: (invocation: number) => Promise<unknown>,
) => {
  const queue: unknown[] = [event];
  const payloads: ContinuationPayload[] = [];
  const results: TaskResult[] = [];
  for (let invocation = 1; queue.length > 0; invocation++) {
    await before?.(invocation);
    let left = ticks(invocation);
    const { tasks } = selectTasks(queue.shift(), SETTINGS, new Date());
    const turns = {
      remainingMs: () => left--,
      marginMs: 0,
      invoke: async (payload: ContinuationPayload) => {
        payloads.push(payload);
        queue.push(JSON.parse(JSON.stringify(payload)));
      },
    };
    for await (const result of runTasks(deps, tasks, turns)) results.push(result);
  }
  const finished = results.filter((result) => result.kind === 'finished');
  return { payloads, results, report: finished.at(-1)?.report };
};

const onePass = async (key: string, body: string | Uint8Array) => {
  const deps = await freshDeps();
  const { report } = await runInvocations(deps, await upload(key, body), () => Number.POSITIVE_INFINITY);
  return { deps, report };
};

/** The file-level error of a report (the one without a row). */
const fileError = (
  report: { errors: readonly { row?: number; message: string; code?: string }[] } | undefined,
) => report?.errors.find((error) => error.row === undefined);

const comparable = (report: Record<string, unknown> | undefined) => {
  const { status, rowsRead, rowsWritten, rowsRejected, errors } = report ?? {};
  return { status, rowsRead, rowsWritten, rowsRejected, errors };
};

describe('a file continued over several invocations', () => {
  const sample = sampleCsv(420);

  it.each([
    { name: 'a plain file', suffix: '.csv', body: sample.text },
    { name: 'a gzip file', suffix: '.csv.gz', body: gzipSync(sample.text) },
  ])('ends like one pass: $name', async ({ suffix, body }) => {
    const single = await onePass(`incoming/one-pass/data${suffix}`, body);
    const deps = await freshDeps();
    const event = await upload(`incoming/continued/data${suffix}`, body);
    const { payloads, results, report } = await runInvocations(deps, event, () => 60);

    expect(payloads.length).toBeGreaterThanOrEqual(6);
    expect(results.filter((result) => result.kind === 'continued')).toHaveLength(payloads.length);
    expect(report).toMatchObject({
      invocations: payloads.length + 1,
      rowsRead: 420,
      rowsRejected: sample.bad,
    });
    expect(comparable(report)).toEqual(comparable(single.report));
    expect(report?.writes.calls).toBeGreaterThanOrEqual(single.report?.writes.calls ?? 0);
    // The report and `{now}` date from the first invocation: the items equal one pass's in all but that.
    const firstStart = payloads[0]?.file.startedAt;
    expect(report?.startedAt).toBe(firstStart);
    const withoutNow = (items: string[]) =>
      items.map((item) => item.replace(/"ingestedAt":\{"S":"[^"]+"\}/, ''));
    const items = await scanTable(servers.dynamodb, deps.tableName);
    expect(items).toHaveLength(sample.distinct);
    expect(new Set(items.map((item) => /"ingestedAt":\{"S":"([^"]+)"\}/.exec(item)?.[1]))).toEqual(
      new Set([firstStart]),
    );
    expect(withoutNow(items)).toEqual(withoutNow(await scanTable(servers.dynamodb, single.deps.tableName)));
    // One rejected-rows file, equal to one pass's, and no parts left behind.
    // A gzip upload's rejected rows are gzip'd under the same name (SPEC), continued or not.
    const read = suffix.endsWith('.gz') ? readGunzipped : readText;
    const rejected = await read(servers.s3, BUCKET, `rejected/continued/data${suffix}`);
    expect(rejected).toBe(await read(servers.s3, BUCKET, `rejected/one-pass/data${suffix}`));
    expect(rejected?.split('\n')[0]).toBe('_row,_error,ID,Name,Price,Active,Notes');
    // Parts are named after the file (`data.csv.gz.part-0002`); the plain case's own file is left out.
    const left = await listKeys(servers.s3, BUCKET, `rejected/continued/data${suffix}`);
    expect(left).toEqual([`rejected/continued/data${suffix}`]);
  });

  it('reports the type warnings of the whole file, counted across invocations', async () => {
    // Zip: 300 numbers and 100 codes with a leading zero (text); Flag: booleans and a few words.
    const rows = Array.from(
      { length: 400 },
      (_, i) =>
        `${i + 1},${i % 4 === 0 ? `0${2100 + i}` : 30000 + i},${i % 50 === 0 ? 'maybe' : i % 2 === 0}`,
    );
    const body = `ID,Zip,Flag\n${rows.join('\n')}\n`;
    const single = await onePass('incoming/one-pass/zips.csv', body);
    const { payloads, report } = await runInvocations(
      await freshDeps(),
      await upload('incoming/continued/zips.csv', body),
      () => 60,
    );
    expect(payloads.length).toBeGreaterThanOrEqual(5);
    expect(report?.warnings).toEqual([
      { column: 'Zip', types: { S: 100, N: 300 } },
      { column: 'Flag', types: { S: 8, BOOL: 392 } },
    ]);
    expect(report?.warnings).toEqual(single.report?.warnings);
  });

  it('carries counts, errors and writer totals in a payload well under 256 KB', async () => {
    const deps = await freshDeps();
    const event = await upload('incoming/payload/data.csv', sample.text);
    const { payloads } = await runInvocations(deps, event, () => 200);
    const [first] = payloads;
    expect(first?.file).toMatchObject({
      bucket: BUCKET,
      key: 'incoming/payload/data.csv',
      invocations: 1,
      parts: [1],
      eTag: expect.stringMatching(/^".+"$/),
      resume: { header: ['ID', 'Name', 'Price', 'Active', 'Notes'], offset: expect.any(Number) },
    });
    expect(first?.file.writes.calls).toBeGreaterThan(0);
    for (const payload of payloads) expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(20_000);
  });

  it('fails the file with FILE_CHANGED when the object is replaced between invocations', async () => {
    const deps = await freshDeps();
    const key = 'incoming/changed/data.csv';
    const event = await upload(key, sample.text);
    const replace = async (invocation: number) => invocation === 2 && upload(key, sampleCsv(30).text);
    const { report } = await runInvocations(
      deps,
      event,
      (invocation) => (invocation === 1 ? 100 : 1_000),
      replace,
    );
    expect(report).toMatchObject({ status: 'failed', invocations: 2, rowsRead: 99 });
    expect(fileError(report)).toMatchObject({
      code: 'FILE_CHANGED',
      message: expect.stringContaining('replaced'),
    });
  });

  it('reports the first 100 rejections and FILE_CHANGED for an object deleted mid-file, never one instead of the other', async () => {
    const deps = await freshDeps();
    const key = 'incoming/changed-after-rejections/data.csv';
    const badRows = Array.from({ length: 150 }, (_, index) => `,bad ${index + 1}`);
    const event = await upload(key, ['ID,Name', ...badRows, '1,good'].join('\n'));
    // Deleted, not replaced: the next invocation's read fails, and the report is made up from the payload.
    const remove = async (invocation: number) =>
      invocation === 2 && servers.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const { report } = await runInvocations(
      deps,
      event,
      (invocation) => (invocation === 1 ? 120 : 1_000),
      remove,
    );
    expect(report).toMatchObject({ status: 'failed', invocations: 2, rowsRejected: 119 });
    expect(report?.errors).toHaveLength(101);
    expect(report?.errors.flatMap((error) => (error.row === undefined ? [] : [error.row]))).toEqual(
      Array.from({ length: 100 }, (_, index) => index + 1),
    );
    expect(fileError(report)).toMatchObject({ code: 'FILE_CHANGED' });
  });

  describe('with a column schema from S3 that is replaced mid-file', () => {
    const schemaKey = 'config/continued-schema.json';
    const schemaSaying = (tag: string) =>
      servers.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: schemaKey, Body: `{"add":{"schemaTag":"${tag}"}}` }),
      );
    /** Dependencies whose plans come from a schema source that `newContainer()` replaces with a fresh one (no cache). */
    const s3SchemaDeps = async () => {
      const deps = await freshDeps();
      const source = () =>
        createPlanFactory(
          createSchemaSource(servers.s3, BUCKET, { s3Key: schemaKey }),
          deps.table.keySchema,
          'infer',
        );
      let plan = source();
      return {
        deps: { ...deps, plan: (header: readonly string[], context: FileContext) => plan(header, context) },
        newContainer: () => {
          plan = source();
        },
      };
    };

    it('keeps to the version the file started with in the same container', async () => {
      await schemaSaying('v1');
      const { deps } = await s3SchemaDeps();
      const event = await upload('incoming/schema-kept/data.csv', sample.text);
      const { payloads, report } = await runInvocations(
        deps,
        event,
        (invocation) => (invocation === 1 ? 100 : 1_000),
        async (invocation) => invocation === 2 && schemaSaying('v2'),
      );
      expect(payloads[0]?.file.schemaVersion).toMatch(/^"[0-9a-f]{32}"$/);
      expect(report).toMatchObject({ status: 'partial', invocations: 2, rowsRead: 420 });
      const tags = (await scanTable(servers.dynamodb, deps.tableName)).map(
        (item) => /"schemaTag":\{"S":"(v\d)"\}/.exec(item)?.[1],
      );
      expect(new Set(tags)).toEqual(new Set(['v1']));
    });

    it('fails the file with SCHEMA_CHANGED when a new container finds another version', async () => {
      await schemaSaying('v1');
      const { deps, newContainer } = await s3SchemaDeps();
      const event = await upload('incoming/schema-changed/data.csv', sample.text);
      const { report } = await runInvocations(
        deps,
        event,
        (invocation) => (invocation === 1 ? 100 : 1_000),
        async (invocation) => {
          if (invocation !== 2) return;
          await schemaSaying('v2');
          newContainer();
        },
      );
      expect(report).toMatchObject({ status: 'failed', invocations: 2, rowsRead: 99 });
      expect(fileError(report)).toMatchObject({
        code: 'SCHEMA_CHANGED',
        message: expect.stringContaining(
          `s3://${BUCKET}/${schemaKey} was replaced while this file was being processed`,
        ),
      });
    });
  });

  it('fails the file with FILE_NO_PROGRESS when an invocation starts without time to spare', async () => {
    const deps = await freshDeps();
    const event = await upload('incoming/no-time/data.csv', sample.text);
    const { report, payloads } = await runInvocations(deps, event, (invocation) =>
      invocation === 1 ? 100 : 0,
    );
    expect(payloads).toHaveLength(1);
    expect(report).toMatchObject({
      status: 'failed',
      invocations: 2,
      rowsRead: payloads[0]?.file.resume?.counts.rowsRead,
    });
    expect(fileError(report)).toMatchObject({ code: 'FILE_NO_PROGRESS' });
    expect(fileError(report)?.message).toContain('CONTINUATION_MARGIN_MS');
    // The rows rejected before it failed are still listed, in one file.
    expect(await listKeys(servers.s3, BUCKET, 'rejected/no-time/')).toEqual(['rejected/no-time/data.csv']);
  });

  it('fails the file with FILE_NO_PROGRESS when an invocation runs out of time at its first record', async () => {
    const deps = await freshDeps();
    const event = await upload('incoming/stuck/data.csv.gz', gzipSync(sample.text));
    const { report, payloads } = await runInvocations(deps, event, (invocation) =>
      invocation === 1 ? 100 : 1,
    );
    expect(payloads).toHaveLength(1);
    expect(report).toMatchObject({ status: 'failed', invocations: 2 });
    expect(fileError(report)).toMatchObject({ code: 'FILE_NO_PROGRESS' });
    expect(fileError(report)?.message).toContain('before it got past its first record');
  });

  it('hands files it has no time for to a new invocation, whole', async () => {
    const deps = await freshDeps();
    const first = await upload('incoming/many/a.csv', sampleCsv(50).text);
    const second = await upload('incoming/many/b.csv', sampleCsv(50).text);
    const both = { Records: [...first.Records, ...second.Records] };
    // The first invocation has time for the start and a's 51 records, none for b.
    const { results } = await runInvocations(deps, both, (invocation) => (invocation === 1 ? 52 : 1_000));
    expect(results.map((result) => [result.kind, result.task.key])).toEqual([
      ['finished', 'incoming/many/a.csv'],
      ['deferred', 'incoming/many/b.csv'],
      ['finished', 'incoming/many/b.csv'],
    ]);
  });
});

describe('a UTF-16 file (read as UTF-8, by its byte order mark) continued over several invocations', () => {
  const sample = sampleCsv(420);
  const utf16 = Buffer.from(`\uFEFF${sample.text}`, 'utf16le');
  const bytes = async (key: string) => {
    const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
  };

  it.each([
    { name: 'a plain file', suffix: '.csv', body: utf16 },
    { name: 'a gzip file', suffix: '.csv.gz', body: gzipSync(utf16) },
  ])('joins its rejected rows in UTF-16, as one pass writes them: $name', async ({ suffix, body }) => {
    await onePass(`incoming/utf16-one/data${suffix}`, body);
    const deps = await freshDeps();
    const { payloads, report } = await runInvocations(
      deps,
      await upload(`incoming/utf16-continued/data${suffix}`, body),
      () => 60,
    );
    expect(payloads.length).toBeGreaterThanOrEqual(6);
    expect(report).toMatchObject({ status: 'partial', rowsRead: 420, rowsRejected: sample.bad });
    const continued = await bytes(`rejected/utf16-continued/data${suffix}`);
    expect(continued).toEqual(await bytes(`rejected/utf16-one/data${suffix}`));
    const text = (suffix.endsWith('.gz') ? gunzipSync(continued) : continued).toString('utf16le');
    expect(text.split('\n')[0]).toBe('\uFEFF_row,_error,ID,Name,Price,Active,Notes');
    expect(text.split('\n').filter((line) => /^\d+,/.test(line))).toHaveLength(sample.bad);
  });

  it('joins them in UTF-16 when the file fails between invocations too', async () => {
    const deps = await freshDeps();
    const event = await upload('incoming/utf16-no-time/data.csv', utf16);
    const { report } = await runInvocations(deps, event, (invocation) => (invocation <= 2 ? 100 : 0));
    expect(fileError(report)).toMatchObject({ code: 'FILE_NO_PROGRESS' });
    const text = (await bytes('rejected/utf16-no-time/data.csv')).toString('utf16le');
    expect(text.split('\n')[0]).toBe('\uFEFF_row,_error,ID,Name,Price,Active,Notes');
    expect(text.split('\n').filter((line) => /^\d+,/.test(line)).length).toBe(report?.rowsRejected);
    expect(await listKeys(servers.s3, BUCKET, 'rejected/utf16-no-time/')).toEqual([
      'rejected/utf16-no-time/data.csv',
    ]);
  });
});
