import { type Schema, withWrite } from '../core/schema/schema.ts';

/** `csv2ddb ingest`'s write-mode flags (declared in program.ts): the schema's `write` block from the command line. */
export type WriteFlags = {
  readonly mode?: string;
  readonly condition?: string;
  readonly version?: string;
  readonly op?: string;
  readonly emptyFields?: string;
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
    ...(flags.emptyFields !== undefined && { emptyFields: flags.emptyFields }),
  };
  if (Object.keys(given).length === 0) return schema;
  return withWrite(
    schema,
    { ...schema?.write, ...given },
    'the --mode, --condition, --version, --op and --empty-fields flags',
  );
};
