import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { stringify } from 'csv-stringify';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createExportPlanner, toRecord } from '../../core/export-csv.ts';
import type { Item } from '../../core/item.ts';
import { badArgument, readTable } from '../args.ts';
import type { ExportOptions } from '../program.ts';
import { schemaFormatRef } from '../schema-location.ts';

/** `out.csv` → `out.schema.json` (`.csv.gz` too). */
export const schemaPathFor = (out: string): string => `${out.replace(/\.csv(\.gz)?$/, '')}.schema.json`;

async function* scanItems(dynamodb: DynamoDBClient, tableName: string): AsyncGenerator<Item> {
  for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName })) {
    for (const item of page.Items ?? []) yield item as Item;
  }
}

export type Exported = {
  readonly items: number;
  readonly columns: number;
  readonly schemaPath: string;
  readonly warnings: readonly string[];
};

/**
 * Writes every item of `tableName` to `out` (gzip'd when it ends `.gz`) and the column schema that
 * reads it back next to it. Two scans: the first learns each attribute's types (the columns and
 * their schema), the second writes the rows; an attribute the first did not see fails the export
 * (the table changed in between), so that nothing is left out silently.
 */
export const exportTable = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  out: string,
): Promise<Exported> => {
  const { keySchema } = await readTable(dynamodb, tableName);
  const planner = createExportPlanner(keySchema);
  for await (const item of scanItems(dynamodb, tableName)) planner.observe(item);
  const plan = planner.plan();
  const known = new Set(plan.columns.map(({ attribute }) => attribute));

  const csv = stringify({ eof: true });
  const file = createWriteStream(out);
  const written = out.endsWith('.gz') ? pipeline(csv, createGzip(), file) : pipeline(csv, file);
  let items = 0;
  const write = (record: readonly string[]) =>
    csv.write(record) ? undefined : new Promise<void>((done) => (csv as Writable).once('drain', done));
  try {
    await write(plan.columns.map(({ header }) => header));
    for await (const item of scanItems(dynamodb, tableName)) {
      const unseen = Object.keys(item).find((attribute) => !known.has(attribute));
      if (unseen !== undefined) {
        throw new Error(`attribute "${unseen}" appeared while the table was being exported: export it again`);
      }
      await write(toRecord(plan, item));
      items++;
    }
  } finally {
    csv.end();
    await written;
  }
  const schemaPath = schemaPathFor(out);
  const $schema = schemaFormatRef(dirname(resolve(schemaPath)));
  await writeFile(
    schemaPath,
    `${JSON.stringify({ ...($schema && { $schema }), ...plan.schema }, null, 2)}\n`,
  );
  return { items, columns: plan.columns.length, schemaPath, warnings: plan.warnings };
};

/** `csv2ddb export --table T out.csv`. */
export const runExport = async (out: string, options: ExportOptions): Promise<void> => {
  if (!/\.csv(\.gz)?$/.test(out)) throw badArgument(`${out}: the output must end in .csv or .csv.gz`);
  const { items, columns, schemaPath, warnings } = await exportTable(
    createDynamoDBClient(),
    options.table,
    out,
  );
  console.log(`${items} item${items === 1 ? '' : 's'}, ${columns} columns → ${out}`);
  console.log(
    `column schema → ${schemaPath} (csv2ddb ingest ${out} --table T --schema ${schemaPath} reads it back)`,
  );
  for (const warning of warnings) console.error(`warning: ${warning}`);
};
