import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TableInfo } from '../aws/dynamodb-table.ts';
import type { ObjectRef } from '../aws/s3-source.ts';
import type { Pacer } from '../core/batch-writer.ts';
import type { ItemPlan } from '../core/item-plan.ts';
import type { Prefixes } from '../core/object-key.ts';
import type { Report } from '../core/report.ts';

/** The types every step of a file's path shares (select-jobs, tasks, run-file, process-file, schema-source). */

export type FileContext = {
  readonly bucket: string;
  readonly key: string;
  readonly now: Date;
  /** The version of the column schema a continued file started with: the rest of the file keeps to it. */
  readonly schemaVersion?: string;
};

export type ProcessDeps = {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly table: TableInfo;
  readonly prefixes: Prefixes;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  /** Builds the item plan for a header (the default rules, or the column schema). */
  readonly plan: (header: readonly string[], context: FileContext) => ItemPlan | Promise<ItemPlan>;
  readonly pacer?: Pacer;
  readonly now?: () => Date;
};

export type FileJob = ObjectRef & { readonly rest: string; readonly gzip: boolean };

export type ProcessedFile = { readonly report: Report; readonly reportKey: string };
