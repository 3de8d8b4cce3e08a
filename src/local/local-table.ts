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
