import { pathToFileURL } from 'node:url';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  type ScalarAttributeType,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { readGunzipped } from './local-tables.ts';
import { startTestServers } from './servers.ts';

export const BUCKET = 'source';
const BUILT_HANDLER = pathToFileURL(`${process.cwd()}/dist/index.mjs`).href;
let loads = 0;

export type Key = { name: string; type: ScalarAttributeType };
export type PipelineOptions = { partition?: Key; sort?: Key; env?: Record<string, string>; table?: string };

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Loads a fresh copy of the built dist/index.mjs, as a new Lambda container would. */
export const loadBuiltHandler = async (): Promise<Handler> => {
  const module = (await import(`${BUILT_HANDLER}?container=${++loads}`)) as { handler: Handler };
  return module.handler;
};

/** s3rver + dynalite + a table + the built handler configured by environment, as Lambda runs it. */
export const startPipeline = async (options: PipelineOptions = {}) => {
  const servers: LocalServers = await startTestServers({ buckets: [BUCKET] });
  const partition = options.partition ?? { name: 'ID', type: 'N' };
  const table = options.table ?? 'items';
  await servers.dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [partition, ...(options.sort ? [options.sort] : [])].map((key) => ({
        AttributeName: key.name,
        AttributeType: key.type,
      })),
      KeySchema: [
        { AttributeName: partition.name, KeyType: 'HASH' },
        ...(options.sort ? [{ AttributeName: options.sort.name, KeyType: 'RANGE' as const }] : []),
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  Object.assign(process.env, servers.env, { TABLE_NAME: table, SOURCE_BUCKET: BUCKET }, options.env ?? {});
  const handler = await loadBuiltHandler();

  const get = async (key: string): Promise<string | undefined> => {
    try {
      const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return await response.Body?.transformToString();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  /** A gzip'd object (a `.gz` upload's rejected rows), gunzipped; it throws when the object is not gzip. */
  const gunzipped = (key: string) => readGunzipped(servers.s3, BUCKET, key);

  return {
    servers,
    handler,
    gunzipped,
    async upload(key: string, body: string | Uint8Array) {
      await servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      const head = await servers.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return { eTag: head.ETag, size: head.ContentLength };
    },
    /** Uploads `body` and runs the handler with the event S3 would send. */
    async ingest(key: string, body: string | Uint8Array) {
      const { eTag, size } = await this.upload(key, body);
      return handler(s3Event({ bucket: BUCKET, key, eTag, size }), lambdaContext());
    },
    get,
    async report(key: string) {
      const text = await get(key);
      return text === undefined ? undefined : JSON.parse(text);
    },
    async items(): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await servers.dynamodb.send(
          new ScanCommand({ TableName: table, ...(start && { ExclusiveStartKey: start }) }),
        );
        for (const item of page.Items ?? []) items.push(item);
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return items;
    },
    async plainItems() {
      return (await this.items()).map((item) => unmarshall(item as never, { wrapNumbers: true }));
    },
    /** Every object key in the bucket under `prefix`, sorted. */
    async keys(prefix = ''): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await servers.s3.send(
          new ListObjectsV2Command({
            Bucket: BUCKET,
            Prefix: prefix,
            ...(token && { ContinuationToken: token }),
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    /** Empties the bucket and the table, so that a test sees only what it wrote. */
    async clear() {
      const keys = await this.keys();
      for (let at = 0; at < keys.length; at += 1000) {
        const Objects = keys.slice(at, at + 1000).map((Key) => ({ Key }));
        await servers.s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects } }));
      }
      const names = [partition.name, ...(options.sort ? [options.sort.name] : [])];
      const items = await this.items();
      for (let at = 0; at < items.length; at += 25) {
        const deletes = items.slice(at, at + 25).map((item) => ({
          DeleteRequest: { Key: Object.fromEntries(names.map((name) => [name, item[name]])) as never },
        }));
        await servers.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: deletes } }));
      }
    },
    close: () => servers.close(),
  };
};

/** SPEC's defaults, set explicitly: pipelines started one after another in a file share process.env. */
const DEFAULT_SETTINGS = {
  UPLOAD_PREFIX: 'incoming/',
  REPORT_PREFIX: 'reports/',
  REJECTED_PREFIX: 'rejected/',
  TYPE_MODE: 'infer',
};

/** A pipeline for the tests of one `describe`, emptied before each test. */
export const usePipeline = (options: PipelineOptions = {}) => {
  const context = {} as { pipeline: Awaited<ReturnType<typeof startPipeline>> };
  beforeAll(async () => {
    context.pipeline = await startPipeline({ ...options, env: { ...DEFAULT_SETTINGS, ...options.env } });
  });
  beforeEach(() => context.pipeline.clear());
  afterAll(() => context.pipeline.close());
  return context;
};
