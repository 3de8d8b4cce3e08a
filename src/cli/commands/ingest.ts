import type { ReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { defineCommand } from 'citty';
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
import type { Counts } from '../../core/ingest.ts';
import { classifyKey } from '../../core/object-key.ts';
import type { Report } from '../../core/report.ts';
import type { Schema } from '../../core/schema/schema.ts';
import {
  badArgument,
  dialectArgs,
  parseS3Url,
  prefixArgs,
  readPrefixes,
  readSchemaFile,
  readTable,
  settingArg,
} from '../args.ts';
import { exitCodeFor } from '../exit-code.ts';
import { formatCounts, formatErrors, formatSpeed } from '../format.ts';
import { createLocalFileStore } from '../local-file-store.ts';
import { createProgress, type Progress } from '../progress.ts';
import { applyWriteFlags, writeArgs } from '../write-args.ts';

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

const printReport = (report: Report, rejectedAt: string | undefined, reportAt?: string) => {
  console.log(`${report.status}: ${formatCounts(report)} (${formatSpeed(report)})`);
  if (reportAt) console.log(`report: ${reportAt}`);
  if (rejectedAt) console.log(`rejected rows: ${rejectedAt}`);
  if (report.errors.length > 0) console.log(formatErrors(report, SHOWN_ERRORS));
};

export const ingestCommand = defineCommand({
  meta: {
    name: 'ingest',
    description:
      'Load one CSV file into a DynamoDB table directly (no Lambda), with the same rules as the pipeline. Exit code: 0 every row written, 1 rows rejected, 2 the file failed or bad arguments',
  },
  args: {
    input: { type: 'positional', description: 'file.csv, file.csv.gz or s3://bucket/key', required: true },
    table: {
      type: 'string',
      description: 'The DynamoDB table (its key schema is read from it)',
      required: true,
    },
    'type-mode': {
      type: 'enum',
      options: ['infer', 'string'],
      description: 'infer: numbers and booleans typed; string: every non-key field S',
      default: 'infer',
    },
    schema: { type: 'string', description: 'A column schema JSON file' },
    delimiter: {
      type: 'string',
      description:
        "The delimiter: , ; | or tab (over the schema's csv.delimiter; default , and tab for .tsv)",
    },
    encoding: {
      type: 'string',
      description: "utf-8, utf-16le, utf-16be, windows-1252 or latin1 (over the schema's csv.encoding)",
    },
    concurrency: { type: 'string', description: 'BatchWriteItem calls in flight (1-64)', default: '16' },
    'max-attempts': {
      type: 'string',
      description: 'Calls per batch that write nothing before giving up (1-100)',
      default: '10',
    },
    json: { type: 'boolean', description: 'Print the report as JSON instead of a summary' },
    ...writeArgs,
    ...prefixArgs,
  },
  async run({ args }) {
    const concurrency = settingArg('WRITE_CONCURRENCY', args.concurrency);
    const maxAttempts = settingArg('MAX_WRITE_ATTEMPTS', args['max-attempts']);
    const typeMode = args['type-mode'] === 'string' ? 'string' : 'infer';
    const dialect = dialectArgs(args);
    const schema: Schema | undefined = applyWriteFlags(
      args.schema === undefined ? undefined : await readSchemaFile(args.schema),
      args,
    );
    const s3Input = args.input.startsWith('s3://') ? parseS3Url(args.input) : undefined;
    if (!s3Input) {
      await access(args.input).catch(() => {
        throw badArgument(`${args.input}: no such file`);
      });
    }
    const prefixes = readPrefixes(args);

    const dynamodb = createDynamoDBClient();
    const table = await readTable(dynamodb, args.table);
    const setup = {
      dynamodb,
      tableName: args.table,
      table,
      writeConcurrency: concurrency,
      maxWriteAttempts: maxAttempts,
      typeMode,
      schema: fixedSchemaSource(schema),
    } as const;

    if (!s3Input) {
      const path = args.input;
      const gzip = path.endsWith('.gz');
      const totalBytes = (await stat(path)).size;
      let opened: ReadStream | undefined;
      let bar: Progress | undefined;
      const deps = withDialect(
        createProcessDeps({
          ...setup,
          store: createLocalFileStore({ onOpen: (stream) => (opened = stream) }),
        }),
        dialect,
      );
      const outcome = await runFile(
        deps,
        startTask({ bucket: 'local', key: path, rest: path, gzip }, new Date()),
        {
          ...(!args.json && {
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
      if (args.json) console.log(JSON.stringify(outcome.report, null, 2));
      else printReport(outcome.report, outcome.report.rejectedRowsKey);
      process.exitCode = exitCodeFor(outcome.report.status);
      return;
    }

    const { bucket, key } = s3Input;
    const decision = classifyKey(
      key,
      key.startsWith(prefixes.upload) ? prefixes : { ...prefixes, upload: '' },
    );
    if (!decision.process) throw badArgument(`s3://${bucket}/${key}: ${decision.reason}`);
    const deps = withDialect(
      createProcessDeps({ ...setup, store: createS3FileStore(createS3Client(), prefixes) }),
      dialect,
    );
    const { report, reportKey } = await processFile(deps, {
      bucket,
      key,
      rest: decision.rest,
      gzip: decision.gzip,
    });
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else {
      printReport(
        report,
        report.rejectedRowsKey && `s3://${bucket}/${report.rejectedRowsKey}`,
        reportKey && `s3://${bucket}/${reportKey}`,
      );
    }
    process.exitCode = exitCodeFor(report.status);
  },
});
