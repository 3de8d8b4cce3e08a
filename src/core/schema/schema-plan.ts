import { ConfigError, ErrorCode, FileError, RowError } from '../errors.ts';
import type { AttributeValue } from '../item.ts';
import {
  type Addition,
  type ColumnPlan,
  converterFor,
  findKeyColumn,
  type ItemPlan,
  type KeyColumnPlan,
  stringValue,
  type TypeMode,
  textOnlyKeys,
  type ValueConverter,
  type WritePlan,
} from '../item-plan.ts';
import { type KeyAttribute, type KeySchema, toKeyValue } from '../key-schema.ts';
import { OtherColumns, type Schema } from './schema.ts';
import { describeUnknownPlaceholder, parseTemplate } from './template.ts';
import { ColumnType, quote, typedConverter } from './typed-value.ts';
import type { WriteSpec } from './write-block.ts';

export type SchemaContext = { readonly bucket: string; readonly key: string; readonly now: Date };

const keyAttributes = (keySchema: KeySchema): KeyAttribute[] => [
  keySchema.partition,
  ...(keySchema.sort ? [keySchema.sort] : []),
];

const fitsKey = (text: string, key: KeyAttribute, column: string): boolean => {
  try {
    toKeyValue(text, key, column);
    return true;
  } catch (error) {
    if (error instanceof RowError) return false;
    throw error;
  }
};

/** What the schema says that only the table can judge: key types, key defaults, `add` over a key. */
const checkAgainstTable = (schema: Schema, keys: readonly KeyAttribute[]): void => {
  for (const [column, spec] of schema.columns) {
    const key = spec.drop ? undefined : keys.find(({ name }) => name === (spec.name ?? column));
    if (!key) continue;
    const where = `columns.${JSON.stringify(column)}`;
    if (spec.type !== undefined && spec.type !== key.type) {
      throw new ConfigError(
        `invalid schema: ${where}.type ${spec.type} differs from the table's type ${key.type} for key attribute "${key.name}" (leave type out: keys keep the table's type)`,
      );
    }
    if (spec.default !== undefined && !fitsKey(spec.default, key, column)) {
      throw new ConfigError(
        `invalid schema: ${where}.default ${quote(spec.default)} does not fit the table's type ${key.type} for key attribute "${key.name}"`,
      );
    }
  }
  const { write } = schema;
  if (write?.version !== undefined && keys.some(({ name }) => name === write.version)) {
    throw new ConfigError(
      `invalid schema: write.version "${write.version}" names key attribute "${write.version}" (a version is another attribute)`,
    );
  }
  const opAttribute = write?.op === undefined ? undefined : (schema.columns.get(write.op)?.name ?? write.op);
  if (opAttribute !== undefined && keys.some(({ name }) => name === opAttribute)) {
    throw new ConfigError(
      `invalid schema: write.op "${write?.op}" names the column of key attribute "${opAttribute}" (the op column is never written)`,
    );
  }
  for (const attribute of schema.add.keys()) {
    if (keys.some(({ name }) => name === attribute)) {
      throw new ConfigError(
        `invalid schema: add.${JSON.stringify(attribute)} cannot set key attribute "${attribute}"`,
      );
    }
  }
};

/** `schema validate --table`: what the schema says about the table's keys, checked without a file. */
export const checkSchemaAgainstTable = (schema: Schema, keySchema: KeySchema): void =>
  checkAgainstTable(schema, keyAttributes(keySchema));

const list = (names: readonly string[]): string => names.map((name) => `"${name}"`).join(', ');

const compileAddition = (attribute: string, template: string, context: SchemaContext): Addition => {
  const parts = parseTemplate(template);
  if ('unknown' in parts) {
    throw new ConfigError(`invalid schema: add."${attribute}" ${describeUnknownPlaceholder(parts.unknown)}`);
  }
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'placeholder' in only && only.placeholder === 'row') {
    return { attribute, value: (row) => ({ N: String(row) }) };
  }
  const fixed = { bucket: context.bucket, key: context.key, now: context.now.toISOString() };
  const pieces = parts.map((part) =>
    'literal' in part ? part.literal : part.placeholder === 'row' ? undefined : fixed[part.placeholder],
  );
  // Without {row} the value is the same for every row of the file: built once, not per row.
  if (pieces.every((piece) => piece !== undefined)) {
    const value: AttributeValue = { S: pieces.join('') };
    return { attribute, value: () => value };
  }
  return {
    attribute,
    value: (row): AttributeValue => ({ S: pieces.map((piece) => piece ?? String(row)).join('') }),
  };
};

/**
 * The item plan for one file's header under a column schema (see the README's "Column schema").
 * Throws a `ConfigError` when the schema does not fit the table, and a `FileError` when it does not
 * fit this header (an unlisted or missing column, two columns becoming one attribute, no key column).
 */
export const compileSchemaPlan = (
  header: readonly string[],
  keySchema: KeySchema,
  typeMode: TypeMode,
  schema: Schema,
  context: SchemaContext,
): ItemPlan => {
  const keys = keyAttributes(keySchema);
  checkAgainstTable(schema, keys);

  const missing = [...schema.columns]
    .filter(([column, spec]) => spec.required && !header.includes(column))
    .map(([column]) => column);
  if (missing.length > 0) {
    throw new FileError(
      ErrorCode.CSV_MISSING_REQUIRED_COLUMN,
      `header has no column ${list(missing)}, which the schema requires`,
      { row: 0, column: missing[0] as string },
    );
  }

  // A listed column may take a key's name; only without one does an unlisted column of that name hold the key.
  const listedAttributes = new Set(
    header.flatMap((column) => {
      const spec = schema.columns.get(column);
      return spec && !spec.drop ? [spec.name ?? column] : [];
    }),
  );
  const isKeyColumn = (column: string) =>
    keys.some(({ name }) => name === column) && !listedAttributes.has(column);

  const opColumn = schema.write?.op;
  const unlisted = header.filter(
    (column) => !schema.columns.has(column) && !isKeyColumn(column) && column !== opColumn,
  );
  if (schema.otherColumns === OtherColumns.reject && unlisted.length > 0) {
    throw new FileError(
      ErrorCode.CSV_UNLISTED_COLUMN,
      `header column${unlisted.length === 1 ? '' : 's'} ${list(unlisted)} ${unlisted.length === 1 ? 'is' : 'are'} not in the schema (otherColumns is "reject")`,
      { row: 0, column: unlisted[0] as string },
    );
  }

  // '' never matches an attribute: it marks a dropped column.
  const attributes = header.map((column) => {
    if (column === opColumn) return '';
    const spec = schema.columns.get(column);
    if (spec) return spec.drop ? '' : (spec.name ?? column);
    return schema.otherColumns === OtherColumns.drop && !isKeyColumn(column) ? '' : column;
  });

  const owners = new Map<string, string>();
  for (const [index, attribute] of attributes.entries()) {
    if (attribute === '') continue;
    const column = header[index] as string;
    const earlier = owners.get(attribute);
    if (earlier !== undefined) {
      throw new FileError(
        ErrorCode.CSV_DUPLICATE_ATTRIBUTE,
        `header columns "${earlier}" and "${column}" both become attribute "${attribute}"`,
        { row: 0, column },
      );
    }
    owners.set(attribute, column);
  }
  for (const attribute of schema.add.keys()) {
    const column = owners.get(attribute);
    if (column !== undefined) {
      throw new FileError(
        ErrorCode.CSV_DUPLICATE_ATTRIBUTE,
        `header column "${column}" and add."${attribute}" both become attribute "${attribute}"`,
        { row: 0, column },
      );
    }
  }

  const keyColumn = (key: KeyAttribute): KeyColumnPlan => {
    const found = findKeyColumn(attributes, header, key);
    const defaultText = schema.columns.get(found.column)?.default;
    return defaultText === undefined ? found : { ...found, defaultText };
  };
  const partition = keyColumn(keySchema.partition);
  const sort = keySchema.sort ? keyColumn(keySchema.sort) : undefined;

  const inferred = converterFor(typeMode);
  const columns: ColumnPlan[] = [];
  for (const [index, column] of header.entries()) {
    const attribute = attributes[index] as string;
    if (attribute === '' || index === partition.index || index === sort?.index) continue;
    const spec = schema.columns.get(column);
    const convert: ValueConverter = spec?.type
      ? typedConverter(column, spec.type, spec.separator)
      : !spec && schema.otherColumns === OtherColumns.string
        ? stringValue
        : inferred;
    columns.push({
      index,
      column,
      attribute,
      convert,
      ...(spec?.default !== undefined && { defaultText: spec.default }),
      ...(spec?.required && { required: true }),
    });
  }

  const plan: ItemPlan = {
    header,
    partition,
    ...(sort && { sort }),
    columns,
    additions: [...schema.add].map(([attribute, template]) => compileAddition(attribute, template, context)),
    mayNest: columns.some(({ column }) => schema.columns.get(column)?.type === ColumnType.JSON),
    textOnly: textOnlyKeys(keySchema),
  };
  return schema.write ? { ...plan, write: compileWritePlan(plan, schema.write) } : plan;
};

/** SPEC: a delete reads only the key columns, and under `newer` the version column. */
const compileWritePlan = (plan: ItemPlan, spec: WriteSpec): WritePlan => {
  const opIndex = spec.op === undefined ? -1 : plan.header.indexOf(spec.op);
  const version = spec.condition === 'newer' ? spec.version : undefined;
  const deletePlan: ItemPlan = {
    ...plan,
    columns: plan.columns.filter(({ attribute }) => attribute === version),
    additions: plan.additions.filter(({ attribute }) => attribute === version),
    mayNest: false,
  };
  return { spec, ...(opIndex >= 0 && { opIndex }), deletePlan };
};
