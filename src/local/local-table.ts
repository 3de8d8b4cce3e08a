import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { describeTable } from '../aws/dynamodb-table.ts';
import { ConfigError } from '../core/errors.ts';
import type { InfraConfig } from './tfvars.ts';

/**
 * Creates the table as Terraform would (key schema, billing mode, capacity), or checks that the one
 * kept in the data folder has the same keys.
 */
export const ensureTable = async (dynamodb: DynamoDBClient, table: InfraConfig['table']): Promise<void> => {
  const keys = [table.partition, ...(table.sort ? [table.sort] : [])];
  const input: CreateTableCommandInput = {
    TableName: table.name,
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: keys.map((key, index) => ({
      AttributeName: key.name,
      KeyType: index === 0 ? 'HASH' : 'RANGE',
    })),
    BillingMode: table.billingMode,
    ...(table.billingMode === 'PROVISIONED' && {
      ProvisionedThroughput: {
        ReadCapacityUnits: table.readCapacity,
        WriteCapacityUnits: table.writeCapacity,
      },
    }),
  };
  try {
    await dynamodb.send(new CreateTableCommand(input));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
    const existing = await describeTable(dynamodb, table.name);
    const same = (a?: { name: string; type: string }, b?: { name: string; type: string }) =>
      a?.name === b?.name && a?.type === b?.type;
    if (!same(existing.keySchema.partition, table.partition) || !same(existing.keySchema.sort, table.sort)) {
      throw new ConfigError(
        `the local table ${table.name} has another key schema than infra/terraform.tfvars: start with --reset to recreate it`,
      );
    }
    // The capacity paces every write: a table kept from before a change of billing_mode or
    // write_capacity would pace the function to the old one.
    const wanted = table.billingMode === 'PROVISIONED' ? table.writeCapacity : undefined;
    if (existing.writeCapacity !== wanted) {
      const describe = (units: number | undefined) =>
        units === undefined ? 'on demand (PAY_PER_REQUEST)' : `provisioned at ${units} WCU`;
      throw new ConfigError(
        `the local table ${table.name} is ${describe(existing.writeCapacity)}, infra/terraform.tfvars says ${describe(wanted)}: start with --reset to recreate it`,
      );
    }
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30, minDelay: 1 }, { TableName: table.name });
};

/**
 * The function's ledger table as Terraform creates it: a string partition key `pk`, on demand.
 * (dynalite has no TTL: expired claims stay as items, which the function reads as expired.)
 */
export const ensureLedgerTable = async (dynamodb: DynamoDBClient, name: string): Promise<void> => {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
};

/**
 * The tables of tfvars' `datasets`: each new table created as Terraform would. An `existing_table_name`
 * is a table tfvars holds no key schema for: the local stack uses it when it is there (the default
 * table, another dataset's table, or one created by hand in a kept data folder), and `warn`s otherwise
 * (that dataset's files then fail until it is created). Returns the datasets' table names.
 */
export const ensureDatasetTables = async (
  dynamodb: DynamoDBClient,
  config: Pick<InfraConfig, 'table' | 'datasets'>,
  warn: (line: string) => void,
): Promise<string[]> => {
  const known = new Set([config.table.name]);
  for (const dataset of config.datasets) {
    if (!dataset.table || known.has(dataset.table.name)) continue;
    await ensureTable(dynamodb, dataset.table);
    known.add(dataset.table.name);
  }
  for (const { prefix, table, tableName } of config.datasets) {
    if (table || known.has(tableName)) continue;
    try {
      await describeTable(dynamodb, tableName);
      known.add(tableName);
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      warn(
        `datasets["${prefix}"]: the existing table ${tableName} is not in the local stack (tfvars holds no key schema for it); ` +
          "create it with `aws dynamodb create-table --endpoint-url <the stack's DynamoDB>` (kept with --data-dir), " +
          'or give the dataset a `table` definition: until then its files fail',
      );
    }
  }
  return [...new Set(config.datasets.map((dataset) => dataset.tableName))];
};
