import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { PROJECT_ROOT } from './built-handler.ts';
import type { DynamoDbWanted } from './choose-dynamodb.ts';
import { SAMPLE } from './sample.ts';
import type { LocalStack } from './stack.ts';
import { formatFailure, formatReportLine, formatSkipLine, printWatchBanner } from './watch.ts';

const WATCH_PORTS = { s3: 4569, dynamodb: 4567, lambda: 4570 } as const;

const port = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const parsed = z.coerce.number().int().min(0).max(65_535).safeParse(value);
  if (!parsed.success)
    throw new Error(`--${name} must be a port number from 0 to 65535 (got ${JSON.stringify(value)})`);
  return parsed.data;
};

const print = (line: string) => console.log(line);

// npm runs scripts in the project root; paths a user types are relative to where they typed them.
const userPath = (path: string | undefined, fallback: string) =>
  path === undefined ? join(PROJECT_ROOT, fallback) : resolve(process.env.INIT_CWD ?? process.cwd(), path);

type StartOptions = {
  watch?: boolean;
  reset?: boolean;
  dataDir?: string;
  file?: string;
  schema?: string;
  s3Port?: string;
  dynamodbPort?: string;
  lambdaPort?: string;
  dynamodb: string;
  logLevel: string;
};

const startCommand = new Command('npm start --')
  .description(
    'The whole csv2ddb pipeline on this machine: S3 (s3rver), DynamoDB (DynamoDB Local with Java 17+, else dynalite) and the Lambda handler from dist/lambda.zip, set up from infra/terraform.tfvars',
  )
  .option('--watch', 'Keep running and process every CSV file uploaded to the local bucket')
  .option('--reset', 'Delete the local data (objects and table) first')
  .option('--data-dir <dir>', 'Where objects and the table are kept (default: .csv2ddb/)')
  .option('--file <file>', `The CSV file uploaded without --watch (default: ${SAMPLE.csv})`)
  .option(
    '--schema <file>',
    `A column schema file instead of tfvars' schema_file (the default sample comes with ${SAMPLE.schema})`,
  )
  .option('--s3-port <port>', `S3 port (default ${WATCH_PORTS.s3} with --watch, else any free port)`)
  .option(
    '--dynamodb-port <port>',
    `DynamoDB port (default ${WATCH_PORTS.dynamodb} with --watch, else any free port)`,
  )
  .option(
    '--lambda-port <port>',
    `Lambda port (default ${WATCH_PORTS.lambda} with --watch, else any free port)`,
  )
  .addOption(
    new Option(
      '--dynamodb <server>',
      'Which DynamoDB: auto runs DynamoDB Local (every write mode) when Java 17+ is found, else dynalite',
    )
      .choices(['auto', 'dynalite', 'dynamodb-local'])
      .default('auto'),
  )
  .addOption(
    new Option('--log-level <level>', "The handler's log level")
      .choices(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'])
      .default('WARN'),
  )
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'npm start: ')) })
  .showHelpAfterError('Run "npm start -- --help" for usage.')
  .action(async (args: StartOptions) => {
    let stack: LocalStack | undefined;
    try {
      const fixed = (name: keyof typeof WATCH_PORTS) => (args.watch ? WATCH_PORTS[name] : 0);
      const ports = {
        s3: port('s3-port', args.s3Port, fixed('s3')),
        dynamodb: port('dynamodb-port', args.dynamodbPort, fixed('dynamodb')),
        lambda: port('lambda-port', args.lambdaPort, fixed('lambda')),
      };
      const started = Date.now();
      // Loaded here, so that a bad argument or --help answers at once.
      const [{ startLocalStack }, { runSample }, { describeDynamoDb }] = await Promise.all([
        import('./stack.ts'),
        import('./sample-run.ts'),
        import('./choose-dynamodb.ts'),
      ]);
      // The sample goes with its own schema; any other file (or --watch) with tfvars' unless --schema says.
      const sample = args.file === undefined && !args.watch;
      const schemaFile =
        args.schema !== undefined || sample ? userPath(args.schema, SAMPLE.schema) : undefined;
      stack = await startLocalStack({
        ...(schemaFile !== undefined && { schemaFile }),
        dataDir: userPath(args.dataDir, '.csv2ddb'),
        reset: args.reset ?? false,
        ports,
        logLevel: args.logLevel,
        dynamodb: args.dynamodb as DynamoDbWanted,
        onBuild: () => print('building dist/lambda.zip (the handler is missing or older than its sources) …'),
        onReport: args.watch ? (report, key) => print(formatReportLine(report, key)) : undefined,
        onSkip: args.watch ? (key, reason) => print(formatSkipLine(key, reason)) : undefined,
        onInvocation: (outcome) => {
          const line = formatFailure(outcome);
          if (line) console.error(line);
        },
      });
      if (args.watch) {
        for (const line of describeDynamoDb(stack.dynamodb, stack.writeModes)) print(line);
        printWatchBanner(stack, print);
        await waitForSignal();
        print('stopping: finishing the invocations in progress (Ctrl-C again to quit now) …');
        process.once('SIGINT', () => process.exit(130));
        return;
      }
      print(
        `local stack up in ${Date.now() - started} ms: bucket ${stack.bucket}, table ${stack.tableName}, function ${stack.config.functionName}`,
      );
      for (const line of describeDynamoDb(stack.dynamodb, stack.writeModes)) print(line);
      const report = await runSample(stack, userPath(args.file, SAMPLE.csv), print);
      print(
        `done in ${((Date.now() - started) / 1000).toFixed(1)} s. Keep it running with: npm start -- --watch`,
      );
      if (report.status === 'failed') process.exitCode = 1;
    } catch (error) {
      console.error(`npm start: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      await stack?.close();
    }
  });

const waitForSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

// Commander exits 1 itself on a bad argument (unknown option, with a "did you mean"; extra argument).
await startCommand.parseAsync();
// The handler's SDK clients keep idle sockets open; nothing is left to do once the command is over.
process.exit();
