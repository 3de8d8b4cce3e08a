import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from '@cdktn/hcl2json';
import { z } from 'zod';
import { checkSettings, type SettingName } from '../app/settings.ts';
import { ConfigError } from '../core/errors.ts';
import { WRITE_MODE_PATTERN } from './write-modes.ts';

const keyAttribute = z.object({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) });
const capacity = z.number().int().min(1);
// What the prefixes and settings may hold is checked by checkSettings, as the function checks them.
const prefix = z.string();
const tableDefinition = z.object({
  name: z.string().min(3),
  hash_key: keyAttribute,
  range_key: keyAttribute.nullish(),
  billing_mode: z.enum(['PROVISIONED', 'PAY_PER_REQUEST']).default('PROVISIONED'),
  read_capacity: capacity.default(5),
  write_capacity: capacity.default(5),
});
const dataset = z
  .object({
    table: tableDefinition.nullish(),
    existing_table_name: z.string().min(1).nullish(),
    schema_file: z.string().min(1).nullish(),
    schema_key: z.string().min(1).nullish(),
  })
  .refine((d) => (d.table == null) !== (d.existing_table_name == null), {
    message: 'give a dataset either table (a new table) or existing_table_name, not both',
  });

/** The root module's variables that the local stack uses; the rest of the file is Terraform's business. */
const InfraVariables = z.looseObject({
  project: z.string().min(1),
  region: z.string().min(1),
  table: tableDefinition,
  existing_table_name: z.string().min(1).nullish(),
  upload_prefix: prefix,
  report_prefix: prefix,
  rejected_prefix: prefix,
  type_mode: z.string(),
  continuation_margin_ms: z.number(),
  write_concurrency: z.number(),
  max_write_attempts: z.number(),
  ledger_enabled: z.boolean().default(true),
  datasets: z.record(z.string(), dataset).default({}),
  lambda_timeout_s: z.number().int().min(1).max(900),
  lambda_maximum_retry_attempts: z.number().int().min(0).max(2),
  schema_file: z.string().min(1).nullable(),
  schema_key: z.string().min(1),
  write_modes: z
    .array(
      z
        .string()
        .regex(WRITE_MODE_PATTERN, 'must hold put, upsert or delete, each optionally :absent or :newer')
        .refine((mode) => mode !== 'delete:absent', 'must not hold delete:absent'),
    )
    .default(['put']),
});

export type TableDefinition = {
  readonly name: string;
  readonly partition: z.infer<typeof keyAttribute>;
  readonly sort?: z.infer<typeof keyAttribute>;
  readonly billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  readonly readCapacity: number;
  readonly writeCapacity: number;
};

/** One entry of tfvars' `datasets`: the local stack creates `table` (absent: an existing table, whose key schema tfvars does not hold). */
export type InfraDataset = {
  readonly prefix: string;
  readonly tableName: string;
  readonly table?: TableDefinition;
  /** The schema file (an absolute path) and the key it is uploaded to. */
  readonly schema?: { readonly path: string; readonly key: string };
};

export type InfraConfig = {
  readonly project: string;
  readonly region: string;
  /** With `existingTableName` set, Terraform creates no table; `table` still gives its key schema for a local stand-in. */
  readonly table: TableDefinition;
  readonly existingTableName?: string;
  readonly prefixes: { readonly upload: string; readonly report: string; readonly rejected: string };
  readonly typeMode: 'infer' | 'string';
  readonly continuationMarginMs: number;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  readonly lambdaTimeoutMs: number;
  readonly maxRetryAttempts: number;
  /** The schema file (an absolute path) and the key it is uploaded to, when tfvars names one. */
  readonly schema?: { readonly path: string; readonly key: string };
  /** tfvars' `write_modes`: what the deployed role allows besides what the schema files ask for. */
  readonly writeModes: readonly string[];
  /** The ledger table (LEDGER_TABLE), named as infra/main.tf names it; absent when ledger_enabled is false. */
  readonly ledger?: { readonly name: string };
  /** tfvars' `datasets`, sorted by sub-prefix as Terraform orders a map; DATASETS for the function is `datasetsSetting`. */
  readonly datasets: readonly InfraDataset[];
  /** The DATASETS value the function gets (checked as the function checks it), absent without datasets. */
  readonly datasetsSetting?: string;
  /** Names derived the way infra/main.tf derives them (without the account and region suffix). */
  readonly bucket: string;
  readonly functionName: string;
};

/** tfvars' name of each setting it sets, so a message names what the user wrote. */
const TFVARS_NAMES: Partial<Record<SettingName, string>> = {
  UPLOAD_PREFIX: 'upload_prefix',
  REPORT_PREFIX: 'report_prefix',
  REJECTED_PREFIX: 'rejected_prefix',
  TYPE_MODE: 'type_mode',
  CONTINUATION_MARGIN_MS: 'continuation_margin_ms',
  WRITE_CONCURRENCY: 'write_concurrency',
  MAX_WRITE_ATTEMPTS: 'max_write_attempts',
  DATASETS: 'datasets',
};

/** Where infra/main.tf uploads a dataset's schema file when the dataset names no schema_key. */
export const datasetSchemaKey = (prefix: string): string => `config/datasets/${prefix}schema.json`;

const tableOf = (t: z.infer<typeof tableDefinition>): TableDefinition => ({
  name: t.name,
  partition: t.hash_key,
  ...(t.range_key && { sort: t.range_key }),
  billingMode: t.billing_mode,
  readCapacity: t.read_capacity,
  writeCapacity: t.write_capacity,
});

const parseHcl = async (path: string): Promise<Record<string, unknown>> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  try {
    return await parse(path, text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid HCL: ${(error as Error).message}`);
  }
};

/** Top-level `default`s of the variable blocks: what Terraform uses for a variable tfvars leaves out. */
const variableDefaults = (variables: Record<string, unknown>): Record<string, unknown> => {
  const blocks = (variables.variable ?? {}) as Record<string, { default?: unknown }[]>;
  return Object.fromEntries(
    Object.entries(blocks).flatMap(([name, [block]]) =>
      block && 'default' in block ? [[name, block.default]] : [],
    ),
  );
};

/** hcl2json turns expressions into "${…}" strings; the local stack can only use literal values. */
const findExpression = (value: unknown, path: string): string | undefined => {
  if (typeof value === 'string') return value.includes('${') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [name, inner] of Object.entries(value)) {
    const found = findExpression(inner, `${path}.${name}`);
    if (found) return found;
  }
  return undefined;
};

/**
 * Reads infra/terraform.tfvars (over the defaults in infra/variables.tf): the one source of truth for the
 * table, prefixes and settings, so the local stack matches what Terraform deploys.
 */
export const readInfraConfig = async (infraDir: string): Promise<InfraConfig> => {
  const tfvarsPath = join(infraDir, 'terraform.tfvars');
  const shown = relative(process.cwd(), tfvarsPath) || tfvarsPath;
  const [variables, tfvars] = await Promise.all([
    parseHcl(join(infraDir, 'variables.tf')),
    parseHcl(tfvarsPath),
  ]);
  const values = { ...variableDefaults(variables), ...tfvars };
  for (const [name, value] of Object.entries(values)) {
    const expression = findExpression(value, name);
    if (expression) {
      throw new ConfigError(
        `${shown}: ${expression} is an expression; the local stack reads literal values only`,
      );
    }
  }
  const result = InfraVariables.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'} ${issue.message}`,
    );
    throw new ConfigError(`${shown}: ${problems.join('; ')}`);
  }
  const v = result.data;
  const datasets = Object.entries(v.datasets)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([prefix, d]): InfraDataset => {
      const schemaFile = d.schema_file ?? undefined;
      return {
        prefix,
        tableName: d.table?.name ?? (d.existing_table_name as string),
        ...(d.table && { table: tableOf(d.table) }),
        ...(schemaFile !== undefined && {
          schema: { path: join(infraDir, schemaFile), key: d.schema_key ?? datasetSchemaKey(prefix) },
        }),
      };
    });
  const datasetsSetting =
    datasets.length === 0
      ? undefined
      : JSON.stringify(
          Object.fromEntries(
            datasets.map((d) => [
              d.prefix,
              { table: d.tableName, ...(d.schema && { schemaKey: d.schema.key }) },
            ]),
          ),
        );
  // The function's own rules, named as tfvars names them.
  const settings: Partial<Record<SettingName, string>> = {
    UPLOAD_PREFIX: v.upload_prefix,
    REPORT_PREFIX: v.report_prefix,
    REJECTED_PREFIX: v.rejected_prefix,
    TYPE_MODE: v.type_mode,
    CONTINUATION_MARGIN_MS: String(v.continuation_margin_ms),
    WRITE_CONCURRENCY: String(v.write_concurrency),
    MAX_WRITE_ATTEMPTS: String(v.max_write_attempts),
    ...(datasetsSetting !== undefined && { DATASETS: datasetsSetting }),
  };
  if (v.continuation_margin_ms >= v.lambda_timeout_s * 1000) {
    // As infra/variables.tf refuses it: every invocation would hand its file over before reading a row.
    throw new ConfigError(
      `${shown}: continuation_margin_ms (${v.continuation_margin_ms}) must be below lambda_timeout_s (${v.lambda_timeout_s} s)`,
    );
  }
  let checked: ReturnType<typeof checkSettings>;
  try {
    checked = checkSettings(settings, (name) => TFVARS_NAMES[name] ?? name);
  } catch (error) {
    throw new ConfigError(`${shown}: ${(error as Error).message.replace(/^invalid settings: /, '')}`);
  }
  return {
    project: v.project,
    region: v.region,
    table: tableOf(v.table),
    ...(v.existing_table_name != null && { existingTableName: v.existing_table_name }),
    prefixes: { upload: v.upload_prefix, report: v.report_prefix, rejected: v.rejected_prefix },
    typeMode: checked.TYPE_MODE as 'infer' | 'string',
    continuationMarginMs: checked.CONTINUATION_MARGIN_MS as number,
    writeConcurrency: checked.WRITE_CONCURRENCY as number,
    maxWriteAttempts: checked.MAX_WRITE_ATTEMPTS as number,
    lambdaTimeoutMs: v.lambda_timeout_s * 1000,
    maxRetryAttempts: v.lambda_maximum_retry_attempts,
    ...(v.schema_file !== null && { schema: { path: join(infraDir, v.schema_file), key: v.schema_key } }),
    writeModes: v.write_modes,
    ...(v.ledger_enabled && { ledger: { name: `${v.project}-ledger` } }),
    datasets,
    ...(datasetsSetting !== undefined && { datasetsSetting }),
    bucket: `${v.project}-source`,
    functionName: `${v.project}-ingest`,
  };
};
