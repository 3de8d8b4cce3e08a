import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { describeTable } from '../aws/dynamodb-table.ts';
import { compileDefaultPlan } from '../core/item-plan.ts';
import type { ProcessDeps } from './process-file.ts';
import { readSettings, type Settings } from './settings.ts';

export type Container = { readonly settings: Settings; readonly deps: ProcessDeps };

/** What a Lambda container keeps between invocations: settings, clients and the table's key schema. */
export const createContainer = async (env: NodeJS.ProcessEnv): Promise<Container> => {
  const settings = readSettings(env);
  const s3 = new S3Client({});
  const dynamodb = new DynamoDBClient({});
  const table = await describeTable(dynamodb, settings.tableName);
  return {
    settings,
    deps: {
      s3,
      dynamodb,
      tableName: settings.tableName,
      table,
      prefixes: settings.prefixes,
      writeConcurrency: settings.writeConcurrency,
      maxWriteAttempts: settings.maxWriteAttempts,
      plan: (header) => compileDefaultPlan(header, table.keySchema, settings.typeMode),
    },
  };
};
