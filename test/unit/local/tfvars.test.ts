import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/local/built-handler.ts';
import { readInfraConfig } from '../../../src/local/tfvars.ts';

const temporary: string[] = [];
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

/** An infra/ folder with the real variables.tf and a tfvars of our own. */
const infraWith = async (tfvars: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'csv2ddb-tfvars-'));
  temporary.push(dir);
  await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(dir, 'variables.tf'));
  await writeFile(join(dir, 'terraform.tfvars'), tfvars);
  return dir;
};

const MINIMAL = `
region  = "eu-west-1"
project = "demo"
table = {
  name     = "demo-items"
  hash_key = { name = "ID", type = "N" }
}
`;

const read = async (extra: string) => readInfraConfig(await infraWith(`${MINIMAL}\n${extra}\n`));

describe('readInfraConfig() checks the settings as the function does', () => {
  it.each([
    ['an empty upload_prefix: the whole bucket', 'upload_prefix = ""', { prefixes: { upload: '' } }],
    ['prefixes without a trailing "/"', 'upload_prefix = "in-"', { prefixes: { upload: 'in-' } }],
    ['the smallest margin', 'continuation_margin_ms = 1000', { continuationMarginMs: 1000 }],
    ['the ledger, on by default', '', { ledger: { name: 'demo-ledger' } }],
    [
      'an existing table, with the key schema of its local stand-in',
      'existing_table_name = "Legacy"',
      { existingTableName: 'Legacy', table: { name: 'demo-items', partition: { name: 'ID', type: 'N' } } },
    ],
  ])('accepts %s', async (_what, line, expected) => {
    expect(await read(line)).toMatchObject(expected);
  });

  it.each([
    ['an empty report_prefix', 'report_prefix = ""', /terraform\.tfvars: report_prefix must not be empty/],
    [
      'a margin below a second',
      'continuation_margin_ms = 500',
      /continuation_margin_ms must be a whole number from 1000 to 900000 \(got "500"\)/,
    ],
    [
      'a margin not below the timeout',
      'lambda_timeout_s = 60\ncontinuation_margin_ms = 60000',
      /continuation_margin_ms \(60000\) must be below lambda_timeout_s \(60 s\)/,
    ],
    [
      'an output prefix that holds the upload prefix',
      'upload_prefix = "reports/in/"',
      /report_prefix must not hold upload_prefix "reports\/in\/"/,
    ],
    ['a bad type_mode', 'type_mode = "numbers"', /type_mode must be "infer" or "string" \(got "numbers"\)/],
    [
      'a dataset that repeats the upload prefix',
      'datasets = { "incoming/orders/" = { existing_table_name = "Orders" } }',
      /datasets dataset "incoming\/orders\/" repeats upload_prefix "incoming\/"/,
    ],
    [
      'a dataset with both a new and an existing table',
      'datasets = { "orders/" = { existing_table_name = "Orders", table = { name = "Orders", hash_key = { name = "id", type = "S" } } } }',
      /either table \(a new table\) or existing_table_name/,
    ],
  ])('names the tfvars variable for %s', async (_what, line, message) => {
    await expect(read(line)).rejects.toThrow(message);
  });

  it('leaves the ledger out when ledger_enabled is false', async () => {
    expect(await read('ledger_enabled = false')).not.toHaveProperty('ledger');
  });

  it('reads datasets and builds the DATASETS the function gets', async () => {
    const config = await read(`datasets = {
  "orders/" = {
    table       = { name = "demo-orders", hash_key = { name = "OrderId", type = "S" }, billing_mode = "PAY_PER_REQUEST" }
    schema_file = "orders.json"
  }
  "customers/" = { existing_table_name = "Customers" }
}`);
    // Sorted by sub-prefix, as Terraform orders a map.
    expect(config.datasets).toEqual([
      { prefix: 'customers/', tableName: 'Customers' },
      {
        prefix: 'orders/',
        tableName: 'demo-orders',
        table: {
          name: 'demo-orders',
          partition: { name: 'OrderId', type: 'S' },
          billingMode: 'PAY_PER_REQUEST',
          readCapacity: 5,
          writeCapacity: 5,
        },
        schema: { path: expect.stringMatching(/orders\.json$/), key: 'config/datasets/orders/schema.json' },
      },
    ]);
    expect(JSON.parse(config.datasetsSetting as string)).toEqual({
      'orders/': { table: 'demo-orders', schemaKey: 'config/datasets/orders/schema.json' },
      'customers/': { table: 'Customers' },
    });
  });
});
