import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type CsvDialect, dialectFor } from '../core/dialect.ts';
import { ConfigError, ErrorCode, FileError } from '../core/errors.ts';
import { compileDefaultPlan, type ItemPlan, type TypeMode } from '../core/item-plan.ts';
import type { KeySchema } from '../core/key-schema.ts';
import { parseSchema, type Schema } from '../core/schema/schema.ts';
import { compileSchemaPlan } from '../core/schema/schema-plan.ts';
import type { FileContext } from './file-types.ts';
import type { Settings } from './settings.ts';

/** A column schema and, when it came from S3, its version (the object's ETag). */
export type CurrentSchema = { readonly schema: Schema; readonly version?: string };

/**
 * The column schema in force for the next file: none, a schema, or a `ConfigError` saying why it is
 * invalid. `pin` asks for the version a continued file started with.
 */
export type SchemaSource = { readonly current: (pin?: string) => Promise<CurrentSchema | undefined> };

type Parsed = { readonly schema: Schema } | { readonly error: ConfigError };

const parse = (text: string, origin?: string): Parsed => {
  try {
    return { schema: parseSchema(text, origin) };
  } catch (error) {
    if (error instanceof ConfigError) return { error };
    throw error;
  }
};

const unwrap = (parsed: Parsed): Schema => {
  if ('error' in parsed) throw parsed.error;
  return parsed.schema;
};

const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * `SCHEMA_S3_KEY`: one conditional GET per file (`If-None-Match` with the ETag last read), so that an
 * unchanged schema costs a 304 and no parsing, and an uploaded new version applies from the next file on.
 * A continued file asks for the version it started with (`pin`): the container's copy when it has that
 * one, else a GET with `If-Match`; a schema replaced meanwhile fails the file (`SCHEMA_CHANGED`), since
 * half a file typed one way and half another would be worse.
 * A missing object is an invalid schema; any other S3 failure is an outage and propagates.
 */
const s3Schema = (s3: S3Client, bucket: string, key: string, setting = 'SCHEMA_S3_KEY'): SchemaSource => {
  const origin = `s3://${bucket}/${key}`;
  let cached: { readonly eTag: string; readonly parsed: Parsed } | undefined;
  const changed = (pin: string, cause?: unknown) =>
    new FileError(
      ErrorCode.SCHEMA_CHANGED,
      `the column schema ${origin} was replaced while this file was being processed (it started with version ${pin}); upload the file again to process it with the new schema`,
      {},
      { cause },
    );
  return {
    current: async (pin) => {
      if (pin !== undefined && cached?.eTag === pin) return { schema: unwrap(cached.parsed), version: pin };
      const condition = pin !== undefined ? { IfMatch: pin } : cached && { IfNoneMatch: cached.eTag };
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...condition }));
        // Read in full either way, so that the connection is free again.
        const text = (await response.Body?.transformToString('utf-8')) ?? '';
        // S3 answers a replaced schema with 412; a store that ignores If-Match is caught here.
        if (pin !== undefined && response.ETag !== pin) throw changed(pin);
        const parsed = parse(text, origin);
        cached = response.ETag === undefined ? undefined : { eTag: response.ETag, parsed };
        return { schema: unwrap(parsed), ...(response.ETag !== undefined && { version: response.ETag }) };
      } catch (error) {
        if (error instanceof FileError) throw error;
        if (cached && httpStatus(error) === 304)
          return { schema: unwrap(cached.parsed), version: cached.eTag };
        if (pin !== undefined && httpStatus(error) === 412) throw changed(pin, error);
        if ((error as Error).name === 'NoSuchKey') {
          throw new ConfigError(`invalid schema: ${setting} ${origin} does not exist`, { cause: error });
        }
        throw error;
      }
    },
  };
};

/** A schema given once (the CLI's `--schema` file), or none. */
export const fixedSchemaSource = (schema?: Schema): SchemaSource => ({
  current: async () => schema && { schema },
});

/**
 * Where the schema comes from: `SCHEMA` is parsed once, `SCHEMA_S3_KEY` is checked for a new version per
 * file. `dataset` (`DATASETS "orders/"`) names a dataset's `schema` / `schemaKey` in the messages.
 */
export const createSchemaSource = (
  s3: S3Client,
  bucket: string,
  setting: Settings['schema'],
  dataset?: string,
): SchemaSource => {
  if (setting === undefined) return { current: async () => undefined };
  if ('s3Key' in setting) {
    return s3Schema(s3, bucket, setting.s3Key, dataset === undefined ? undefined : `${dataset} schemaKey`);
  }
  const parsed: Parsed =
    'inline' in setting ? parse(setting.inline, dataset) : { error: new ConfigError(setting.invalid) };
  return { current: async () => ({ schema: unwrap(parsed) }) };
};

/**
 * The per-file plan factory. An invalid schema is bad data, not an outage: it fails each file
 * (`SCHEMA_INVALID`, with the schema's message in the report) and the invocation succeeds.
 */
export const createPlanFactory =
  (source: SchemaSource, keySchema: KeySchema, typeMode: TypeMode) =>
  async (header: readonly string[], context: FileContext): Promise<ItemPlan> => {
    try {
      const current = await source.current(context.schemaVersion);
      if (!current) return compileDefaultPlan(header, keySchema, typeMode);
      const plan = compileSchemaPlan(header, keySchema, typeMode, current.schema, context);
      return current.version === undefined ? plan : { ...plan, schemaVersion: current.version };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new FileError(ErrorCode.SCHEMA_INVALID, error.message, {}, { cause: error });
    }
  };

/** A file's dialect, and the schema version it came from (the plan then asks for that version). */
export type FileDialect = { readonly dialect: CsvDialect; readonly schemaVersion?: string };

/**
 * The dialect of a file, known before its header is read: the `csv` block of the schema in force
 * (of the version a continued file started with, `schemaVersion`), a tab for a `.tsv` or `.tsv.gz`
 * key. Its schema version is handed to the plan, so that the plan uses the very schema the dialect
 * came from (and `SCHEMA_S3_KEY` costs no second request). An invalid or replaced schema gives the
 * default dialect here: the plan fails the file with the right error code.
 */
export const createDialectFactory =
  (source: SchemaSource) =>
  async (key: string, schemaVersion?: string): Promise<FileDialect> => {
    const tsv = /\.tsv(\.gz)?$/.test(key);
    try {
      const current = await source.current(schemaVersion);
      return {
        dialect: dialectFor(current?.schema.csv, tsv),
        ...(current?.version !== undefined && { schemaVersion: current.version }),
      };
    } catch (error) {
      if (error instanceof ConfigError || error instanceof FileError)
        return { dialect: dialectFor(undefined, tsv) };
      throw error;
    }
  };
