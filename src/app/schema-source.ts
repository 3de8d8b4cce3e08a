import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ErrorCode, FileError } from '../core/errors.ts';
import { compileDefaultPlan, type ItemPlan, type TypeMode } from '../core/item-plan.ts';
import type { KeySchema } from '../core/key-schema.ts';
import { parseSchema, type Schema } from '../core/schema/schema.ts';
import { compileSchemaPlan } from '../core/schema/schema-plan.ts';
import type { FileContext } from './process-file.ts';
import type { Settings } from './settings.ts';

/** The column schema in force for the next file: none, a schema, or a `ConfigError` saying why it is invalid. */
export type SchemaSource = { readonly current: () => Promise<Schema | undefined> };

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
 * A missing object is an invalid schema; any other S3 failure is an outage and propagates.
 */
const s3Schema = (s3: S3Client, bucket: string, key: string): SchemaSource => {
  const origin = `s3://${bucket}/${key}`;
  let cached: { readonly eTag: string; readonly parsed: Parsed } | undefined;
  return {
    current: async () => {
      try {
        const response = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(cached && { IfNoneMatch: cached.eTag }) }),
        );
        const parsed = parse((await response.Body?.transformToString('utf-8')) ?? '', origin);
        cached = response.ETag === undefined ? undefined : { eTag: response.ETag, parsed };
        return unwrap(parsed);
      } catch (error) {
        if (cached && httpStatus(error) === 304) return unwrap(cached.parsed);
        if ((error as Error).name === 'NoSuchKey') {
          throw new ConfigError(`invalid schema: SCHEMA_S3_KEY ${origin} does not exist`, { cause: error });
        }
        throw error;
      }
    },
  };
};

/** Where the schema comes from: `SCHEMA` is parsed once, `SCHEMA_S3_KEY` is checked for a new version per file. */
export const createSchemaSource = (
  s3: S3Client,
  bucket: string,
  setting: Settings['schema'],
): SchemaSource => {
  if (setting === undefined) return { current: async () => undefined };
  if ('s3Key' in setting) return s3Schema(s3, bucket, setting.s3Key);
  const parsed: Parsed =
    'inline' in setting ? parse(setting.inline) : { error: new ConfigError(setting.invalid) };
  return { current: async () => unwrap(parsed) };
};

/**
 * The per-file plan factory. An invalid schema is bad data, not an outage: it fails each file
 * (`SCHEMA_INVALID`, with the schema's message in the report) and the invocation succeeds.
 */
export const createPlanFactory =
  (source: SchemaSource, keySchema: KeySchema, typeMode: TypeMode) =>
  async (header: readonly string[], context: FileContext): Promise<ItemPlan> => {
    try {
      const schema = await source.current();
      return schema
        ? compileSchemaPlan(header, keySchema, typeMode, schema, context)
        : compileDefaultPlan(header, keySchema, typeMode);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new FileError(ErrorCode.SCHEMA_INVALID, error.message, {}, { cause: error });
    }
  };
