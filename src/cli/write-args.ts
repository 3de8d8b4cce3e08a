import { type Schema, withWrite } from '../core/schema/schema.ts';

/**
 * `csv2ddb ingest`'s write-mode flags: the schema's `write` block (docs/write-modes.md) from the
 * command line. Kept apart from the command's wiring so that any argument parser can use them.
 */
export const writeArgs = {
  mode: { type: 'string', description: "put (default), upsert or delete (over the schema's write.mode)" },
  condition: {
    type: 'string',
    description: 'none (default), absent (insert only) or newer (with --version)',
  },
  version: { type: 'string', description: 'The attribute that orders rows under --condition newer' },
  op: { type: 'string', description: 'A column that says put, upsert or delete per row' },
  'empty-fields': {
    type: 'string',
    description: 'keep (default) or remove: what an empty field does under upsert',
  },
} as const;

export type WriteFlags = {
  readonly mode?: string;
  readonly condition?: string;
  readonly version?: string;
  readonly op?: string;
  readonly 'empty-fields'?: string;
};

/**
 * The schema with the flags over its `write` block, checked as a schema is (an invalid combination
 * is an invalid schema); the schema as it is when no flag is given.
 */
export const applyWriteFlags = (schema: Schema | undefined, flags: WriteFlags): Schema | undefined => {
  const given = {
    ...(flags.mode !== undefined && { mode: flags.mode }),
    ...(flags.condition !== undefined && { condition: flags.condition }),
    ...(flags.version !== undefined && { version: flags.version }),
    ...(flags.op !== undefined && { op: flags.op }),
    ...(flags['empty-fields'] !== undefined && { emptyFields: flags['empty-fields'] }),
  };
  if (Object.keys(given).length === 0) return schema;
  return withWrite(
    schema,
    { ...schema?.write, ...given },
    'the --mode, --condition, --version, --op and --empty-fields flags',
  );
};
