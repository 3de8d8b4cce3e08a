import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createSendBatch, type TableInfo } from '../aws/dynamodb-table.ts';
import type { SenderPool } from '../aws/sender-pool.ts';
import { createSendRequests } from '../aws/statement-table.ts';
import { createDryRunSend } from '../core/dry-run-send.ts';
import type { FileStore } from '../core/file-store.ts';
import type { TypeMode } from '../core/item-plan.ts';
import { keyIdOf } from '../core/key-schema.ts';
import { pacerFor, type TablePacer } from '../core/pacer.ts';
import type { CsvParser } from '../core/parse-chunks.ts';
import type { ProcessDeps } from './file-types.ts';
import { createDialectFactory, createPlanFactory, type SchemaSource } from './schema-source.ts';

export type ProcessSetup = {
  readonly store: FileStore;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** The table's key schema and capacity (`describeTable`). */
  readonly table: TableInfo;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  readonly typeMode: TypeMode;
  /** The column schema in force: `createSchemaSource` (the function's settings) or `fixedSchemaSource` (CLI). */
  readonly schema: SchemaSource;
  /**
   * CONTINUATION_MARGIN_MS, for the Lambda: on a paced table the writes outstanding when a file stops
   * stay within what fits in it. Unset for the CLI, which never stops a file.
   */
  readonly marginMs?: number;
  /** The table's pacer, when the caller needs it too (the ledger sets each file's share of the capacity). */
  readonly pacer?: TablePacer;
  /** WRITE_PATH: the lean BatchWriteItem (default) or the SDK's (`createSendBatch`). */
  readonly writePath?: 'lean' | 'sdk';
  /** `--dry-run`: nothing is written; each item is checked against DynamoDB's rules instead (dry-run-send.ts), unpaced. */
  readonly dryRun?: boolean;
  /** CSV_PARSER: `chunked` (default) or `csv-parse` for every record (`parseCsvChunks`). */
  readonly csvParser?: CsvParser;
  /** THREADS > 1: the sender threads that sign and send the writes (sender-pool.ts). */
  readonly senders?: SenderPool;
  readonly now?: () => Date;
};

/**
 * The one place that wires a file's processing: the Lambda container (container.ts) and every CLI
 * command build their dependencies here, so that a new setting applies everywhere at once.
 * One pacer per result: the table's capacity is shared by every file these dependencies write.
 */
export const createProcessDeps = (setup: ProcessSetup): ProcessDeps => ({
  store: setup.store,
  write: {
    send: setup.dryRun
      ? createDryRunSend(setup.table.keySchema)
      : createSendBatch(setup.dynamodb, setup.tableName, {
          path: setup.writePath ?? 'lean',
          ...(setup.senders && { senders: setup.senders }),
        }),
    // Write modes other than a plain put (the schema's `write`): BatchExecuteStatement and BatchWriteItem.
    ...(!setup.dryRun && {
      sendRequests: createSendRequests(setup.dynamodb, setup.tableName, setup.table.keySchema, {
        path: setup.writePath ?? 'lean',
        ...(setup.senders && { senders: setup.senders }),
      }),
    }),
    keyIdOf: (item) => keyIdOf(item, setup.table.keySchema),
    concurrency: setup.writeConcurrency,
    maxAttempts: setup.maxWriteAttempts,
    // A dry run spends no capacity: it is not paced.
    pacer: setup.pacer ?? pacerFor(setup.dryRun ? {} : setup.table, setup.writeConcurrency),
    ...(setup.marginMs !== undefined && { marginMs: setup.marginMs }),
  },
  plan: createPlanFactory(setup.schema, setup.table.keySchema, setup.typeMode),
  dialect: createDialectFactory(setup.schema),
  ...(setup.now && { now: setup.now }),
  ...(setup.csvParser && { csvParser: setup.csvParser }),
});
