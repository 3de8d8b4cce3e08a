import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FileContext } from '../app/file-types.ts';
import { createSendBatch, type TableInfo } from '../aws/dynamodb-table.ts';
import { abortedError, type Counts, ingest } from '../core/ingest.ts';
import type { ItemPlan } from '../core/item-plan.ts';
import { keyIdOf } from '../core/key-schema.ts';
import { pacerFor } from '../core/pacer.ts';
import { createRejectedCsv } from '../core/rejected-csv.ts';
import { buildReport, type Report } from '../core/report.ts';

export type LocalIngestOptions = {
  readonly path: string;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly table: TableInfo;
  readonly plan: (header: readonly string[], context: FileContext) => ItemPlan | Promise<ItemPlan>;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly onProgress?: (bytesRead: number, totalBytes: number, counts: Readonly<Counts>) => void;
};

export type LocalIngestResult = {
  readonly report: Report;
  /** Set when rows were rejected. */
  readonly rejectedPath?: string;
  /** S3 or DynamoDB failed past the retries: the counts say how far the file got. */
  readonly cause?: unknown;
};

/** `data.csv` → `data.csv.rejected.csv`; a `.gz` input's rejected rows are plain CSV. */
const rejectedPathFor = (path: string): string => `${path.replace(/\.gz$/, '')}.rejected.csv`;

/**
 * A CSV file on disk → items in the table, with the same core and rules as the Lambda function.
 * Rejected rows go to a CSV file next to the input (an earlier one is removed when none are rejected).
 */
export const ingestLocalFile = async (options: LocalIngestOptions): Promise<LocalIngestResult> => {
  const { path } = options;
  const startedAt = new Date();
  const totalBytes = (await stat(path)).size;
  const rejectedPath = rejectedPathFor(path);
  const gzip = path.endsWith('.gz');
  const csv = createRejectedCsv();
  let output: ReturnType<typeof createWriteStream> | undefined;
  let source: ReadStream | undefined;
  const context: FileContext = { bucket: 'local', key: path, now: startedAt };

  const result = await ingest({
    open: async (offset) => {
      source = createReadStream(path, { start: offset });
      return source;
    },
    gzip,
    plan: (header) => options.plan(header, context),
    write: {
      send: createSendBatch(options.dynamodb, options.tableName),
      keyIdOf: (item) => keyIdOf(item, options.table.keySchema),
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      pacer: pacerFor(options.table, options.concurrency),
    },
    rejected: {
      add(header, row) {
        if (!output) {
          output = createWriteStream(rejectedPath);
          csv.stream.pipe(output);
        }
        return csv.add(header, row);
      },
    },
    // Plain files: bytes of the records parsed so far; gzip: compressed bytes read (its size is compressed).
    onProgress: (counts, offset) =>
      options.onProgress?.(gzip ? (source?.bytesRead ?? 0) : offset, totalBytes, counts),
  });

  if (output) {
    csv.end();
    await finished(output);
  } else if (result.outcome === 'complete') {
    await rm(rejectedPath, { force: true });
  }
  const aborted = result.outcome === 'aborted';
  const errors = aborted ? [...result.errors, abortedError(result.cause)] : result.errors;
  const report = buildReport({
    source: { bucket: 'local', key: path },
    counts: result.counts,
    errors,
    failed: aborted || result.outcome === 'failed',
    ...(output && { rejectedRowsKey: rejectedPath }),
    startedAt,
    finishedAt: new Date(),
    invocations: 1,
    writes: result.writes,
  });
  return { report, ...(output && { rejectedPath }), ...(aborted && { cause: result.cause }) };
};
