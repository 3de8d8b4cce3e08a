import { LambdaClient } from '@aws-sdk/client-lambda';
import { createInvokeSelf, type InvokeSelf } from '../aws/continuation.ts';
import { createDynamoDBClient } from '../aws/dynamodb-client.ts';
import { describeTable } from '../aws/dynamodb-table.ts';
import { createS3Client } from '../aws/s3-client.ts';
import { pacerFor } from '../core/pacer.ts';
import type { ProcessDeps } from './file-types.ts';
import { createPlanFactory, createSchemaSource } from './schema-source.ts';
import { readSettings, type Settings } from './settings.ts';

export type Container = {
  readonly settings: Settings;
  readonly deps: ProcessDeps;
  /** Continues a file in a new invocation of this function; unset outside Lambda. */
  readonly invoke?: InvokeSelf;
};

/** What a Lambda container keeps between invocations: settings, clients and the table's key schema. */
export const createContainer = async (env: NodeJS.ProcessEnv): Promise<Container> => {
  const settings = readSettings(env);
  const s3 = createS3Client(env);
  const dynamodb = createDynamoDBClient();
  const table = await describeTable(dynamodb, settings.tableName);
  const { functionName } = settings;
  return {
    settings,
    ...(functionName !== undefined && { invoke: createInvokeSelf(new LambdaClient({}), functionName) }),
    deps: {
      s3,
      dynamodb,
      tableName: settings.tableName,
      table,
      prefixes: settings.prefixes,
      writeConcurrency: settings.writeConcurrency,
      maxWriteAttempts: settings.maxWriteAttempts,
      // One pacer per container: the table's capacity is shared by every file this container writes.
      pacer: pacerFor(table, settings.writeConcurrency),
      plan: createPlanFactory(
        createSchemaSource(s3, settings.sourceBucket, settings.schema),
        table.keySchema,
        settings.typeMode,
      ),
    },
  };
};
