import { PutObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import { ensureLedgerTable } from '../../src/local/local-table.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { startLambdaRunner } from '../support/lambda-runner.ts';
import { createTable, listKeys, readText, scanTable } from '../support/local-tables.ts';
import { type Handler, loadBuiltHandler } from '../support/pipeline.ts';
import { sampleCsv } from '../support/sample-csv.ts';
import { startTestServers } from '../support/servers.ts';

/** SPEC "Datasets: several feeds, one function", through the built handler (dist/index.mjs). */

const BUCKET = 'datasets';
let servers: LocalServers;
let tables = 0;
const BASE_ENV = {
  SOURCE_BUCKET: BUCKET,
  UPLOAD_PREFIX: 'incoming/',
  REPORT_PREFIX: 'reports/',
  REJECTED_PREFIX: 'rejected/',
  TYPE_MODE: 'infer',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
const SETTINGS = ['TABLE_NAME', 'DATASETS', 'SCHEMA', 'SCHEMA_S3_KEY', 'LEDGER_TABLE'] as const;
const saved = { ...process.env };

beforeAll(async () => {
  servers = await startTestServers({ buckets: [BUCKET] });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  process.env = saved;
  await servers.close();
});

/** New tables with these names' stems (each test its own), keyed by a number ID. */
const newTables = async <Name extends string>(...names: Name[]): Promise<Record<Name, string>> => {
  const run = ++tables;
  const created = names.map((name) => [name, `${name}-${run}`] as const);
  for (const [, table] of created) await createTable(servers.dynamodb, table);
  return Object.fromEntries(created) as Record<Name, string>;
};

/** A fresh container of the built handler with these settings (and none of the others). */
const handlerWith = async (
  settings: Partial<Record<(typeof SETTINGS)[number], string>>,
  logLevel = 'WARN',
): Promise<Handler> => {
  for (const name of SETTINGS) delete process.env[name];
  Object.assign(process.env, servers.env, BASE_ENV, settings, { LOG_LEVEL: logLevel });
  return loadBuiltHandler();
};

const put = (key: string, body: string) =>
  servers.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

/** Uploads each file, then sends them to the handler in one S3 event. */
const ingest = async (handler: Handler, files: Record<string, string>) => {
  for (const [key, body] of Object.entries(files)) await put(key, body);
  const records = Object.keys(files).flatMap((key) => s3Event({ bucket: BUCKET, key }).Records);
  return handler({ Records: records }, lambdaContext());
};

const report = async (rest: string) => {
  const text = await readText(servers.s3, BUCKET, `reports/${rest}.json`);
  return text === undefined ? undefined : JSON.parse(text);
};
const items = async (table: string) =>
  (await scanTable(servers.dynamodb, table)).map((json) => unmarshall(JSON.parse(json)));

describe('routing by DATASETS', () => {
  it('sends each key to the dataset with the longest matching sub-prefix, the rest to TABLE_NAME', async () => {
    const t = await newTables('default', 'orders', 'eu');
    const handler = await handlerWith({
      TABLE_NAME: t.default,
      DATASETS: JSON.stringify({
        'orders/': { table: t.orders },
        // Longer, so it wins for orders/eu/…; its schema applies to its files only.
        'orders/eu/': { table: t.eu, schema: { columns: { Name: { name: 'Customer' } } } },
      }),
      // Only for the files that go to TABLE_NAME.
      SCHEMA: '{"add":{"via":"default"}}',
    });
    await ingest(handler, {
      'incoming/orders/2024-05.csv': 'ID,Name\n1,Ann\n2,Bob\n',
      'incoming/orders/eu/2024-05.csv': 'ID,Name\n3,Cleo\n',
      'incoming/orders-2024.csv': 'ID,Name\n4,Dan\n',
      'incoming/other/x.csv': 'ID,Name\n5,Eve\n',
    });
    expect(await items(t.orders)).toEqual([
      { ID: 1, Name: 'Ann' },
      { ID: 2, Name: 'Bob' },
    ]);
    expect(await items(t.eu)).toEqual([{ ID: 3, Customer: 'Cleo' }]);
    // "orders-2024.csv" is not under "orders/": it is TABLE_NAME's, with SCHEMA.
    expect(await items(t.default)).toEqual([
      { ID: 4, Name: 'Dan', via: 'default' },
      { ID: 5, Name: 'Eve', via: 'default' },
    ]);
    // Reports mirror the folders: R is still the rest after UPLOAD_PREFIX.
    expect(await report('orders/eu/2024-05.csv')).toMatchObject({ status: 'succeeded', rowsWritten: 1 });
    expect(await report('orders/2024-05.csv')).toMatchObject({ status: 'succeeded', rowsWritten: 2 });
    expect(await report('other/x.csv')).toMatchObject({ status: 'succeeded', rowsWritten: 1 });
  });

  it('skips and logs a key that matches no dataset when TABLE_NAME is not set', async () => {
    const t = await newTables('orders');
    const handler = await handlerWith(
      { DATASETS: JSON.stringify({ 'orders/': { table: t.orders } }) },
      'INFO',
    );
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    await expect(
      ingest(handler, {
        'incoming/stray/nomatch.csv': 'ID,Name\n1,Ann\n',
        'incoming/orders/match.csv': 'ID,Name\n2,Bob\n',
      }),
    ).resolves.toBeUndefined();
    vi.restoreAllMocks();
    expect(await items(t.orders)).toEqual([{ ID: 2, Name: 'Bob' }]);
    expect(await report('stray/nomatch.csv')).toBeUndefined();
    expect(await report('orders/match.csv')).toMatchObject({ status: 'succeeded' });
    const skipped = lines.map((line) => JSON.parse(line)).find((entry) => entry.message === 'skipped');
    expect(skipped).toMatchObject({
      key: 'incoming/stray/nomatch.csv',
      reason: 'key matches no dataset of DATASETS, and TABLE_NAME is not set',
    });
  });

  it('reads a dataset schema from its schemaKey; a missing schemaKey object fails only that dataset’s files', async () => {
    const t = await newTables('customers', 'broken', 'default');
    await put('config/customers.json', '{"columns":{"Name":{"name":"FullName"}},"add":{"feed":"customers"}}');
    const handler = await handlerWith({
      TABLE_NAME: t.default,
      DATASETS: JSON.stringify({
        'customers/': { table: t.customers, schemaKey: 'config/customers.json' },
        'broken/': { table: t.broken, schemaKey: 'config/missing.json' },
        'inline/': { table: t.broken, schema: { columns: { Name: { type: 'NOPE' } } } },
      }),
    });
    await ingest(handler, {
      'incoming/customers/c.csv': 'ID,Name\n1,Ann\n',
      'incoming/broken/b.csv': 'ID,Name\n2,Bob\n',
      'incoming/inline/i.csv': 'ID,Name\n3,Cleo\n',
      'incoming/d.csv': 'ID,Name\n4,Dan\n',
    });
    expect(await items(t.customers)).toEqual([{ ID: 1, FullName: 'Ann', feed: 'customers' }]);
    expect(await items(t.default)).toEqual([{ ID: 4, Name: 'Dan' }]);
    expect(await items(t.broken)).toEqual([]);
    expect(await report('broken/b.csv')).toMatchObject({
      status: 'failed',
      errors: [
        {
          code: 'SCHEMA_INVALID',
          message: `invalid schema: DATASETS "broken/" schemaKey s3://${BUCKET}/config/missing.json does not exist`,
        },
      ],
    });
    const inline = await report('inline/i.csv');
    expect(inline).toMatchObject({ status: 'failed', errors: [{ code: 'SCHEMA_INVALID' }] });
    expect(inline.errors[0].message).toMatch(
      /^invalid schema \(DATASETS "inline\/"\): columns\."Name"\.type/,
    );
  });

  it('throws before processing any record when DATASETS is invalid, naming the dataset', async () => {
    const t = await newTables('orders');
    const handler = await handlerWith({
      TABLE_NAME: t.orders,
      DATASETS: JSON.stringify({ 'orders/': { table: t.orders }, eu: { table: t.orders } }),
    });
    await expect(ingest(handler, { 'incoming/orders/x.csv': 'ID\n1\n' })).rejects.toThrow(
      'invalid settings: DATASETS dataset "eu" must be a sub-prefix ending in "/"',
    );
    expect(await items(t.orders)).toEqual([]);
    expect(await report('orders/x.csv')).toBeUndefined();
  });
});

describe('a dataset file larger than one invocation', () => {
  it('continues on its dataset’s table, with the ledger sharing that table’s capacity', async () => {
    const run = ++tables;
    const [fallback, big] = [`default-${run}`, `big-${run}`];
    await createTable(servers.dynamodb, fallback);
    // Provisioned: the file paces at its share of the table's capacity, given by the ledger.
    await createTable(servers.dynamodb, big, { name: 'ID', type: 'N' }, 1000);
    await ensureLedgerTable(servers.dynamodb, `ledger-${run}`);
    // A 6 s function that hands over when 4 s are left: each invocation works for about 2 s (a cold
    // container on a busy machine needs some of that to start), and the 6000 rows take at least 5 s at
    // 1000 WCU.
    const runner = await startLambdaRunner({
      servers,
      bucket: BUCKET,
      timeoutMs: 6_000,
      env: {
        TABLE_NAME: fallback,
        DATASETS: JSON.stringify({ 'big/': { table: big } }),
        LEDGER_TABLE: `ledger-${run}`,
        CONTINUATION_MARGIN_MS: '4000',
      },
    });
    try {
      const sample = sampleCsv(6_000);
      await runner.ingest('incoming/big/file.csv', sample.text);
      expect(runner.outcomes.every((outcome) => outcome.error === undefined)).toBe(true);
      expect(runner.outcomes.length).toBeGreaterThanOrEqual(2);
      expect(await report('big/file.csv')).toMatchObject({
        status: 'partial',
        invocations: runner.outcomes.length,
        rowsRead: 6_000,
        rowsRejected: sample.bad,
        rowsWritten: 6_000 - sample.bad,
      });
      expect(await scanTable(servers.dynamodb, big)).toHaveLength(sample.distinct);
      expect(await scanTable(servers.dynamodb, fallback)).toEqual([]);
      expect(await listKeys(servers.s3, BUCKET, 'rejected/big/')).toEqual(['rejected/big/file.csv']);
    } finally {
      await runner.close();
    }
  });
});
