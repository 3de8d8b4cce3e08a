import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { stringify } from 'csv-stringify/sync';
import { attributeToText, itemToJson } from '../../aws/plain-item.ts';
import { createExportPlanner, toRecord } from '../../core/export-csv.ts';
import type { Item as CoreItem } from '../../core/item.ts';
import { readTable, wholeNumber } from '../args.ts';
import { formatTable } from '../format.ts';
import type { ScanOptions } from '../program.ts';

type Item = Record<string, AttributeValue>;

/** DynamoDB JSON, with binary values in base64 as the AWS CLI prints them. */
const dynamoJson = (item: Item): string =>
  JSON.stringify(item, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  );

/** Key attributes first, then the others by name (DynamoDB keeps no attribute order). */
const columnsOf = (items: readonly Item[], keys: readonly string[]): string[] => {
  const others = new Set(items.flatMap((item) => Object.keys(item)).filter((name) => !keys.includes(name)));
  return [...keys, ...[...others].sort()];
};

/** `csv2ddb scan`: a table's items, numbers digit for digit. */
export const runScan = async (options: ScanOptions): Promise<void> => {
  const limit = wholeNumber('limit', options.limit, 1, 10_000);
  const dynamodb = new DynamoDBClient({});
  const { keySchema } = await readTable(dynamodb, options.table);
  const items: Item[] = [];
  let more = false;
  for await (const page of paginateScan(
    { client: dynamodb, pageSize: Math.min(limit, 1000) },
    { TableName: options.table },
  )) {
    for (const item of page.Items ?? []) {
      if (items.length === limit) more = true;
      else items.push(item);
    }
    if (items.length === limit) {
      more ||= page.LastEvaluatedKey !== undefined;
      break;
    }
  }
  if (options.format === 'csv') {
    // The rules of `export`, over the items shown (their columns and types are those of these items only).
    const planner = createExportPlanner(keySchema);
    for (const item of items) planner.observe(item as CoreItem);
    const plan = planner.plan();
    process.stdout.write(
      stringify([
        plan.columns.map(({ header }) => header),
        ...items.map((item) => toRecord(plan, item as CoreItem)),
      ]),
    );
  } else if (options.format === 'table') {
    const keys = [keySchema.partition.name, ...(keySchema.sort ? [keySchema.sort.name] : [])];
    const columns = columnsOf(items, keys);
    console.log(
      formatTable(
        columns,
        items.map((item) => columns.map((name) => attributeToText(item[name]))),
      ),
    );
  } else {
    for (const item of items)
      console.log(options.format === 'dynamodb' ? dynamoJson(item) : itemToJson(item));
  }
  console.error(
    `${items.length} item${items.length === 1 ? '' : 's'}${more ? ` (more in the table: raise --limit)` : ''}`,
  );
};
