import { DELIMITERS, type DialectSpec, ENCODINGS } from '../dialect.ts';
import { ConfigError } from '../errors.ts';
import * as z from '../zod.ts';
import { describeUnknownPlaceholder, parseTemplate } from './template.ts';
import { COLUMN_TYPES, type ColumnType, quote, readTyped } from './typed-value.ts';
import { WRITE_PROPERTIES, WriteFormat, type WriteSpec } from './write-block.ts';

export const OtherColumns = { infer: 'infer', string: 'string', drop: 'drop', reject: 'reject' } as const;
export type OtherColumns = (typeof OtherColumns)[keyof typeof OtherColumns];

const COLUMN_PROPERTIES = ['name', 'type', 'separator', 'required', 'default', 'drop'] as const;
const SCHEMA_PROPERTIES = ['$schema', 'csv', 'columns', 'otherColumns', 'add', 'write'] as const;
const CSV_PROPERTIES = ['delimiter', 'encoding'] as const;

const mapKey = (what: 'column' | 'attribute') =>
  z.string().check(
    z.superRefine((name, context) => {
      if (name === '') context.addIssue({ code: 'custom', message: `is an empty ${what} name` });
      else if (what === 'column' && name.trim() !== name) {
        context.addIssue({
          code: 'custom',
          message: 'must not start or end with spaces (header names are trimmed)',
        });
      }
    }),
  );

const nonEmpty = z.string().check(z.minLength(1));

const ColumnSpecFormat = z
  .partial(
    z.strictObject({
      name: nonEmpty,
      type: z.enum(COLUMN_TYPES),
      separator: nonEmpty,
      required: z.boolean(),
      default: nonEmpty,
      drop: z.boolean(),
    }),
  )
  .check(
    z.superRefine((column, context) => {
      if (column.drop === true) {
        const others = Object.keys(column).filter((property) => property !== 'drop');
        if (others.length > 0) {
          context.addIssue({
            code: 'custom',
            path: ['drop'],
            message: `cannot be combined with other properties (${others.join(', ')})`,
          });
        }
      }
      if (column.separator !== undefined && column.type !== 'SS' && column.type !== 'NS') {
        context.addIssue({
          code: 'custom',
          path: ['separator'],
          message: 'is only allowed with type SS or NS',
        });
      }
      if (column.default !== undefined && column.type !== undefined) {
        const outcome = readTyped(column.type, column.default, column.separator);
        const problem =
          'problem' in outcome ? outcome.problem : outcome.value ? undefined : 'it has no set member';
        if (problem !== undefined) {
          context.addIssue({
            code: 'custom',
            path: ['default'],
            message: `does not fit type ${column.type}: ${problem}`,
          });
        }
      }
    }),
  );

const Template = nonEmpty.check(
  z.superRefine((template, context) => {
    const parsed = parseTemplate(template);
    if ('unknown' in parsed)
      context.addIssue({ code: 'custom', message: describeUnknownPlaceholder(parsed.unknown) });
  }),
);

/** The file's dialect (SPEC, "CSV dialect"): what is left out follows the key (`.tsv`) and the defaults. */
const CsvFormat = z.partial(
  z.strictObject({
    delimiter: z.enum(DELIMITERS),
    encoding: z.enum(ENCODINGS),
  }),
);

const SchemaFormat = z.strictObject({
  $schema: z.optional(z.string()),
  csv: z.optional(CsvFormat),
  columns: z._default(z.record(mapKey('column'), ColumnSpecFormat), {}),
  otherColumns: z._default(z.enum(Object.values(OtherColumns)), 'infer'),
  add: z._default(z.record(mapKey('attribute'), Template), {}),
  write: z.optional(WriteFormat),
});

export type ColumnSpec = {
  readonly name?: string;
  readonly type?: ColumnType;
  readonly separator?: string;
  readonly required?: boolean;
  readonly default?: string;
  readonly drop?: boolean;
};

/** A checked column schema. Maps, so that a header column named "constructor" finds nothing it should not. */
export type Schema = {
  /** The delimiter and encoding the schema sets, if any (`dialectFor` adds the defaults). */
  readonly csv?: DialectSpec;
  /** Header name → what the column becomes, in the order the schema lists them. */
  readonly columns: ReadonlyMap<string, ColumnSpec>;
  readonly otherColumns: OtherColumns;
  /** Attribute name → template. */
  readonly add: ReadonlyMap<string, string>;
  /** How rows land (SPEC, "Write modes"); absent: every row is a put. */
  readonly write?: WriteSpec;
};

const formatPath = (path: readonly PropertyKey[]): string => {
  if (path.length === 0) return 'the schema';
  return path
    .map((segment, index) => {
      if (index === 0) return String(segment);
      const named = index === 1 && (path[0] === 'columns' || path[0] === 'add');
      return named ? `.${JSON.stringify(String(segment))}` : `.${String(segment)}`;
    })
    .join('');
};

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, segment) =>
      value !== null && typeof value === 'object' && Object.hasOwn(value, segment)
        ? (value as Record<PropertyKey, unknown>)[segment]
        : undefined,
    input,
  );

const describeValue = (value: unknown): string =>
  typeof value === 'string' ? quote(value) : Array.isArray(value) ? 'a list' : String(JSON.stringify(value));

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'must be a string',
  boolean: 'must be true or false',
  object: 'must be a JSON object',
  record: 'must be a JSON object',
};

const describeIssue = (issue: z.core.$ZodIssue, input: unknown): string => {
  const got = ` (got ${describeValue(valueAt(input, issue.path))})`;
  switch (issue.code) {
    case 'invalid_key':
      return issue.issues[0]?.message ?? issue.message;
    case 'invalid_value': {
      // A delimiter list must show the tab and the comma: quoted.
      const show = issue.path[0] === 'csv' ? (value: unknown) => JSON.stringify(value) : String;
      return `must be one of ${issue.values.map(show).join(', ')}${got}`;
    }
    case 'invalid_type':
      return `${EXPECTED[issue.expected] ?? `must be ${issue.expected}`}${got}`;
    case 'too_small':
      return 'must not be empty';
    case 'unrecognized_keys': {
      const allowed =
        issue.path.length === 0
          ? SCHEMA_PROPERTIES
          : issue.path[0] === 'csv'
            ? CSV_PROPERTIES
            : issue.path[0] === 'write'
              ? WRITE_PROPERTIES
              : COLUMN_PROPERTIES;
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      return `has unknown ${issue.keys.length === 1 ? 'property' : 'properties'} ${keys} (allowed: ${allowed.join(', ')})`;
    }
    default:
      return issue.message;
  }
};

/**
 * Checks a column schema (JSON text or an already parsed value) and returns it, or throws a
 * `ConfigError` whose message names every problem: `invalid schema: columns."vCPUs".type must be …`.
 * `origin` (say, the S3 object it came from) goes into the message.
 */
export const parseSchema = (json: string | unknown, origin?: string): Schema => {
  const prefix = `invalid schema${origin === undefined ? '' : ` (${origin})`}: `;
  let input: unknown = json;
  if (typeof json === 'string') {
    try {
      // A byte-order mark is what some editors put at the start of a saved file.
      input = JSON.parse(json.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new ConfigError(`${prefix}not valid JSON (${(error as Error).message})`);
    }
  }
  const result = SchemaFormat.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${formatPath(issue.path)} ${describeIssue(issue, input)}`,
    );
    throw new ConfigError(`${prefix}${problems.join('; ')}`);
  }
  const { csv, columns, otherColumns, add, write } = result.data;
  const schema: Schema = {
    ...(csv && {
      csv: {
        ...(csv.delimiter && { delimiter: csv.delimiter }),
        ...(csv.encoding && { encoding: csv.encoding }),
      },
    }),
    columns: new Map(Object.entries(columns)),
    otherColumns,
    add: new Map(Object.entries(add)),
    ...(write && {
      write: {
        mode: write.mode,
        condition: write.condition,
        emptyFields: write.emptyFields,
        ...(write.op !== undefined && { op: write.op }),
        ...(write.version !== undefined && { version: write.version }),
      },
    }),
  };
  const dropped = droppedVersion(schema);
  if (dropped !== undefined) throw new ConfigError(`${prefix}${dropped}`);
  return schema;
};

/**
 * The schema with another `write` block (the CLI's `--mode`, `--condition`, … flags), checked as
 * `parseSchema` checks one: the same messages, `origin` naming where the block came from.
 */
export const withWrite = (schema: Schema | undefined, write: unknown, origin: string): Schema => {
  const prefix = `invalid schema (${origin}): `;
  const parsed = parseSchema({ write }, origin).write;
  const next: Schema = {
    ...(schema ?? { columns: new Map(), otherColumns: OtherColumns.infer, add: new Map() }),
    ...(parsed && { write: parsed }),
  };
  const dropped = droppedVersion(next);
  if (dropped !== undefined) throw new ConfigError(`${prefix}${dropped}`);
  return next;
};

/**
 * SPEC: `version` names an attribute of type N or S that the schema keeps (not one it drops by
 * `drop: true` or `otherColumns: "drop"`). What only the table knows (a key) is checked by the plan.
 */
const droppedVersion = (schema: Schema): string | undefined => {
  const version = schema.write?.version;
  if (version === undefined) return undefined;
  const where = `write.version "${version}"`;
  const source = [...schema.columns].find(
    ([column, spec]) => !spec.drop && (spec.name ?? column) === version,
  );
  const type = source?.[1].type;
  if (type !== undefined && type !== 'N' && type !== 'S') {
    return `${where} names column "${source?.[0]}" of type ${type} (a version is of type N or S)`;
  }
  if (source || schema.add.has(version)) return undefined;
  if (schema.columns.get(version)?.drop) {
    return `${where} names column "${version}", which the schema drops (drop: true)`;
  }
  const renamed = schema.columns.get(version)?.name;
  if (renamed !== undefined) {
    return `${where} names column "${version}", which the schema renames to "${renamed}" (version names the attribute)`;
  }
  if (schema.otherColumns === OtherColumns.drop) {
    return `${where} names no column the schema keeps (otherColumns is "drop")`;
  }
  return undefined;
};
