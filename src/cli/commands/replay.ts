import { LambdaClient } from '@aws-sdk/client-lambda';
import { type _Object, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createProcessDeps } from '../../app/process-deps.ts';
import { processFile } from '../../app/process-file.ts';
import { fixedSchemaSource } from '../../app/schema-source.ts';
import { invokeAsync } from '../../aws/continuation.ts';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createS3Client } from '../../aws/s3-client.ts';
import { createS3FileStore } from '../../aws/s3-file-store.ts';
import { classifyKey, type Prefixes } from '../../core/object-key.ts';
import { s3Event } from '../../core/s3-event.ts';
import { badArgument, readPrefixes, readSchemaFile, readTable, settingArg, typeModeArg } from '../args.ts';
import { type ExitCode, exitCodeFor, worst } from '../exit-code.ts';
import { formatCounts } from '../format.ts';
import type { ReplayOptions } from '../program.ts';

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

/** `csv2ddb replay`: the files already in the bucket, through the function or into a table. */
export const runReplay = async (options: ReplayOptions): Promise<void> => {
  const prefixes = readPrefixes(options);
  const prefix = options.prefix ?? prefixes.upload;
  if (!prefix.startsWith(prefixes.upload) && !prefixes.upload.startsWith(prefix)) {
    throw badArgument(
      `--prefix ${prefix} is outside the upload prefix ${prefixes.upload}: S3 notifies only uploads under it, and replay takes only what it would notify (if the function's UPLOAD_PREFIX is another, give it as --upload-prefix)`,
    );
  }
  if (!options.dryRun && (options.function === undefined) === (options.table === undefined)) {
    throw badArgument('give either --function NAME or --table NAME (or --dry-run)');
  }
  const concurrency = settingArg('WRITE_CONCURRENCY', options.concurrency);
  const schema = options.schema === undefined ? undefined : await readSchemaFile(options.schema);
  const s3 = createS3Client();
  const files = await listFiles(s3, options.bucket, prefix, prefixes);
  console.error(
    `${files.length} file${files.length === 1 ? '' : 's'} to process under s3://${options.bucket}/${prefix}`,
  );
  if (options.dryRun) {
    for (const file of files) console.log(file.key);
    return;
  }

  if (options.function !== undefined) {
    const lambda = new LambdaClient({});
    const region = await s3.config.region();
    for (const file of files) {
      // No sequencer: the ledger takes a replayed event for newer than any before it (docs/ledger.md).
      const event = s3Event({ bucket: options.bucket, ...file }, region);
      await invokeAsync(lambda, options.function, event, `the event for ${file.key}`);
      console.log(`invoked ${options.function} for ${file.key}`);
    }
    return;
  }

  const dynamodb = createDynamoDBClient();
  const tableName = options.table as string;
  const table = await readTable(dynamodb, tableName);
  const deps = createProcessDeps({
    store: createS3FileStore(s3, prefixes),
    dynamodb,
    tableName,
    table,
    writeConcurrency: concurrency,
    maxWriteAttempts: 10,
    typeMode: typeModeArg(options.typeMode),
    schema: fixedSchemaSource(schema),
  });
  const codes: ExitCode[] = [];
  for (const file of files) {
    const { report, reportKey } = await processFile(deps, { bucket: options.bucket, ...file });
    console.log(`${report.status.padEnd(9)} ${file.key}  ${formatCounts(report)}  → ${reportKey}`);
    codes.push(exitCodeFor(report.status));
  }
  process.exitCode = worst(codes);
};
