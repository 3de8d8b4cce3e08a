import type { ReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { ProcessDeps } from '../../app/file-types.ts';
import { createProcessDeps } from '../../app/process-deps.ts';
import { processFile } from '../../app/process-file.ts';
import { runFile } from '../../app/run-file.ts';
import { fixedSchemaSource } from '../../app/schema-source.ts';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createS3Client } from '../../aws/s3-client.ts';
import { createS3FileStore } from '../../aws/s3-file-store.ts';
import { startTask } from '../../core/continuation.ts';
import { DEFAULT_DIALECT, type DialectSpec } from '../../core/dialect.ts';
import type { FileStore } from '../../core/file-store.ts';
import type { Counts } from '../../core/ingest.ts';
import { classifyKey } from '../../core/object-key.ts';
import type { Report } from '../../core/report.ts';
import type { Schema } from '../../core/schema/schema.ts';
import {
  badArgument,
  dialectArgs,
  parseS3Url,
  readPrefixes,
  readSchemaFile,
  readTable,
  settingArg,
  typeModeArg,
} from '../args.ts';
import { dryRunStore } from '../dry-run-store.ts';
import { exitCodeFor } from '../exit-code.ts';
import { formatCounts, formatErrors, formatSpeed, formatWarnings } from '../format.ts';
import { createLocalFileStore } from '../local-file-store.ts';
import type { IngestOptions } from '../program.ts';
import { createProgress, type Progress } from '../progress.ts';

const SHOWN_ERRORS = 10;

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
  const typeMode = typeModeArg(options.typeMode);
  const dialect = dialectArgs(options);
  const schema: Schema | undefined =
    options.schema === undefined ? undefined : await readSchemaFile(options.schema);
  const s3Input = input.startsWith('s3://') ? parseS3Url(input) : undefined;
  if (!s3Input) {
    await access(input).catch(() => {
      throw badArgument(`${input}: no such file`);
    });
  }
  const prefixes = readPrefixes(options);
  const dryRun = options.dryRun ?? false;

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
    const outcome = await runFile(
      deps,
      startTask({ bucket: 'local', key: path, rest: path, gzip }, new Date()),
      {
        ...(!options.json && {
          // Plain files: bytes of the records parsed so far; gzip: compressed bytes read (its size is compressed).
          onProgress: (counts: Readonly<Counts>, offset: number) => {
            bar ??= createProgress(totalBytes);
            bar.update(gzip ? (opened?.bytesRead ?? 0) : offset, counts);
          },
        }),
      },
    );
    bar?.stop();
    if (outcome.kind === 'stopped' || outcome.kind === 'withdrawn') {
      throw new Error(`${path} ${outcome.kind} although nothing asked it to`);
    }
    if (options.json) console.log(JSON.stringify(withDryRun(outcome.report, dryRun), null, 2));
    else printReport(outcome.report, path, outcome.report.rejectedRowsKey, undefined, dryRun);
    process.exitCode = exitCodeFor(outcome.report.status);
    return;
  }

  const { bucket, key } = s3Input;
  const decision = classifyKey(key, key.startsWith(prefixes.upload) ? prefixes : { ...prefixes, upload: '' });
  if (!decision.process) throw badArgument(`s3://${bucket}/${key}: ${decision.reason}`);
  const deps = withDialect(
    createProcessDeps({ ...setup, store: storeOf(createS3FileStore(createS3Client(), prefixes)) }),
    dialect,
  );
  const { report, reportKey } = await processFile(deps, {
    bucket,
    key,
    rest: decision.rest,
    gzip: decision.gzip,
  });
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
