import { ConfigError } from '../core/errors.ts';
import type { Prefixes } from '../core/object-key.ts';
import { CSV_PARSERS, type CsvParser } from '../core/parse-chunks.ts';
import * as z from '../core/zod.ts';
import { type Dataset, parseDatasets, type SchemaSetting } from './datasets-setting.ts';

export type { Dataset, SchemaSetting } from './datasets-setting.ts';

/**
 * The one statement of the function's settings: the handler reads them with `readSettings`, the CLI's
 * flags and the local stack's tfvars reader check theirs with `checkSettings`, and infra/variables.tf
 * states the same rules once more for `terraform plan` (its tests hold the two together).
 */

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

/** More threads than this cannot help: one reading thread keeps three senders busy past any table's default cap. */
export const MAX_THREADS = 4;

const name = (what: string) =>
  z.optional(z.string().check(z.minLength(1, `must not be empty (unset it for ${what})`)));

/** Each setting on its own; the rules between settings are in `crossCheck`. */
const fields = {
  // Required unless DATASETS is set (crossCheck).
  TABLE_NAME: name('no default table: only DATASETS'),
  SOURCE_BUCKET: z.string({ error: 'is required' }).check(z.minLength(1, 'is required')),
  // Empty: the whole bucket (outputs are still never processed).
  UPLOAD_PREFIX: prefix('incoming/', true),
  REPORT_PREFIX: prefix('reports/', false),
  REJECTED_PREFIX: prefix('rejected/', false),
  TYPE_MODE: z._default(z.enum(['infer', 'string'], { error: 'must be "infer" or "string"' }), 'infer'),
  // Below a second the writes in flight cannot drain before the deadline; 900000 is Lambda's longest run.
  CONTINUATION_MARGIN_MS: integer(60_000, 1000, 900_000),
  // Checked in schemaSetting: a bad schema setting fails each file (SPEC), it does not stop the function.
  SCHEMA: z.optional(z.string()),
  SCHEMA_S3_KEY: z.optional(z.string()),
  WRITE_CONCURRENCY: integer(16, 1, 64),
  MAX_WRITE_ATTEMPTS: integer(10, 1, 100),
  LEDGER_TABLE: name('no ledger'),
  // Parsed in crossCheck: its sub-prefixes are checked against UPLOAD_PREFIX and the output prefixes.
  DATASETS: z.optional(z.string()),
  // `sdk` sends BatchWriteItem through the AWS SDK's client instead of the lean request path.
  WRITE_PATH: z._default(z.enum(['lean', 'sdk'], { error: 'must be "lean" or "sdk"' }), 'lean'),
  // `csv-parse` reads every record with csv-parse instead of splitting quote-free records directly.
  CSV_PARSER: z._default(z.enum(CSV_PARSERS, { error: 'must be "chunked" or "csv-parse"' }), 'chunked'),
  // `auto` follows the function's vCPUs (threadsFor); 1 keeps every step on the main thread.
  THREADS: z.pipe(
    z._default(z.string(), 'auto'),
    z.transform((value, context): 'auto' | number => {
      if (value === 'auto') return value;
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (parsed >= 1 && parsed <= MAX_THREADS) return parsed;
      context.issues.push({
        code: 'custom',
        message: `must be "auto" or a whole number from 1 to ${MAX_THREADS}`,
        input: value,
      });
      return z.NEVER;
    }),
  ),
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
};

export type SettingName = keyof typeof fields;

/** The checked values of the settings that were given (those left out get their defaults in readSettings only). */
export type CheckedSettings = {
  -readonly [Name in Exclude<SettingName, 'DATASETS'>]?: z.output<(typeof fields)[Name]>;
} & { DATASETS?: readonly Dataset[] };

type Problem = { readonly name: SettingName; readonly message: string; readonly showValue: boolean };

const crossCheck = (
  values: CheckedSettings,
  given: Partial<Record<SettingName, string>>,
  full: boolean,
  fieldsValid: boolean,
) => {
  const problems: Problem[] = [];
  const upload = values.UPLOAD_PREFIX;
  const outputs = (['REPORT_PREFIX', 'REJECTED_PREFIX'] as const).flatMap((output) =>
    values[output] === undefined ? [] : [[output, values[output] as string] as const],
  );
  // Output under the upload prefix is fine (it is never processed); uploads under an output prefix never would be.
  // Reports and rejected rows may share a prefix: their keys end in `.json` and `.csv`, so they never collide.
  for (const [output, value] of outputs) {
    if (upload?.startsWith(value)) {
      problems.push({
        name: output,
        message: `must not hold UPLOAD_PREFIX ${JSON.stringify(upload)}: no upload would ever be processed`,
        showValue: true,
      });
    }
  }
  // DATASETS is read against the prefixes, so only once they are valid.
  if (given.DATASETS !== undefined && fieldsValid) {
    const parsed = parseDatasets(given.DATASETS, upload ?? fields.UPLOAD_PREFIX.parse(undefined), outputs);
    if ('problems' in parsed) {
      for (const message of parsed.problems) problems.push({ name: 'DATASETS', message, showValue: false });
    } else {
      values.DATASETS = parsed.datasets;
    }
  }
  if (full && given.TABLE_NAME === undefined && given.DATASETS === undefined) {
    problems.push({ name: 'TABLE_NAME', message: 'is required (or set DATASETS)', showValue: false });
  }
  return problems;
};

const check = (
  given: Partial<Record<SettingName, string>>,
  full: boolean,
  show: (name: SettingName) => string,
): CheckedSettings => {
  const values: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const [name, field] of Object.entries(fields) as [SettingName, z.ZodMiniType][]) {
    if (!full && given[name] === undefined) continue;
    const result = field.safeParse(given[name]);
    if (result.success) {
      if (result.data !== undefined && name !== 'DATASETS') values[name] = result.data;
    } else {
      for (const issue of result.error.issues)
        problems.push({ name, message: issue.message, showValue: true });
    }
  }
  const checked = values as CheckedSettings;
  // Rules between settings only hold between settings that are themselves valid.
  problems.push(...crossCheck(checked, given, full, problems.length === 0));
  if (problems.length > 0) {
    const words = problems.map(({ name, message, showValue }) => {
      // Other settings named in a message are shown the way the caller names them too.
      const text = message.replace(/\b(UPLOAD|REPORT|REJECTED)_PREFIX\b/g, (other) =>
        show(other as SettingName),
      );
      const value = given[name];
      return `${show(name)} ${text}${showValue && value !== undefined ? ` (got ${JSON.stringify(value)})` : ''}`;
    });
    throw new ConfigError(`invalid settings: ${words.join('; ')}`);
  }
  return checked;
};

/**
 * Checks the settings that are given (a flag's or a tfvars value, as the environment would hold it:
 * a string), and the rules between those given (an output prefix that holds the upload prefix;
 * DATASETS against UPLOAD_PREFIX, its default when not given). Throws a ConfigError naming each bad
 * one as `show` names it (a flag, a tfvars variable); returns the checked values.
 */
export const checkSettings = (
  values: Partial<Record<SettingName, string>>,
  show: (name: SettingName) => string = (name) => name,
): CheckedSettings => check(values, false, show);

export type Settings = {
  /** Unset only when DATASETS is set: then keys that match no dataset are skipped. */
  readonly tableName?: string;
  readonly sourceBucket: string;
  readonly prefixes: Prefixes;
  readonly typeMode: 'infer' | 'string';
  readonly continuationMarginMs: number;
  /** `invalid` when both SCHEMA and SCHEMA_S3_KEY are set: an invalid schema fails each file, not the function. */
  readonly schema?: SchemaSetting;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  readonly functionName?: string;
  readonly ledgerTable?: string;
  /** Longest sub-prefix first: the first dataset whose `prefixes.upload + prefix` starts a key takes it. */
  readonly datasets?: readonly Dataset[];
  readonly writePath: 'lean' | 'sdk';
  readonly csvParser: CsvParser;
  /** THREADS: `auto` (`threadsFor`) or how many threads in all (the main one and its sender threads). */
  readonly threads: 'auto' | number;
};

const schemaSetting = (inline?: string, s3Key?: string): SchemaSetting | undefined => {
  if (inline !== undefined && s3Key !== undefined) {
    return { invalid: 'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both' };
  }
  if (inline !== undefined) return { inline };
  if (s3Key === '') return { invalid: 'invalid schema: SCHEMA_S3_KEY is empty (unset it for no schema)' };
  return s3Key === undefined ? undefined : { s3Key };
};

/** Reads and checks the settings once, naming each bad variable. */
export const readSettings = (env: NodeJS.ProcessEnv): Settings => {
  const given = Object.fromEntries(
    Object.keys(fields).flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
  ) as Partial<Record<SettingName, string>>;
  const s = check(given, true, (name) => name) as Required<CheckedSettings>;
  const schema = schemaSetting(s.SCHEMA, s.SCHEMA_S3_KEY);
  return {
    ...(s.TABLE_NAME !== undefined && { tableName: s.TABLE_NAME }),
    sourceBucket: s.SOURCE_BUCKET,
    prefixes: { upload: s.UPLOAD_PREFIX, report: s.REPORT_PREFIX, rejected: s.REJECTED_PREFIX },
    typeMode: s.TYPE_MODE,
    continuationMarginMs: s.CONTINUATION_MARGIN_MS,
    ...(schema && { schema }),
    writeConcurrency: s.WRITE_CONCURRENCY,
    maxWriteAttempts: s.MAX_WRITE_ATTEMPTS,
    ...(s.AWS_LAMBDA_FUNCTION_NAME !== undefined && { functionName: s.AWS_LAMBDA_FUNCTION_NAME }),
    ...(s.LEDGER_TABLE !== undefined && { ledgerTable: s.LEDGER_TABLE }),
    ...(s.DATASETS !== undefined && { datasets: s.DATASETS }),
    writePath: s.WRITE_PATH,
    csvParser: s.CSV_PARSER,
    threads: s.THREADS ?? 'auto',
  };
};
