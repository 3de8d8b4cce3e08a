import { readFile } from 'node:fs/promises';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { ConfigError } from '../../core/errors.ts';
import { parseSchema, type Schema } from '../../core/schema/schema.ts';
import { checkSchemaAgainstTable } from '../../core/schema/schema-plan.ts';
import { badArgument, readTable } from '../args.ts';
import type { ValidateOptions } from '../program.ts';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const describeSchema = (schema: Schema): string =>
  [
    plural(schema.columns.size, 'column'),
    `other columns: ${schema.otherColumns}`,
    ...(schema.add.size > 0 ? [plural(schema.add.size, 'added attribute')] : []),
    ...(schema.csv?.delimiter ? [`delimiter ${JSON.stringify(schema.csv.delimiter)}`] : []),
    ...(schema.csv?.encoding ? [`encoding ${schema.csv.encoding}`] : []),
  ].join(', ');

/**
 * `csv2ddb schema validate FILE [--table T]`: the schema checked as the function checks it (and, with
 * a table, against its key schema). Valid: one line, exit 0. Invalid: the message names every problem
 * and the file, exit 2 (a `ConfigError`, which the CLI prints).
 */
export const runValidate = async (file: string, options: ValidateOptions): Promise<void> => {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw badArgument(
      error.code === 'ENOENT' ? `${file}: no such file` : `${file} cannot be read (${error.code})`,
    );
  });
  const schema = parseSchema(text, file);
  let fits = '';
  if (options.table !== undefined) {
    const { keySchema } = await readTable(createDynamoDBClient(), options.table);
    try {
      checkSchemaAgainstTable(schema, keySchema);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(error.message.replace(/^invalid schema: /, `invalid schema (${file}): `));
    }
    const keys = [keySchema.partition, ...(keySchema.sort ? [keySchema.sort] : [])];
    fits = `; fits table ${options.table} (key ${keys.map(({ name, type }) => `${name} ${type}`).join(', ')})`;
  }
  console.log(`${file}: a valid column schema (${describeSchema(schema)})${fits}`);
};
