import { ConfigError } from '../core/errors.ts';
import type { Prefixes } from '../core/object-key.ts';
import * as z from '../core/zod.ts';

/** Keys are `prefix + rest`, as SPEC writes them: a prefix need not end with "/". */
const prefix = (fallback: string, allowEmpty: boolean) =>
  z._default(
    z.string().check(
      z.refine((value) => allowEmpty || value !== '', {
        message: 'must not be empty: every key would be under it, so no upload would ever be processed',
      }),
    ),
    fallback,
  );

const integer = (fallback: number, min: number, max: number) =>
  z.pipe(
    z._default(z.string(), String(fallback)),
    z.transform((value, context) => {
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        context.issues.push({
          code: 'custom',
          message: `must be a whole number from ${min} to ${max}`,
          input: value,
        });
        return z.NEVER;
      }
      return parsed;
    }),
  );

const required = z.string({ error: 'is required' }).check(z.minLength(1, 'is required'));

/** The Lambda function's settings: every one but the first two has a default. */
const SettingsSchema = z
  .object({
    TABLE_NAME: required,
    SOURCE_BUCKET: required,
    UPLOAD_PREFIX: prefix('incoming/', true),
    REPORT_PREFIX: prefix('reports/', false),
    REJECTED_PREFIX: prefix('rejected/', false),
    TYPE_MODE: z._default(z.enum(['infer', 'string'], { error: 'must be "infer" or "string"' }), 'infer'),
    CONTINUATION_MARGIN_MS: integer(60_000, 0, 900_000),
    // Checked in schemaSetting: a bad schema setting fails each file (SPEC), it does not stop the function.
    SCHEMA: z.optional(z.string()),
    SCHEMA_S3_KEY: z.optional(z.string()),
    WRITE_CONCURRENCY: integer(16, 1, 64),
    MAX_WRITE_ATTEMPTS: integer(10, 1, 100),
    AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
  })
  .check(
    z.superRefine(({ UPLOAD_PREFIX: upload, REPORT_PREFIX: report, REJECTED_PREFIX: rejected }, context) => {
      // Output under the upload prefix is fine (it is never processed); uploads under an output prefix never would be.
      // Reports and rejected rows may share a prefix: their keys end in `.json` and `.csv`, so they never collide.
      for (const [name, output] of [
        ['REPORT_PREFIX', report],
        ['REJECTED_PREFIX', rejected],
      ] as const) {
        if (output !== '' && upload.startsWith(output)) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `must not hold UPLOAD_PREFIX ${JSON.stringify(upload)}: no upload would ever be processed`,
          });
        }
      }
    }),
  );

export type Settings = {
  readonly tableName: string;
  readonly sourceBucket: string;
  readonly prefixes: Prefixes;
  readonly typeMode: 'infer' | 'string';
  readonly continuationMarginMs: number;
  /** `invalid` when both SCHEMA and SCHEMA_S3_KEY are set: an invalid schema fails each file, not the function. */
  readonly schema?: { readonly inline: string } | { readonly s3Key: string } | { readonly invalid: string };
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  readonly functionName?: string;
};

const schemaSetting = (inline?: string, s3Key?: string): Settings['schema'] => {
  if (inline !== undefined && s3Key !== undefined) {
    return { invalid: 'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both' };
  }
  if (inline !== undefined) return { inline };
  if (s3Key === '') return { invalid: 'invalid schema: SCHEMA_S3_KEY is empty (unset it for no schema)' };
  return s3Key === undefined ? undefined : { s3Key };
};

/** Reads and checks the settings once, naming each bad variable. */
export const readSettings = (env: NodeJS.ProcessEnv): Settings => {
  const picked = Object.fromEntries(
    Object.keys(SettingsSchema.shape).flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
  );
  const result = SettingsSchema.safeParse(picked);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'settings');
      const value = picked[name];
      return `${name} ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
    });
    throw new ConfigError(`invalid settings: ${problems.join('; ')}`);
  }
  const s = result.data;
  const schema = schemaSetting(s.SCHEMA, s.SCHEMA_S3_KEY);
  return {
    tableName: s.TABLE_NAME,
    sourceBucket: s.SOURCE_BUCKET,
    prefixes: { upload: s.UPLOAD_PREFIX, report: s.REPORT_PREFIX, rejected: s.REJECTED_PREFIX },
    typeMode: s.TYPE_MODE,
    continuationMarginMs: s.CONTINUATION_MARGIN_MS,
    ...(schema && { schema }),
    writeConcurrency: s.WRITE_CONCURRENCY,
    maxWriteAttempts: s.MAX_WRITE_ATTEMPTS,
    ...(s.AWS_LAMBDA_FUNCTION_NAME !== undefined && { functionName: s.AWS_LAMBDA_FUNCTION_NAME }),
  };
};
