import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createSendBatch, type TableInfo } from '../aws/dynamodb-table.ts';
import { createS3RejectedRows, deleteObject, putReport } from '../aws/s3-outputs.ts';
import { isObjectGone, type ObjectRef, openObject } from '../aws/s3-source.ts';
import type { Pacer } from '../core/batch-writer.ts';
import { ErrorCode } from '../core/errors.ts';
import { type IngestResult, ingest } from '../core/ingest.ts';
import type { ItemPlan } from '../core/item-plan.ts';
import { keyIdOf } from '../core/key-schema.ts';
import { type Prefixes, rejectedKeyFor, reportKeyFor } from '../core/object-key.ts';
import { buildReport, type Report } from '../core/report.ts';

export type FileContext = { readonly bucket: string; readonly key: string; readonly now: Date };

export type ProcessDeps = {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly table: TableInfo;
  readonly prefixes: Prefixes;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  /** Builds the item plan for a header (the default rules, or the column schema). */
  readonly plan: (header: readonly string[], context: FileContext) => ItemPlan;
  readonly pacer?: Pacer;
  readonly now?: () => Date;
};

export type FileJob = ObjectRef & { readonly rest: string; readonly gzip: boolean };

export type ProcessedFile = { readonly report: Report; readonly reportKey: string };

/**
 * One CSV object → items in the table, a report and (when rows were rejected) a rejected-rows file.
 * Bad data ends in the report; S3 or DynamoDB failures past their retries throw, after a best-effort
 * `failed` report that says how far the file got.
 */
export const processFile = async (deps: ProcessDeps, job: FileJob): Promise<ProcessedFile> => {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const reportKey = reportKeyFor(job.rest, deps.prefixes);
  const rejectedKey = rejectedKeyFor(job.rest, deps.prefixes);
  const rejected = createS3RejectedRows(deps.s3, job.bucket, rejectedKey);
  let source: ObjectRef = job;
  const context: FileContext = { bucket: job.bucket, key: job.key, now: startedAt };

  const finish = async (result: Pick<IngestResult, 'counts' | 'errors' | 'writes'>, failed: boolean) => {
    const report = buildReport({
      source,
      counts: result.counts,
      errors: result.errors,
      failed,
      rejectedRowsKey: rejectedKey,
      startedAt,
      finishedAt: now(),
      invocations: 1,
      writes: result.writes,
    });
    await putReport(deps.s3, job.bucket, reportKey, report);
    return { report, reportKey };
  };

  const result = await ingest({
    open: async (offset) => {
      const opened = await openObject(deps.s3, source, offset);
      source = {
        ...source,
        ...(opened.eTag && { eTag: opened.eTag }),
        ...(opened.versionId && { versionId: opened.versionId }),
      };
      return opened.body;
    },
    gzip: job.gzip,
    plan: (header) => deps.plan(header, context),
    write: {
      send: createSendBatch(deps.dynamodb, deps.tableName),
      keyIdOf: (item) => keyIdOf(item, deps.table.keySchema),
      concurrency: deps.writeConcurrency,
      maxAttempts: deps.maxWriteAttempts,
      ...(deps.pacer && { pacer: deps.pacer }),
    },
    rejected,
  });

  if (result.outcome === 'aborted') {
    await rejected.abort();
    const message = describeCause(result.cause);
    const errors = [...result.errors, { message, code: ErrorCode.WRITE_FAILED }];
    if (isObjectGone(result.cause)) return finish({ ...result, errors }, true);
    await finish({ ...result, errors }, true).catch(() => undefined);
    throw result.cause;
  }
  const anyRejected = await rejected.close();
  if (!anyRejected && result.outcome === 'complete') await deleteObject(deps.s3, job.bucket, rejectedKey);
  return finish(result, result.outcome === 'failed');
};

const describeCause = (cause: unknown): string => {
  if (isObjectGone(cause))
    return `the object could not be read (${(cause as Error).name}): it was deleted or replaced`;
  const error = cause as { name?: string; message?: string };
  return `processing stopped: ${error.name ?? 'Error'}: ${error.message ?? String(cause)}`;
};
