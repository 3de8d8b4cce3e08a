import { access, readFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkSettings, type SettingName } from '../app/settings.ts';
import { describeTable, type TableInfo } from '../aws/dynamodb-table.ts';
import { type Delimiter, type DialectSpec, ENCODINGS } from '../core/dialect.ts';
import { ConfigError } from '../core/errors.ts';
import type { Prefixes } from '../core/object-key.ts';
import { parseSchema, type Schema } from '../core/schema/schema.ts';
import type { PrefixOptions } from './program.ts';

/** A bad argument: the CLI prints it and exits 2. */
export const badArgument = (message: string) => new ConfigError(message);

export const wholeNumber = (name: string, text: string, min: number, max: number): number => {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badArgument(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
};

/** A local input file, or a bad argument saying there is none. */
export const checkFileExists = (path: string): Promise<void> =>
  access(path).catch(() => {
    throw badArgument(`${path}: no such file`);
  });

export const parseS3Url = (url: string): { bucket: string; key: string } => {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw badArgument(`${JSON.stringify(url)} is not an s3://bucket/key URL`);
  return { bucket: match[1] as string, key: match[2] as string };
};

/** The CLI's names for the settings its flags carry. */
const FLAGS: Partial<Record<SettingName, string>> = {
  UPLOAD_PREFIX: '--upload-prefix',
  REPORT_PREFIX: '--report-prefix',
  REJECTED_PREFIX: '--rejected-prefix',
  WRITE_CONCURRENCY: '--concurrency',
  MAX_WRITE_ATTEMPTS: '--max-attempts',
  TYPE_MODE: '--type-mode',
  THREADS: '--threads',
};
const flagOf = (name: SettingName) => FLAGS[name] ?? name;

/** The prefixes, checked by the function's own settings rules (named as the flags that carry them). */
export const readPrefixes = (options: PrefixOptions): Prefixes => {
  const checked = checkSettings(
    {
      UPLOAD_PREFIX: options.uploadPrefix,
      REPORT_PREFIX: options.reportPrefix,
      REJECTED_PREFIX: options.rejectedPrefix,
    },
    flagOf,
  );
  return {
    upload: checked.UPLOAD_PREFIX as string,
    report: checked.REPORT_PREFIX as string,
    rejected: checked.REJECTED_PREFIX as string,
  };
};

/** A flag that carries one of the function's settings, checked by the same rule as the setting. */
export const settingArg = (name: 'WRITE_CONCURRENCY' | 'MAX_WRITE_ATTEMPTS', text: string): number =>
  checkSettings({ [name]: text }, flagOf)[name] as number;

/** `--threads`, checked by the rule of THREADS: `auto` or how many threads in all. */
export const threadsArg = (text: string): 'auto' | number =>
  checkSettings({ THREADS: text }, flagOf).THREADS as 'auto' | number;

/** `--type-mode`, checked by the rule of TYPE_MODE. */
export const typeModeArg = (text: string): 'infer' | 'string' =>
  checkSettings({ TYPE_MODE: text }, flagOf).TYPE_MODE as 'infer' | 'string';

const DELIMITER_NAMES: Readonly<Record<string, Delimiter>> = {
  ',': ',',
  ';': ';',
  '|': '|',
  tab: '\t',
  '\t': '\t',
};

/** `--delimiter` (`,` `;` `|` or `tab`) and `--encoding`, when given: they go over the schema's `csv` block. */
export const dialectArgs = (args: { delimiter?: string; encoding?: string }): DialectSpec => {
  const delimiter = args.delimiter === undefined ? undefined : DELIMITER_NAMES[args.delimiter];
  if (args.delimiter !== undefined && delimiter === undefined) {
    throw badArgument(`--delimiter must be one of , ; | tab, not ${JSON.stringify(args.delimiter)}`);
  }
  const encoding = ENCODINGS.find((name) => name === args.encoding?.toLowerCase());
  if (args.encoding !== undefined && encoding === undefined) {
    throw badArgument(
      `--encoding must be one of ${ENCODINGS.join(', ')}, not ${JSON.stringify(args.encoding)}`,
    );
  }
  return { ...(delimiter && { delimiter }), ...(encoding && { encoding }) };
};

/** A schema file, checked before anything is written: an invalid schema is a bad argument. */
export const readSchemaFile = async (path: string): Promise<Schema> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw badArgument(`--schema ${path} cannot be read (${error.code ?? error.message})`);
  });
  return parseSchema(text, path);
};

/** The table's key schema and capacity, or a clear message when the table is not there. */
export const readTable = async (dynamodb: DynamoDBClient, tableName: string): Promise<TableInfo> => {
  try {
    return await describeTable(dynamodb, tableName);
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    const region = await dynamodb.config.region();
    throw badArgument(`table ${tableName} does not exist (region ${region})`);
  }
};
