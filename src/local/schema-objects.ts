import { readFile } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.ts';
import type { InfraConfig } from './tfvars.ts';
import { schemaWriteModes } from './write-modes.ts';

/** Where infra/terraform.tfvars puts the schema object unless it says otherwise (`schema_key`). */
const DEFAULT_SCHEMA_KEY = 'config/schema.json';

/** The configuration with `schemaFile` (`npm start -- --schema`) instead of tfvars' `schema_file`. */
export const withSchemaFile = (config: InfraConfig, schemaFile: string | undefined): InfraConfig =>
  schemaFile === undefined
    ? config
    : { ...config, schema: { path: schemaFile, key: config.schema?.key ?? DEFAULT_SCHEMA_KEY } };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Uploads the schema objects as the s3_object module does (SCHEMA_S3_KEY's and each dataset's) and
 * answers the write modes, as infra/write_modes.tf grants them: tfvars' `write_modes` and those the
 * schemas' `write` blocks ask for (a schema that is not JSON fails its files, and adds none).
 */
export const uploadSchemas = async (s3: S3Client, config: InfraConfig): Promise<Set<string>> => {
  const writeModes = new Set(config.writeModes);
  const schemas = [
    ...(config.schema ? [['schema_file', config.schema] as const] : []),
    ...config.datasets.flatMap((d) =>
      d.schema ? [[`datasets["${d.prefix}"].schema_file`, d.schema] as const] : [],
    ),
  ];
  for (const [name, { path, key }] of schemas) {
    const schema = await readFile(path).catch(() => {
      throw new ConfigError(`${name} ${path} cannot be read`);
    });
    for (const mode of schemaWriteModes(parseJson(schema.toString('utf8')))) writeModes.add(mode);
    await s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: key,
        Body: schema,
        ContentType: 'application/json',
      }),
    );
  }
  return writeModes;
};
