import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, BatchWriteItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessDeps } from '../../src/app/process-deps.ts';
import { runToEnd } from '../../src/app/run-file.ts';
import { fixedSchemaSource } from '../../src/app/schema-source.ts';
import { describeTable } from '../../src/aws/dynamodb-table.ts';
import { exportTable } from '../../src/cli/commands/export-table.ts';
import { createLocalFileStore } from '../../src/cli/local-file-store.ts';
import { startTask } from '../../src/core/continuation.ts';
import { parseSchema } from '../../src/core/schema/schema.ts';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCli } from '../support/cli.ts';
import { createTable, scanTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// SPEC's type rules, both ways: a table exported to CSV with its schema and ingested into a new table
// gives the same items. Against the test DynamoDB, through the same path as `csv2ddb ingest`.

let servers: LocalServers;
let work: string;
let tables = 0;

beforeAll(async () => {
  servers = await startTestServers();
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-export-'));
});
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

const newTable = async () => {
  const name = `export-${++tables}`;
  await createTable(servers.dynamodb, name);
  return name;
};

/** `csv2ddb ingest path --table T [--schema …]`, in this process. */
const ingest = async (path: string, tableName: string, schemaText?: string) => {
  const deps = createProcessDeps({
    store: createLocalFileStore(),
    dynamodb: servers.dynamodb,
    tableName,
    table: await describeTable(servers.dynamodb, tableName),
    writeConcurrency: 4,
    maxWriteAttempts: 10,
    typeMode: 'infer',
    schema: fixedSchemaSource(schemaText === undefined ? undefined : parseSchema(schemaText, path)),
  });
  return (
    await runToEnd(deps, startTask({ bucket: 'local', key: path, rest: path, gzip: false }, new Date()))
  ).report;
};

/** Items as comparable values: sets in sorted order (DynamoDB keeps no member order). */
const itemsOf = async (table: string) =>
  (await scanTable(servers.dynamodb, table)).map((json) =>
    JSON.parse(json, (key, value) =>
      (key === 'SS' || key === 'NS') && Array.isArray(value) ? [...value].sort() : value,
    ),
  );

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const member = text.filter((value) => value !== '' && !value.includes('|'));
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 9999 }))
  .map(([whole, fraction]) => `${whole}.${String(fraction).padStart(4, '0')}`);
const json = fc.jsonValue({ maxDepth: 3 }).filter((value) => !JSON.stringify(value).includes('""'));

/** Rows of varied types, with the schema that loads them: inferred text, exact numbers, booleans, sets, JSON. */
const rows = fc.uniqueArray(
  fc.record({
    ID: fc.nat({ max: 10_000 }),
    Name: fc.oneof(text, fc.constantFrom('007', '42', 'TRUE', '1e5', ' 5', '')),
    Amount: fc.option(decimal, { nil: '' }),
    Flag: fc.constantFrom('', 'true', 'FALSE', 'yes', '0'),
    Tags: fc.uniqueArray(member, { maxLength: 4 }).map((tags) => tags.join('|')),
    Sizes: fc
      .uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 4 })
      .map((sizes) => sizes.join('|')),
    Spec: fc.option(
      json.map((value) => JSON.stringify(value)),
      { nil: '' },
    ),
  }),
  { selector: (row) => row.ID, minLength: 1, maxLength: 25 },
);
const SCHEMA = JSON.stringify({
  columns: {
    Amount: { type: 'N' },
    Flag: { type: 'BOOL' },
    Tags: { type: 'SS' },
    Sizes: { type: 'NS' },
    Spec: { type: 'JSON' },
  },
});

describe('export: a table back to CSV and a schema that reads it back', () => {
  it('gives the same items after ingest, export, ingest into a new table, for any rows', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (data) => {
        const source = join(work, `source-${tables}.csv`);
        const header = Object.keys(data[0] ?? {});
        await writeFile(
          source,
          stringify([
            header,
            ...data.map((row) => header.map((name) => String(row[name as keyof typeof row]))),
          ]),
        );
        const first = await newTable();
        const loaded = await ingest(source, first, SCHEMA);

        const out = join(work, `export-${tables}.csv`);
        const exported = await exportTable(servers.dynamodb, first, out);
        const second = await newTable();
        const report = await ingest(out, second, await readFile(exported.schemaPath, 'utf8'));

        expect(exported.items).toBe(loaded.rowsWritten);
        expect(report).toMatchObject({ status: 'succeeded', rowsRejected: 0, rowsRead: exported.items });
        expect(await itemsOf(second)).toEqual(await itemsOf(first));
        expect(exported.warnings).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('writes the columns by type: exact numbers, sets with a separator none of their members holds, JSON for the rest', async () => {
    const source = join(work, 'typed.csv');
    await writeFile(
      source,
      'ID,Big,Tags,Mixed,Empty,Nested\n1,12345678901234567890.5,a|b;c~d,7,,"{""n"":[12345678901234567890,""x""]}"\n2,-1,d,x,"",\n',
    );
    const table = await newTable();
    await ingest(
      source,
      table,
      JSON.stringify({
        columns: { Big: { type: 'N' }, Tags: { type: 'SS', separator: '~' }, Nested: { type: 'JSON' } },
      }),
    );
    const out = join(work, 'typed-out.csv');
    const { schemaPath } = await exportTable(servers.dynamodb, table, out);
    expect(JSON.parse(await readFile(schemaPath, 'utf8'))).toEqual({
      $schema: expect.stringMatching(/schema\/csv2ddb-schema\.json$/),
      columns: {
        ID: {},
        Big: { type: 'N' },
        Mixed: { type: 'JSON' },
        Nested: { type: 'JSON' },
        Tags: { type: 'SS', separator: '^' },
      },
      otherColumns: 'infer',
    });
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').sort();
    expect(lines).toEqual([
      '1,12345678901234567890.5,7,"{""n"":[12345678901234567890,""x""]}",a|b;c^d',
      '2,-1,"""x""",,d',
      'ID,Big,Mixed,Nested,Tags',
    ]);
  });
});

describe('export of items not loaded by csv2ddb', () => {
  it('writes binary keys as base64 and a sort key as typed; says what cannot come back as it was', async () => {
    const keyed = async (name: string) => {
      await servers.dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'B' },
            { AttributeName: 'sk', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return name;
    };
    const [first, second] = [await keyed('export-binary-1'), await keyed('export-binary-2')];
    const items: Record<string, AttributeValue>[] = [
      {
        pk: { B: Uint8Array.of(0, 255, 10) },
        sk: { N: '1' },
        Blob: { B: Uint8Array.of(1, 2) },
        Nothing: { NULL: true },
      },
      { pk: { B: Uint8Array.of(0, 255, 10) }, sk: { N: '2.5' }, Map: { M: { tags: { SS: ['a', 'b'] } } } },
      { pk: { B: Uint8Array.of(7) }, sk: { N: '-3' }, Text: { S: 'line one\nline "two", with comma' } },
    ];
    await servers.dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: { [first]: items.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    const out = join(work, 'binary.csv');
    const exported = await exportTable(servers.dynamodb, first, out);
    expect(exported.warnings).toEqual([
      expect.stringContaining('attribute "Blob": binary is written as base64'),
      expect.stringContaining('attribute "Map": sets and binary inside maps'),
    ]);
    expect(await ingest(out, second, await readFile(exported.schemaPath, 'utf8'))).toMatchObject({
      status: 'succeeded',
      rowsWritten: 3,
    });
    // Keys, text, nulls come back as they were; binary as its base64 text, a set in a map as a list.
    const expected = (await itemsOf(first)).map((item) => ({
      ...item,
      ...(item.Blob && { Blob: { S: Buffer.from([1, 2]).toString('base64') } }),
      ...(item.Map && { Map: { M: { tags: { L: [{ S: 'a' }, { S: 'b' }] } } } }),
    }));
    expect(await itemsOf(second)).toEqual(expected);
  });
});

describe('csv2ddb export and scan --format csv', () => {
  it('round-trips the sample loaded with its schema, through the CLI', async () => {
    const env = { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' };
    await copyFile(join(PROJECT_ROOT, 'examples/ec2-instances.csv'), join(work, 'sample.csv'));
    const [first, second] = [await newTable(), await newTable()];
    const schema = join(PROJECT_ROOT, 'examples/schema.json');
    expect(
      (await runCli(['ingest', 'sample.csv', '--table', first, '--schema', schema], { env, cwd: work })).code,
    ).toBe(1);

    const exported = await runCli(['export', '--table', first, 'sample-out.csv'], { env, cwd: work });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('57 items, 12 columns → sample-out.csv');
    expect(exported.stdout).toContain('column schema → sample-out.schema.json');
    const again = await runCli(
      ['ingest', 'sample-out.csv', '--table', second, '--schema', 'sample-out.schema.json'],
      {
        env,
        cwd: work,
      },
    );
    expect(again.code, again.stdout).toBe(0);
    expect(await itemsOf(second)).toEqual(await itemsOf(first));

    const scanned = await runCli(['scan', '--table', first, '--format', 'csv', '--limit', '2'], {
      env,
      cwd: work,
    });
    const [header, ...records] = scanned.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'ID,InstanceId,InstanceType,MemoryGiB,Region,Specs,Tags,Zip,ingestedAt,source,sourceRow,vCPUs',
    );
    expect(records).toHaveLength(2);
  }, 60_000);
});
