import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';

/** tfvars' `datasets` in the local stack (`npm start`): a table per dataset, their schemas, DATASETS. */

const TFVARS = `
region  = "eu-west-1"
project = "feeds"
table = {
  name           = "feeds-items"
  hash_key       = { name = "ID", type = "N" }
  billing_mode   = "PAY_PER_REQUEST"
}
ledger_enabled = false
datasets = {
  "orders/"    = { table = { name = "feeds-orders", hash_key = { name = "OrderId", type = "S" }, range_key = { name = "Line", type = "N" }, billing_mode = "PAY_PER_REQUEST" }, schema_file = "orders.json" }
  "orders/eu/" = { table = { name = "feeds-orders-eu", hash_key = { name = "OrderId", type = "S" }, write_capacity = 50 } }
  "mirror/"    = { existing_table_name = "feeds-items", schema_file = "mirror.json", schema_key = "config/mirror.json" }
  "legacy/"    = { existing_table_name = "feeds-legacy" }
}
`;

let stack: LocalStack;
let dir: string;
const warnings: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv2ddb-local-datasets-'));
  await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(dir, 'variables.tf'));
  await writeFile(join(dir, 'terraform.tfvars'), TFVARS);
  await writeFile(join(dir, 'orders.json'), '{"columns":{"Amount":{"type":"N"}},"csv":{"delimiter":";"}}');
  await writeFile(join(dir, 'mirror.json'), '{"add":{"feed":"mirror"}}');
  stack = await startLocalStack({ infraDir: dir, onWarning: (line) => warnings.push(line) });
});
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

const items = async (table: string) =>
  ((await stack.servers.dynamodb.send(new ScanCommand({ TableName: table }))).Items ?? []).map((item) =>
    unmarshall(item),
  );

describe('startLocalStack() with datasets in tfvars', () => {
  it('creates one table per new dataset table, as Terraform defines it', async () => {
    // In the order of their sub-prefixes: legacy/, mirror/, orders/, orders/eu/.
    expect(stack.datasetTables).toEqual(['feeds-legacy', 'feeds-items', 'feeds-orders', 'feeds-orders-eu']);
    const describeTable = (name: string) =>
      stack.servers.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const orders = (await describeTable('feeds-orders')).Table;
    expect(orders?.KeySchema).toEqual([
      { AttributeName: 'OrderId', KeyType: 'HASH' },
      { AttributeName: 'Line', KeyType: 'RANGE' },
    ]);
    expect(orders?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect((await describeTable('feeds-orders-eu')).Table?.ProvisionedThroughput?.WriteCapacityUnits).toBe(
      50,
    );
  });

  it('warns about an existing table it cannot stand in for', () => {
    expect(warnings).toEqual([
      expect.stringMatching(
        /^datasets\["legacy\/"\]: the existing table feeds-legacy is not in the local stack/,
      ),
    ]);
  });

  it('uploads the datasets’ schema files and gives the function DATASETS', async () => {
    expect(JSON.parse(stack.functionEnv.DATASETS ?? '')).toEqual({
      'legacy/': { table: 'feeds-legacy' },
      'mirror/': { table: 'feeds-items', schemaKey: 'config/mirror.json' },
      'orders/': { table: 'feeds-orders', schemaKey: 'config/datasets/orders/schema.json' },
      'orders/eu/': { table: 'feeds-orders-eu' },
    });
    const response = await stack.servers.s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: 'config/datasets/orders/schema.json' }),
    );
    expect(JSON.parse((await response.Body?.transformToString()) ?? '')).toMatchObject({
      csv: { delimiter: ';' },
    });
  });

  it('routes each upload to its dataset’s table, the rest to the default table', async () => {
    const files = {
      'incoming/orders/a.csv': 'OrderId;Line;Amount\nA-1;1;9.50\n',
      'incoming/orders/eu/b.tsv': 'OrderId\tAmount\nB-1\t007\n',
      'incoming/mirror/c.csv': 'ID,Name\n1,mirrored\n',
      'incoming/d.csv': 'ID,Name\n2,plain\n',
    };
    for (const [key, body] of Object.entries(files)) {
      const reported = stack.nextReport(key);
      await stack.upload(key, body);
      expect(await reported).toMatchObject({ status: 'succeeded', rowsWritten: 1 });
    }
    expect(await items('feeds-orders')).toEqual([{ OrderId: 'A-1', Line: 1, Amount: 9.5 }]);
    expect(await items('feeds-orders-eu')).toEqual([{ OrderId: 'B-1', Amount: '007' }]);
    const byId = (await items('feeds-items')).sort((a, b) => a.ID - b.ID);
    expect(byId).toEqual([
      { ID: 1, Name: 'mirrored', feed: 'mirror' },
      { ID: 2, Name: 'plain' },
    ]);
  });
});
