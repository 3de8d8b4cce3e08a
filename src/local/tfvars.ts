import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from '@cdktn/hcl2json';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

const keyAttribute = z.object({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) });
const capacity = z.number().int().min(1);
const prefix = z.string().regex(/^[^/].*\/$/, 'must be a key prefix ending with "/"');

/** The root module's variables that the local stack uses; the rest of the file is Terraform's business. */
const InfraVariables = z.looseObject({
  project: z.string().min(1),
  region: z.string().min(1),
  table: z.object({
    name: z.string().min(3),
    hash_key: keyAttribute,
    range_key: keyAttribute.nullish(),
    billing_mode: z.enum(['PROVISIONED', 'PAY_PER_REQUEST']),
    read_capacity: capacity,
    write_capacity: capacity,
  }),
  upload_prefix: prefix,
  report_prefix: prefix,
  rejected_prefix: prefix,
  type_mode: z.enum(['infer', 'string']),
  continuation_margin_ms: z.number().int().min(0),
  write_concurrency: z.number().int().min(1).max(64),
  max_write_attempts: z.number().int().min(1).max(100),
  lambda_timeout_s: z.number().int().min(1).max(900),
  lambda_maximum_retry_attempts: z.number().int().min(0).max(2),
  schema_file: z.string().min(1).nullable(),
  schema_key: z.string().min(1),
});

export type InfraConfig = {
  readonly project: string;
  readonly region: string;
  readonly table: {
    readonly name: string;
    readonly partition: z.infer<typeof keyAttribute>;
    readonly sort?: z.infer<typeof keyAttribute>;
    readonly billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
    readonly readCapacity: number;
    readonly writeCapacity: number;
  };
  readonly prefixes: { readonly upload: string; readonly report: string; readonly rejected: string };
  readonly typeMode: 'infer' | 'string';
  readonly continuationMarginMs: number;
  readonly writeConcurrency: number;
  readonly maxWriteAttempts: number;
  readonly lambdaTimeoutMs: number;
  readonly maxRetryAttempts: number;
  /** The schema file (an absolute path) and the key it is uploaded to, when tfvars names one. */
  readonly schema?: { readonly path: string; readonly key: string };
  /** Names derived the way infra/main.tf derives them (without the account and region suffix). */
  readonly bucket: string;
  readonly functionName: string;
};

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
  return {
    project: v.project,
    region: v.region,
    table: {
      name: v.table.name,
      partition: v.table.hash_key,
      ...(v.table.range_key && { sort: v.table.range_key }),
      billingMode: v.table.billing_mode,
      readCapacity: v.table.read_capacity,
      writeCapacity: v.table.write_capacity,
    },
    prefixes: { upload: v.upload_prefix, report: v.report_prefix, rejected: v.rejected_prefix },
    typeMode: v.type_mode,
    continuationMarginMs: v.continuation_margin_ms,
    writeConcurrency: v.write_concurrency,
    maxWriteAttempts: v.max_write_attempts,
    lambdaTimeoutMs: v.lambda_timeout_s * 1000,
    maxRetryAttempts: v.lambda_maximum_retry_attempts,
    ...(v.schema_file !== null && { schema: { path: join(infraDir, v.schema_file), key: v.schema_key } }),
    bucket: `${v.project}-source`,
    functionName: `${v.project}-ingest`,
  };
};
