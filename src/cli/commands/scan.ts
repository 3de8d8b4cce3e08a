import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { defineCommand } from 'citty';
import { attributeToText, itemToJson } from '../../aws/plain-item.ts';
import { readTable, wholeNumber } from '../args.ts';
import { formatTable } from '../format.ts';

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

export const scanCommand = defineCommand({
  meta: { name: 'scan', description: "Show a table's items, numbers digit for digit" },
  args: {
    table: { type: 'string', description: 'The DynamoDB table', required: true },
    limit: { type: 'string', description: 'At most this many items (1-10000)', default: '20' },
    format: {
      type: 'enum',
      options: ['json', 'table', 'dynamodb'],
      description: 'json: one plain JSON item per line; table: columns; dynamodb: DynamoDB JSON per line',
      default: 'json',
    },
  },
  async run({ args }) {
    const limit = wholeNumber('limit', args.limit, 1, 10_000);
    const dynamodb = new DynamoDBClient({});
    const { keySchema } = await readTable(dynamodb, args.table);
    const items: Item[] = [];
    let more = false;
    for await (const page of paginateScan(
      { client: dynamodb, pageSize: Math.min(limit, 1000) },
      { TableName: args.table },
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
    if (args.format === 'table') {
      const keys = [keySchema.partition.name, ...(keySchema.sort ? [keySchema.sort.name] : [])];
      const columns = columnsOf(items, keys);
      console.log(
        formatTable(
          columns,
          items.map((item) => columns.map((name) => attributeToText(item[name]))),
        ),
      );
    } else {
      for (const item of items) console.log(args.format === 'dynamodb' ? dynamoJson(item) : itemToJson(item));
    }
    console.error(
      `${items.length} item${items.length === 1 ? '' : 's'}${more ? ` (more in the table: raise --limit)` : ''}`,
    );
  },
});
