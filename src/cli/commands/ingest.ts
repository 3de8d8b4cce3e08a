import type { ReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ProcessDeps } from '../../app/file-types.ts';
import { createProcessDeps } from '../../app/process-deps.ts';
import { runFile } from '../../app/run-file.ts';
import { fixedSchemaSource } from '../../app/schema-source.ts';
import { MAX_THREADS } from '../../app/settings.ts';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createS3Client } from '../../aws/s3-client.ts';
import { createS3FileStore } from '../../aws/s3-file-store.ts';
import { createSenderPool, threadsFor } from '../../aws/sender-pool.ts';
import { type FileTask, startTask } from '../../core/continuation.ts';
import { DEFAULT_DIALECT, type DialectSpec } from '../../core/dialect.ts';
import type { FileStore } from '../../core/file-store.ts';
import type { Counts } from '../../core/ingest.ts';
import { classifyKey } from '../../core/object-key.ts';
import type { Report } from '../../core/report.ts';
import type { Schema } from '../../core/schema/schema.ts';
import {
  badArgument,
  checkFileExists,
  dialectArgs,
  parseS3Url,
  readPrefixes,
  readSchemaFile,
  readTable,
  settingArg,
  threadsArg,
  typeModeArg,
} from '../args.ts';
import { dryRunStore } from '../dry-run-store.ts';
import { exitCodeFor } from '../exit-code.ts';
import { formatCounts, formatErrors, formatSpeed, formatWarnings } from '../format.ts';
import { catchInterrupt, INTERRUPTED_EXIT_CODE } from '../interrupt.ts';
import { createLocalFileStore, rejectedPathFor } from '../local-file-store.ts';
import type { IngestOptions } from '../program.ts';
import { createProgress, type Progress } from '../progress.ts';
import { forgetResume, loadResume, partPaths, resumePathFor, saveResume } from '../resume-file.ts';
import { applyWriteFlags } from '../write-args.ts';

const SHOWN_ERRORS = 10;
const ZERO: Counts = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };

/** `--delimiter` and `--encoding` over what the schema's `csv` block (or a `.tsv` name) says. */
const withDialect = (deps: ProcessDeps, override: DialectSpec): ProcessDeps => {
  if (override.delimiter === undefined && override.encoding === undefined) return deps;
  return {
    ...deps,
    dialect: async (key, schemaVersion) => {
      const found = deps.dialect ? await deps.dialect(key, schemaVersion) : { dialect: DEFAULT_DIALECT };
      return { ...found, dialect: { ...found.dialect, ...override } };
    },
  };
};

/**
 * A key that is not there is a mistyped argument, said so before anything is written: the pipeline
 * would report it FILE_CHANGED (deleted or replaced while processed), which it is not.
 */
const checkObjectExists = async (s3: S3Client, bucket: string, key: string): Promise<void> => {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'NotFound' && name !== 'NoSuchKey' && name !== 'NoSuchBucket') throw error;
    throw badArgument(`s3://${bucket}/${key} does not exist`);
  }
};

const RUN_AGAIN =
  'run the same command again to load it: it starts from the top, and overwrites the rows already written';

/** After Ctrl-C: the exact counts, where the file stopped, how to go on from there. */
const printInterrupted = (next: FileTask, rejectedPath: string, totalBytes?: number) => {
  const counts = next.resume?.counts ?? { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  const offset = next.resume?.offset ?? 0;
  console.log(`interrupted: ${formatCounts(counts)}`);
  const parts = partPaths(next, rejectedPath);
  if (parts.length > 0)
    console.log(`rejected rows so far: ${parts.join(', ')} (joined into ${rejectedPath} at the end)`);
  const at =
    totalBytes === undefined ? `byte ${offset} of the decompressed file` : `byte ${offset} of ${totalBytes}`;
  console.log(`stopped after ${counts.rowsRead} rows (${at}), kept in ${resumePathFor(next.key)}`);
  console.log(
    'to go on from there: the same command with --resume (without it, the file is loaded from the top)',
  );
  process.exitCode = INTERRUPTED_EXIT_CODE;
};

/** A dry run's report says so. */
const withDryRun = (report: Report, dryRun: boolean) => (dryRun ? { dryRun: true, ...report } : report);

const printReport = (
  report: Report,
  input: string,
  rejectedAt: string | undefined,
  reportAt?: string,
  dryRun = false,
) => {
  if (dryRun) console.log('dry run: nothing was written; the counts are what a run would do');
  console.log(`${report.status}: ${formatCounts(report)} (${formatSpeed(report)})`);
  if (reportAt) console.log(`report: ${reportAt}`);
  if (rejectedAt) console.log(`rejected rows: ${rejectedAt}`);
  if (report.errors.length > 0) console.log(formatErrors(report, SHOWN_ERRORS));
  // On stderr, as warnings go: stdout stays the report's summary.
  const warnings = formatWarnings(report, input);
  if (warnings) console.error(warnings);
};

/** `csv2ddb ingest INPUT`: one local or s3:// file into a table, then its report. */
export const runIngest = async (input: string, options: IngestOptions): Promise<void> => {
  const concurrency = settingArg('WRITE_CONCURRENCY', options.concurrency);
  const maxAttempts = settingArg('MAX_WRITE_ATTEMPTS', options.maxAttempts);
  const threads = threadsFor(threadsArg(options.threads), process.env, MAX_THREADS);
  const typeMode = typeModeArg(options.typeMode);
  const dialect = dialectArgs(options);
  const schema: Schema | undefined = applyWriteFlags(
    options.schema === undefined ? undefined : await readSchemaFile(options.schema),
    options,
  );
  const s3Input = input.startsWith('s3://') ? parseS3Url(input) : undefined;
  if (s3Input && options.resume)
    throw badArgument('--resume is for local files: an s3:// input is loaded from the top');
  if (!s3Input) await checkFileExists(input);
  const prefixes = readPrefixes(options);
  const dryRun = options.dryRun ?? false;
  if (dryRun && options.resume)
    throw badArgument('--dry-run writes nothing to go on from: leave out --resume');

  const dynamodb = createDynamoDBClient();
  const table = await readTable(dynamodb, options.table);
  const setup = {
    dynamodb,
    tableName: options.table,
    table,
    writeConcurrency: concurrency,
    maxWriteAttempts: maxAttempts,
    typeMode,
    schema: fixedSchemaSource(schema),
    dryRun,
    // Sender threads sign and send the writes (idle ones do not keep the process alive); a dry run sends nothing.
    ...(threads > 1 && !dryRun && { senders: createSenderPool(threads - 1) }),
  } as const;
  const storeOf = (store: FileStore) => (dryRun ? dryRunStore(store, { local: !s3Input }) : store);

  if (!s3Input) {
    const path = input;
    const gzip = path.endsWith('.gz');
    const totalBytes = (await stat(path)).size;
    let opened: ReadStream | undefined;
    let bar: Progress | undefined;
    const deps = withDialect(
      createProcessDeps({
        ...setup,
        store: storeOf(createLocalFileStore({ onOpen: (stream) => (opened = stream) })),
      }),
      dialect,
    );
    // Ctrl-C: the file stops at the next record, once the writes in flight are done, so the counts are exact.
    const interrupt = catchInterrupt(() =>
      process.stderr.write('\nstopping after the writes in flight (Ctrl-C again to quit now) …\n'),
    );
    const rejectedPath = rejectedPathFor(path);
    // A dry run leaves an interrupted run's resume file and parts alone.
    if (!options.resume && !dryRun) await forgetResume(path, rejectedPath);
    const task = options.resume
      ? await loadResume(path)
      : startTask({ bucket: 'local', key: path, rest: path, gzip }, new Date());
    const outcome = await runFile(deps, task, {
      shouldStop: interrupt.requested,
      ...(!options.json && {
        // Plain files: bytes of the records parsed so far; gzip: compressed bytes read (its size is compressed).
        onProgress: (counts: Readonly<Counts>, offset: number) => {
          bar ??= createProgress(totalBytes);
          bar.update(gzip ? (opened?.bytesRead ?? 0) : offset, counts);
        },
      }),
    }).finally(interrupt.dispose);
    bar?.stop();
    if (outcome.kind === 'stopped' && dryRun) {
      console.log(
        `interrupted (dry run, nothing written): ${formatCounts(outcome.next.resume?.counts ?? ZERO)}`,
      );
      process.exitCode = INTERRUPTED_EXIT_CODE;
      return;
    }
    if (outcome.kind === 'stopped') {
      await saveResume(path, outcome.next);
      printInterrupted(outcome.next, rejectedPath, gzip ? undefined : totalBytes);
      return;
    }
    if (!dryRun) await rm(resumePathFor(path), { force: true });
    if (outcome.kind === 'withdrawn') throw new Error(`${path} withdrawn although it holds no claim`);
    if (options.json) console.log(JSON.stringify(withDryRun(outcome.report, dryRun), null, 2));
    else printReport(outcome.report, path, outcome.report.rejectedRowsKey, undefined, dryRun);
    process.exitCode = exitCodeFor(outcome.report.status);
    return;
  }

  const { bucket, key } = s3Input;
  const decision = classifyKey(key, key.startsWith(prefixes.upload) ? prefixes : { ...prefixes, upload: '' });
  if (!decision.process) throw badArgument(`s3://${bucket}/${key}: ${decision.reason}`);
  const s3 = createS3Client();
  await checkObjectExists(s3, bucket, key);
  const deps = withDialect(
    createProcessDeps({ ...setup, store: storeOf(createS3FileStore(s3, prefixes)) }),
    dialect,
  );
  // Ctrl-C: the counts so far, then quit (a file that stopped midway would leave its rejected rows in parts).
  let counts: Readonly<Counts> = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  const interrupt = catchInterrupt(() => {
    console.log(`interrupted: ${formatCounts(counts)} (some writes in flight may have landed)`);
    console.log(`s3://${bucket}/${key} has no report: ${RUN_AGAIN}`);
    process.exit(INTERRUPTED_EXIT_CODE);
  });
  const task = startTask({ bucket, key, rest: decision.rest, gzip: decision.gzip }, new Date());
  const outcome = await runFile(deps, task, { onProgress: (next) => (counts = next) }).finally(
    interrupt.dispose,
  );
  if (outcome.kind === 'aborted') throw outcome.cause;
  if (outcome.kind !== 'finished')
    throw new Error(`s3://${bucket}/${key} ${outcome.kind} although nothing asked it to`);
  const { report, reportKey } = outcome;
  if (options.json) console.log(JSON.stringify(withDryRun(report, dryRun), null, 2));
  else {
    printReport(
      report,
      input,
      dryRun ? report.rejectedRowsKey : report.rejectedRowsKey && `s3://${bucket}/${report.rejectedRowsKey}`,
      reportKey && `s3://${bucket}/${reportKey}`,
      dryRun,
    );
  }
  process.exitCode = exitCodeFor(report.status);
};
