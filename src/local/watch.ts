import { relative } from 'node:path';
import { countsLine, type Report } from '../core/report.ts';
import type { InvocationOutcome } from './lambda-emulator.ts';
import type { LocalStack } from './stack.ts';

const time = () => new Date().toTimeString().slice(0, 8);

/** What a user needs to talk to the running stack: endpoints, credentials, ready-to-paste commands. */
export const printWatchBanner = (stack: LocalStack, print: (line: string) => void): void => {
  const { bucket, tableName, config, env } = stack;
  const { s3Endpoint, dynamodbEndpoint } = stack.servers;
  const keys = [config.table.partition, config.table.sort].flatMap((key) =>
    key ? [`${key.name} ${key.type}`] : [],
  );
  const shown = stack.dataDir ? relative(process.cwd(), stack.dataDir) || '.' : undefined;
  const where = stack.dataDir ? (shown?.startsWith('..') ? stack.dataDir : shown) : 'a temporary folder';
  const upload = config.prefixes.upload;
  const endpoint = `--endpoint-url ${s3Endpoint}`;
  const lines = [
    `csv2ddb local stack is running (data in ${where}; Ctrl-C to stop)`,
    '',
    `  S3        ${s3Endpoint}   bucket ${bucket}`,
    `  DynamoDB  ${dynamodbEndpoint}   table ${tableName} (${keys.join(', ')})`,
    `  Lambda    ${stack.lambda.endpoint}   function ${config.functionName}`,
    ...config.datasets.map((d) => `  dataset   ${upload}${d.prefix} → table ${d.tableName}`),
    '',
    'Environment for the AWS CLI, any SDK or the csv2ddb CLI (paste into your shell):',
    ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    'Then, for example:',
    `  aws s3 cp examples/ec2-instances.csv s3://${bucket}/${upload}ec2-instances.csv ${endpoint}`,
    `  aws s3 cp s3://${bucket}/${config.prefixes.report}ec2-instances.csv.json - ${endpoint}`,
    `  aws dynamodb scan --table-name ${tableName} --max-items 3 --endpoint-url ${dynamodbEndpoint}`,
    `  npx csv2ddb report ${upload}ec2-instances.csv --bucket ${bucket}`,
    `  npx csv2ddb scan --table ${tableName} --limit 5`,
    '',
    `Waiting for .csv, .csv.gz, .tsv and .tsv.gz files under s3://${bucket}/${upload} …`,
  ];
  for (const line of lines) print(line);
};

/** One line per report, as files land. */
export const formatReportLine = (report: Report, reportKey: string): string =>
  `${time()} ${report.status.padEnd(9)} ${report.key}  ${countsLine(report).replace(' rows read', ' read')}  ` +
  `${report.rowsPerSecond} rows/s  → ${reportKey}` +
  (report.status === 'failed' && report.errors.length > 0
    ? `\n         ${report.errors.at(-1)?.message}`
    : '');

/** An upload that S3 would not notify: the function never sees it. */
export const formatSkipLine = (key: string, reason: string): string =>
  `${time()} skipped   ${key}  ${reason}`;

/** A failed invocation: S3 or DynamoDB failed past their retries, or the handler broke. */
export const formatFailure = (outcome: InvocationOutcome): string | undefined => {
  if (!outcome.error) return undefined;
  const next = outcome.dropped ? 'given up' : 'will retry';
  return `${time()} invocation failed (attempt ${outcome.attempt}, ${next}): ${outcome.error.name}: ${outcome.error.message}`;
};
