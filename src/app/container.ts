import { LambdaClient } from '@aws-sdk/client-lambda';
import { createInvokeSelf, type InvokeSelf } from '../aws/continuation.ts';
import { createDynamoDBClient } from '../aws/dynamodb-client.ts';
import { describeTable } from '../aws/dynamodb-table.ts';
import type { TurnSetup } from '../aws/file-turn.ts';
import { createLedger } from '../aws/ledger.ts';
import { createS3Client } from '../aws/s3-client.ts';
import { createS3FileStore } from '../aws/s3-file-store.ts';
import { ConfigError } from '../core/errors.ts';
import { pacerFor } from '../core/pacer.ts';
import type { ProcessDeps } from './file-types.ts';
import { createProcessDeps } from './process-deps.ts';
import { createSchemaSource } from './schema-source.ts';
import { readSettings, type Settings } from './settings.ts';

export type Container = {
  readonly settings: Settings;
  readonly deps: ProcessDeps;
  /** Continues a file in a new invocation of this function; unset outside Lambda. */
  readonly invoke?: InvokeSelf;
  /** The file ledger (LEDGER_TABLE), and on a provisioned table the capacity its files share. */
  readonly ledger?: TurnSetup;
};

/** What a Lambda container keeps between invocations: settings, clients and the table's key schema. */
export const createContainer = async (env: NodeJS.ProcessEnv): Promise<Container> => {
  const settings = readSettings(env);
  const { tableName, functionName } = settings;
  // DATASETS (a table per dataset) is read by the settings but not yet routed here.
  if (tableName === undefined) throw new ConfigError('invalid settings: TABLE_NAME is required');
  const s3 = createS3Client(env);
  const dynamodb = createDynamoDBClient();
  const table = await describeTable(dynamodb, tableName);
  const pacer = pacerFor(table, settings.writeConcurrency);
  const { ledgerTable } = settings;
  return {
    settings,
    ...(ledgerTable !== undefined && {
      ledger: {
        ledger: createLedger(dynamodb, ledgerTable),
        ...(table.writeCapacity !== undefined && {
          share: { tableName, writeCapacity: table.writeCapacity, pacer },
        }),
      },
    }),
    ...(functionName !== undefined && { invoke: createInvokeSelf(new LambdaClient({}), functionName) }),
    // One set of dependencies (so one pacer) per container: the table's capacity is shared by every file it writes.
    deps: createProcessDeps({
      store: createS3FileStore(s3, settings.prefixes),
      dynamodb,
      tableName,
      table,
      writeConcurrency: settings.writeConcurrency,
      marginMs: settings.continuationMarginMs,
      pacer,
      maxWriteAttempts: settings.maxWriteAttempts,
      typeMode: settings.typeMode,
      writePath: settings.writePath,
      csvParser: settings.csvParser,
      schema: createSchemaSource(s3, settings.sourceBucket, settings.schema),
    }),
  };
};
