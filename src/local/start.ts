import { join, resolve } from 'node:path';
import { defineCommand, runMain } from 'citty';
import { z } from 'zod';
import { PROJECT_ROOT } from './built-handler.ts';
import { type DynamoDbWanted, describeDynamoDb } from './choose-dynamodb.ts';
import { runSample } from './sample-run.ts';
import { type LocalStack, startLocalStack } from './stack.ts';
import { formatFailure, formatReportLine, printWatchBanner } from './watch.ts';

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

const startCommand = defineCommand({
  meta: {
    name: 'npm start --',
    description:
      'The whole csv2ddb pipeline on this machine: S3 (s3rver), DynamoDB (DynamoDB Local with Java 17+, else dynalite) and the Lambda handler from dist/lambda.zip, set up from infra/terraform.tfvars',
  },
  args: {
    watch: {
      type: 'boolean',
      description: 'Keep running and process every CSV file uploaded to the local bucket',
    },
    reset: { type: 'boolean', description: 'Delete the local data (objects and table) first' },
    'data-dir': { type: 'string', description: 'Where objects and the table are kept (default: .csv2ddb/)' },
    file: {
      type: 'string',
      description: 'The CSV file uploaded without --watch (default: examples/ec2-instances.csv)',
    },
    's3-port': {
      type: 'string',
      description: `S3 port (default ${WATCH_PORTS.s3} with --watch, else any free port)`,
    },
    'dynamodb-port': {
      type: 'string',
      description: `DynamoDB port (default ${WATCH_PORTS.dynamodb} with --watch, else any free port)`,
    },
    'lambda-port': {
      type: 'string',
      description: `Lambda port (default ${WATCH_PORTS.lambda} with --watch, else any free port)`,
    },
    dynamodb: {
      type: 'enum',
      options: ['auto', 'dynalite', 'dynamodb-local'],
      description:
        'Which DynamoDB: auto runs DynamoDB Local (every write mode) when Java 17+ is found, else dynalite',
      default: 'auto',
    },
    'log-level': {
      type: 'enum',
      options: ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'],
      description: "The handler's log level",
      default: 'WARN',
    },
  },
  async run({ args }) {
    let stack: LocalStack | undefined;
    try {
      const fixed = (name: keyof typeof WATCH_PORTS) => (args.watch ? WATCH_PORTS[name] : 0);
      const ports = {
        s3: port('s3-port', args['s3-port'], fixed('s3')),
        dynamodb: port('dynamodb-port', args['dynamodb-port'], fixed('dynamodb')),
        lambda: port('lambda-port', args['lambda-port'], fixed('lambda')),
      };
      const started = Date.now();
      stack = await startLocalStack({
        dataDir: userPath(args['data-dir'], '.csv2ddb'),
        reset: args.reset ?? false,
        ports,
        logLevel: args['log-level'],
        dynamodb: args.dynamodb as DynamoDbWanted,
        onBuild: () => print('building dist/lambda.zip (the handler is missing or older than its sources) …'),
        onReport: args.watch ? (report, key) => print(formatReportLine(report, key)) : undefined,
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
      const report = await runSample(stack, userPath(args.file, 'examples/ec2-instances.csv'), print);
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
  },
});

const waitForSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

await runMain(startCommand);
// The handler's SDK clients keep idle sockets open; nothing is left to do once the command is over.
process.exit();
