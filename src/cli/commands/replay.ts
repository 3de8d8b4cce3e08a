import { LambdaClient } from '@aws-sdk/client-lambda';
import { type _Object, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { defineCommand } from 'citty';
import { createProcessDeps } from '../../app/process-deps.ts';
import { processFile } from '../../app/process-file.ts';
import { fixedSchemaSource } from '../../app/schema-source.ts';
import { invokeAsync } from '../../aws/continuation.ts';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createS3Client } from '../../aws/s3-client.ts';
import { createS3FileStore } from '../../aws/s3-file-store.ts';
import { classifyKey, type Prefixes } from '../../core/object-key.ts';
import { s3Event } from '../../core/s3-event.ts';
import { badArgument, prefixArgs, readPrefixes, readSchemaFile, readTable, settingArg } from '../args.ts';
import { type ExitCode, exitCodeFor, worst } from '../exit-code.ts';
import { formatCounts } from '../format.ts';

type Listed = {
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly rest: string;
  readonly gzip: boolean;
};

/** The objects S3 would have notified: under the upload prefix, `.csv` / `.csv.gz`, not the pipeline's own output. */
const listFiles = async (
  s3: S3Client,
  bucket: string,
  prefix: string,
  prefixes: Prefixes,
): Promise<Listed[]> => {
  const files: Listed[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? ([] as _Object[])) {
      if (object.Key === undefined) continue;
      const decision = classifyKey(object.Key, prefixes);
      if (!decision.process) continue;
      files.push({
        key: object.Key,
        rest: decision.rest,
        gzip: decision.gzip,
        ...(object.Size !== undefined && { size: object.Size }),
        ...(object.ETag !== undefined && { eTag: object.ETag }),
      });
    }
  }
  return files;
};

export const replayCommand = defineCommand({
  meta: {
    name: 'replay',
    description:
      'Process CSV files already in the bucket again (S3 only notifies new uploads): through the function (async Invoke, one S3-shaped event per file) or directly into a table',
  },
  args: {
    bucket: { type: 'string', description: 'The source bucket', required: true },
    prefix: { type: 'string', description: 'Only files under this prefix (default: the upload prefix)' },
    function: { type: 'string', description: 'Invoke this Lambda function once per file (asynchronously)' },
    table: { type: 'string', description: 'Or write into this table directly, one file after the other' },
    'type-mode': {
      type: 'enum',
      options: ['infer', 'string'],
      description: 'With --table: infer or string',
      default: 'infer',
    },
    schema: { type: 'string', description: 'With --table: a column schema JSON file' },
    concurrency: {
      type: 'string',
      description: 'With --table: BatchWriteItem calls in flight (1-64)',
      default: '16',
    },
    'dry-run': { type: 'boolean', description: 'Only list the files that would be processed' },
    ...prefixArgs,
  },
  async run({ args }) {
    const prefixes = readPrefixes(args);
    const prefix = args.prefix ?? prefixes.upload;
    if (!args['dry-run'] && (args.function === undefined) === (args.table === undefined)) {
      throw badArgument('give either --function NAME or --table NAME (or --dry-run)');
    }
    const concurrency = settingArg('WRITE_CONCURRENCY', args.concurrency);
    const schema = args.schema === undefined ? undefined : await readSchemaFile(args.schema);
    const s3 = createS3Client();
    const files = await listFiles(s3, args.bucket, prefix, prefixes);
    console.error(
      `${files.length} file${files.length === 1 ? '' : 's'} to process under s3://${args.bucket}/${prefix}`,
    );
    if (args['dry-run']) {
      for (const file of files) console.log(file.key);
      return;
    }

    if (args.function !== undefined) {
      const lambda = new LambdaClient({});
      const region = await s3.config.region();
      for (const file of files) {
        // No sequencer: the ledger takes a replayed event for newer than any before it (docs/ledger.md).
        const event = s3Event({ bucket: args.bucket, ...file }, region);
        await invokeAsync(lambda, args.function, event, `the event for ${file.key}`);
        console.log(`invoked ${args.function} for ${file.key}`);
      }
      return;
    }

    const dynamodb = createDynamoDBClient();
    const tableName = args.table as string;
    const table = await readTable(dynamodb, tableName);
    const deps = createProcessDeps({
      store: createS3FileStore(s3, prefixes),
      dynamodb,
      tableName,
      table,
      writeConcurrency: concurrency,
      maxWriteAttempts: 10,
      typeMode: args['type-mode'] === 'string' ? 'string' : 'infer',
      schema: fixedSchemaSource(schema),
    });
    const codes: ExitCode[] = [];
    for (const file of files) {
      const { report, reportKey } = await processFile(deps, { bucket: args.bucket, ...file });
      console.log(`${report.status.padEnd(9)} ${file.key}  ${formatCounts(report)}  → ${reportKey}`);
      codes.push(exitCodeFor(report.status));
    }
    process.exitCode = worst(codes);
  },
});
