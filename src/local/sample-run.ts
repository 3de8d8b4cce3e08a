import { readFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { itemToJson } from '../aws/plain-item.ts';
import { reportKeyFor } from '../core/object-key.ts';
import type { Report } from '../core/report.ts';
import { countsLine } from '../core/report.ts';
import { describeWarning } from '../core/type-tally.ts';
import type { LocalStack } from './stack.ts';

const SHOWN_ERRORS = 5;
const SHOWN_ITEMS = 3;
/** Items scanned to pick the shown ones from: all of a small table, whichever DynamoDB runs. */
const SCANNED_ITEMS = 100;

type Item = Record<string, AttributeValue>;

const compareKeys = (a: AttributeValue | undefined, b: AttributeValue | undefined): number => {
  if (a?.N !== undefined && b?.N !== undefined) return Number(a.N) - Number(b.N);
  const [x, y] = [a?.S ?? a?.N ?? '', b?.S ?? b?.N ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The same items, attributes in the same order, on dynalite and DynamoDB Local (whose scan orders
 * differ): the lowest keys, the key attributes first and the others by name.
 */
const shownItems = (items: Item[], keyNames: string[]): Item[] =>
  [...items]
    .sort((a, b) => keyNames.reduce((order, name) => order || compareKeys(a[name], b[name]), 0))
    .slice(0, SHOWN_ITEMS)
    .map((item) => {
      const rest = Object.keys(item)
        .filter((name) => !keyNames.includes(name))
        .sort();
      return Object.fromEntries(
        [...keyNames, ...rest].flatMap((name) => (item[name] ? [[name, item[name]]] : [])),
      );
    });

const shortPath = (path: string) => {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
};

/** One line that sums up a report: status, counts and speed. */
export const summarize = (report: Report): string =>
  `${report.status}: ${countsLine(report)} (${report.rowsPerSecond} rows/s, ${report.durationMs} ms)`;

/**
 * Uploads one CSV file under the upload prefix, waits for its report and prints what happened,
 * where the outputs are and a few items. Resolves to the report, or throws when none came.
 */
export const runSample = async (
  stack: LocalStack,
  file: string,
  print: (line: string) => void,
  timeoutMs = 60_000,
): Promise<Report> => {
  const { bucket, config } = stack;
  const key = `${config.prefixes.upload}${basename(file)}`;
  const body = await readFile(file);
  const reported = stack.nextReport(key, timeoutMs);
  await stack.upload(key, body);
  print(`uploaded ${shortPath(file)} → s3://${bucket}/${key}`);
  if (config.schema)
    print(`  column schema ${shortPath(config.schema.path)} → s3://${bucket}/${config.schema.key}`);
  const report = await reported;
  await stack.lambda.idle();

  const reportKey = reportKeyFor(basename(file), config.prefixes);
  print(summarize(report));
  const { table } = config;
  if (table.billingMode === 'PROVISIONED') {
    print(
      `  (${table.name} is provisioned with ${table.writeCapacity} WCU in infra/terraform.tfvars: writes are paced to it, as on AWS)`,
    );
  }
  print(`  report         s3://${bucket}/${reportKey}`);
  print(`                ${shortPath(stack.objectPath(reportKey))}`);
  if (report.rejectedRowsKey) {
    print(`  rejected rows  s3://${bucket}/${report.rejectedRowsKey}`);
    print(`                ${shortPath(stack.objectPath(report.rejectedRowsKey))}`);
  }
  for (const error of report.errors.slice(0, SHOWN_ERRORS)) {
    print(`  ${error.row === undefined ? 'file' : `row ${error.row}`}: ${error.message}`);
  }
  if (report.errors.length > SHOWN_ERRORS)
    print(`  … and ${report.errors.length - SHOWN_ERRORS} more in the report`);
  for (const warning of report.warnings ?? []) print(`  warning: ${describeWarning(warning)}`);
  if (report.warnings) {
    print(`  (columns with several types: npx csv2ddb schema infer ${shortPath(file)} proposes a schema)`);
  }

  const { Items: items = [] } = await stack.servers.dynamodb.send(
    new ScanCommand({ TableName: stack.tableName, Limit: SCANNED_ITEMS }),
  );
  const keyNames = [table.partition.name, ...(table.sort ? [table.sort.name] : [])];
  print(`a few items of table ${stack.tableName}:`);
  for (const item of shownItems(items, keyNames)) print(`  ${itemToJson(item)}`);
  return report;
};
