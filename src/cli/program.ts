import { Command, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { DEFAULT_SAMPLE_ROWS } from '../core/schema/infer-schema.ts';

/**
 * What the CLI accepts: its commands, their arguments and options, and their help. Commander refuses
 * what is not declared here (an unknown option, with a "did you mean"; an extra argument). Each
 * command's code is imported only when it runs, so that `--help` loads no AWS SDK.
 */

export type PrefixOptions = { uploadPrefix: string; reportPrefix: string; rejectedPrefix: string };

export type IngestOptions = PrefixOptions & {
  table: string;
  typeMode: string;
  schema?: string;
  delimiter?: string;
  encoding?: string;
  concurrency: string;
  maxAttempts: string;
  threads: string;
  json?: boolean;
  resume?: boolean;
  dryRun?: boolean;
  mode?: string;
  condition?: string;
  version?: string;
  op?: string;
  emptyFields?: string;
};

export type ReplayOptions = PrefixOptions & {
  bucket: string;
  prefix?: string;
  function?: string;
  table?: string;
  typeMode: string;
  schema?: string;
  concurrency: string;
  dryRun?: boolean;
};

export type ReportOptions = PrefixOptions & { bucket?: string; json?: boolean };

export type ReportsOptions = PrefixOptions & {
  bucket: string;
  prefix?: string;
  status?: 'succeeded' | 'partial' | 'failed' | 'pending';
  limit: string;
  json?: boolean;
};

export type ScanOptions = { table: string; limit: string; format: 'json' | 'table' | 'dynamodb' | 'csv' };

export type ExportOptions = { table: string };

export type ValidateOptions = { table?: string };

export type InferOptions = { sample: string; key?: string; table?: string };

/** The options that name the pipeline's prefixes, with the Lambda function's defaults. */
const withPrefixes = (command: Command): Command =>
  command
    .option('--upload-prefix <prefix>', 'Key prefix of uploaded CSV files', 'incoming/')
    .option('--report-prefix <prefix>', 'Key prefix of reports', 'reports/')
    .option('--rejected-prefix <prefix>', 'Key prefix of rejected rows', 'rejected/');

const TYPE_MODE = 'infer: numbers and booleans typed; string: every non-key field S';

const addIngest = (program: Command) =>
  withPrefixes(
    program
      .command('ingest')
      .description(
        'Load one CSV file into a DynamoDB table directly (no Lambda), with the same rules as the pipeline. Exit code: 0 every row written, 1 rows rejected, 2 the file failed or bad arguments',
      )
      .argument('<input>', 'file.csv, file.csv.gz or s3://bucket/key (one file per run)')
      .requiredOption('--table <name>', 'The DynamoDB table (its key schema is read from it)')
      .option('--type-mode <mode>', TYPE_MODE, 'infer')
      .option('--schema <file>', 'A column schema JSON file')
      .option(
        '--delimiter <delimiter>',
        "The delimiter: , ; | or tab (over the schema's csv.delimiter; default , and tab for .tsv)",
      )
      .option(
        '--encoding <encoding>',
        "utf-8, utf-16le, utf-16be, windows-1252 or latin1 (over the schema's csv.encoding)",
      )
      .option('--concurrency <n>', 'BatchWriteItem calls in flight (1-64)', '16')
      .option('--max-attempts <n>', 'Calls per batch that write nothing before giving up (1-100)', '10')
      .option(
        '--threads <n>',
        'Threads in all (1-4): the others sign and send the writes; auto: one per CPU',
        'auto',
      )
      .option('--json', 'Print the report as JSON instead of a summary')
      .option('--mode <mode>', "put (default), upsert or delete (over the schema's write.mode)")
      .option('--condition <condition>', 'none (default), absent (insert only) or newer (with --version)')
      .option('--version <attribute>', 'The attribute that orders rows under --condition newer')
      .option('--op <column>', 'A column that says put, upsert or delete per row')
      .option('--empty-fields <what>', 'keep (default) or remove: what an empty field does under upsert')
      .option('--resume', 'Go on from where an interrupted run (Ctrl-C) of this local file stopped')
      .option(
        '--dry-run',
        "Read, type and check every row against the table and DynamoDB's rules, write nothing: print the report, write the rejected rows as a run would (locally)",
      ),
  ).action(async (input: string, options: IngestOptions) =>
    (await import('./commands/ingest.ts')).runIngest(input, options),
  );

const addReplay = (program: Command) =>
  withPrefixes(
    program
      .command('replay')
      .description(
        'Process CSV files already in the bucket again (S3 only notifies new uploads): through the function (async Invoke, one S3-shaped event per file) or directly into a table',
      )
      .requiredOption('--bucket <bucket>', 'The source bucket')
      .option('--prefix <prefix>', 'Only files under this prefix (default: the upload prefix)')
      .option('--function <name>', 'Invoke this Lambda function once per file (asynchronously)')
      .option('--table <name>', 'Or write into this table directly, one file after the other')
      .option('--type-mode <mode>', `With --table: ${TYPE_MODE}`, 'infer')
      .option('--schema <file>', 'With --table: a column schema JSON file')
      .option('--concurrency <n>', 'With --table: BatchWriteItem calls in flight (1-64)', '16')
      .option('--dry-run', 'Only list the files that would be processed'),
  ).action(async (options: ReplayOptions) => (await import('./commands/replay.ts')).runReplay(options));

const addReport = (program: Command) =>
  withPrefixes(
    program
      .command('report')
      .description(
        "Show a file's report: status, counts and errors. Exit code: 0 succeeded, 1 partial, 2 failed or no report",
      )
      .argument(
        '<key>',
        'The uploaded key (incoming/x.csv) or the report key (reports/x.csv.json), or either as s3://bucket/key',
      )
      .option('--bucket <bucket>', 'The source bucket (unless the key is an s3:// URL)')
      .option('--json', 'Print the report JSON as stored'),
  ).action(async (key: string, options: ReportOptions) =>
    (await import('./commands/report.ts')).runReport(key, options),
  );

const addReports = (program: Command) =>
  withPrefixes(
    program
      .command('reports')
      .description(
        'List the recent files of a bucket and their status, newest first: each upload with its report (pending: no report yet, or uploaded again since)',
      )
      .requiredOption('--bucket <bucket>', 'The source bucket')
      .option('--prefix <prefix>', 'Only files under this sub-prefix of the upload prefix (e.g. orders/)')
      .addOption(
        new Option('--status <status>', 'Only files with this status').choices([
          'succeeded',
          'partial',
          'failed',
          'pending',
        ]),
      )
      .option('--limit <n>', 'At most this many files (1-10000)', '20')
      .option('--json', 'One JSON object per file (its report, when it has one)'),
  ).action(async (options: ReportsOptions) => (await import('./commands/reports.ts')).runReports(options));

const addExport = (program: Command) =>
  program
    .command('export')
    .description(
      'Write a table back to CSV by the same type rules (exact numbers, sets, JSON for maps and lists), and next to it the column schema that reads it back (out.schema.json)',
    )
    .argument('<out>', 'the CSV file to write: out.csv, or out.csv.gz (gzip-compressed)')
    .requiredOption('--table <name>', 'The DynamoDB table')
    .action(async (out: string, options: ExportOptions) =>
      (await import('./commands/export-table.ts')).runExport(out, options),
    );

const addScan = (program: Command) =>
  program
    .command('scan')
    .description("Show a table's items, numbers digit for digit")
    .requiredOption('--table <name>', 'The DynamoDB table')
    .option('--limit <n>', 'At most this many items (1-10000)', '20')
    .addOption(
      new Option(
        '--format <format>',
        'json: one plain JSON item per line; table: columns; dynamodb: DynamoDB JSON per line; csv: CSV by the type rules (as export writes it)',
      )
        .choices(['json', 'table', 'dynamodb', 'csv'])
        .default('json'),
    )
    .action(async (options: ScanOptions) => (await import('./commands/scan.ts')).runScan(options));

const addSchema = (program: Command) => {
  const schema = program.command('schema').description('Work with the optional column schema');
  schema
    .command('infer')
    .description(
      'Propose a column schema from a sample of a CSV file (schema JSON to stdout, statistics to stderr)',
    )
    .argument('<file>', 'a .csv or .csv.gz file, or s3://bucket/key')
    .option('--sample <rows>', 'how many data rows to read', String(DEFAULT_SAMPLE_ROWS))
    .option('--table <name>', 'read the key columns and their types from this table (DescribeTable)')
    .option(
      '--key <columns>',
      "or name the table's key columns, comma-separated (listed without a type: the table types keys)",
    )
    .action(async (file: string, options: InferOptions) =>
      (await import('./commands/schema.ts')).runInfer(file, options),
    );
  schema
    .command('validate')
    .description(
      "Check a column schema file as the function would (and, with --table, against the table's key schema). Exit code: 0 valid, 2 invalid",
    )
    .argument('<file>', 'a column schema JSON file')
    .option('--table <name>', "also check it against this table's key attributes")
    .action(async (file: string, options: ValidateOptions) =>
      (await import('./commands/schema-validate.ts')).runValidate(file, options),
    );
  return schema;
};

const commandsOf = (command: Command): Command[] => [
  command,
  ...command.commands.flatMap((sub) => commandsOf(sub)),
];

/** The name a user types for a command: `csv2ddb schema infer`. */
export const commandPath = (command: Command): string =>
  command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();

/**
 * The whole CLI. Parse errors (unknown option or command, extra or missing argument) are written by
 * commander and thrown as a CommanderError (exitOverride), so that the caller sets the exit code.
 */
export const createProgram = (): Command => {
  const program = new Command('csv2ddb')
    .description('Load CSV files into DynamoDB, and look at what the pipeline did')
    .version(packageJson.version, '-v, --version')
    // `csv2ddb --version` is the CLI's; after a command, `--version` is that command's (ingest's attribute).
    .enablePositionalOptions()
    .exitOverride();
  for (const add of [addIngest, addReplay, addReport, addReports, addScan, addExport, addSchema])
    add(program);
  for (const command of commandsOf(program)) {
    const name = commandPath(command);
    // `csv2ddb ingest: unknown option …`, as the CLI's other errors begin.
    command.configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${name}: `)) });
    command.showHelpAfterError(`Run "${name} --help" for usage.`);
  }
  return program;
};
