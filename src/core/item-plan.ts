import { delimiterHint } from './dialect.ts';
import { ErrorCode, FileError } from './errors.ts';
import type { AttributeValue } from './item.ts';
import type { KeyAttribute, KeySchema } from './key-schema.ts';
import { isInferredNumber } from './number.ts';
import type { WriteSpec } from './schema/write-block.ts';

export const TypeMode = { infer: 'infer', string: 'string' } as const;
export type TypeMode = (typeof TypeMode)[keyof typeof TypeMode];

/** Turns a non-empty field into a value; `undefined` leaves the attribute out. Throws a `RowError` on bad data. */
export type ValueConverter = (text: string) => AttributeValue | undefined;

export type ColumnPlan = {
  readonly index: number;
  readonly column: string;
  readonly attribute: string;
  readonly convert: ValueConverter;
  readonly defaultText?: string;
  readonly required?: boolean;
};

export type KeyColumnPlan = {
  readonly index: number;
  readonly column: string;
  readonly key: KeyAttribute;
  readonly defaultText?: string;
};

/** An attribute added to every item (the schema's `add`). */
export type Addition = { readonly attribute: string; readonly value: (row: number) => AttributeValue };

/** How one file's rows land (the schema's `write`), for this header. */
export type WritePlan = {
  readonly spec: WriteSpec;
  /** The index of the `op` column in the header; absent when the header lacks it. */
  readonly opIndex?: number;
  /** The plan of a delete row: the key columns, and the version column under `newer`. */
  readonly deletePlan: ItemPlan;
};

/** How each column of one file's header becomes part of an item. */
export type ItemPlan = {
  readonly header: readonly string[];
  readonly partition: KeyColumnPlan;
  readonly sort?: KeyColumnPlan;
  readonly columns: readonly ColumnPlan[];
  readonly additions: readonly Addition[];
  /** Only JSON columns can nest; other plans skip the depth and name checks. */
  readonly mayNest: boolean;
  /** No binary key: its items hold no binary value (only a `B` key makes one), see `newItem`. */
  readonly textOnly?: boolean;
  /** The version (S3 ETag) of the column schema the plan was compiled from, when it came from S3. */
  readonly schemaVersion?: string;
  /** Absent: every row is a put (`WRITE_DEFAULT`). */
  readonly write?: WritePlan;
};

const inferBoolean = (text: string): boolean | undefined => {
  if (text.length !== 4 && text.length !== 5) return undefined;
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
};

/** Whether a table's items can hold no binary value: values are S, N, BOOL, NULL or JSON; only a key may be B. */
export const textOnlyKeys = (keySchema: KeySchema): boolean =>
  keySchema.partition.type !== 'B' && keySchema.sort?.type !== 'B';

/** The default type rules: plain decimals DynamoDB can store become `N`, true/false `BOOL`, the rest `S`. */
const inferValue: ValueConverter = (text) => {
  if (isInferredNumber(text)) return { N: text };
  const bool = inferBoolean(text);
  return bool === undefined ? { S: text } : { BOOL: bool };
};

/** True for a column typed field by field by the default rules (which may give it several types). */
export const isInferred = (column: ColumnPlan): boolean => column.convert === inferValue;

export const stringValue: ValueConverter = (text) => ({ S: text });

export const converterFor = (typeMode: TypeMode): ValueConverter =>
  typeMode === TypeMode.string ? stringValue : inferValue;

export const findKeyColumn = (
  attributes: readonly string[],
  header: readonly string[],
  key: KeyAttribute,
): KeyColumnPlan => {
  const index = attributes.indexOf(key.name);
  const column = header[index];
  if (column === undefined) {
    throw new FileError(
      ErrorCode.CSV_MISSING_KEY_COLUMN,
      `header has no column for key attribute "${key.name}"${delimiterHint(header)}`,
      {
        column: key.name,
      },
    );
  }
  return { index, column, key };
};

/** The plan without a column schema: every column keeps its name and follows the type mode. */
export const compileDefaultPlan = (
  header: readonly string[],
  keySchema: KeySchema,
  typeMode: TypeMode,
): ItemPlan => {
  const partition = findKeyColumn(header, header, keySchema.partition);
  const sort = keySchema.sort ? findKeyColumn(header, header, keySchema.sort) : undefined;
  const convert = converterFor(typeMode);
  const columns = header
    .map((column, index) => ({ index, column, attribute: column, convert }))
    .filter(({ index }) => index !== partition.index && index !== sort?.index);
  return {
    header,
    partition,
    ...(sort && { sort }),
    columns,
    additions: [],
    mayNest: false,
    textOnly: textOnlyKeys(keySchema),
  };
};
