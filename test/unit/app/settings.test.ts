import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/app/settings.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const REQUIRED = { TABLE_NAME: 'items', SOURCE_BUCKET: 'source' };

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    readSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the settings were accepted');
};

describe('readSettings()', () => {
  it('gives every optional setting its documented default', () => {
    expect(readSettings(REQUIRED)).toEqual({
      tableName: 'items',
      sourceBucket: 'source',
      prefixes: { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' },
      typeMode: 'infer',
      continuationMarginMs: 60_000,
      writeConcurrency: 16,
      maxWriteAttempts: 10,
    });
  });

  it('reads every setting it is given', () => {
    expect(
      readSettings({
        ...REQUIRED,
        UPLOAD_PREFIX: 'in/',
        REPORT_PREFIX: 'out/reports/',
        REJECTED_PREFIX: 'out/rejected/',
        TYPE_MODE: 'string',
        CONTINUATION_MARGIN_MS: '30000',
        SCHEMA_S3_KEY: 'config/schema.json',
        WRITE_CONCURRENCY: '4',
        MAX_WRITE_ATTEMPTS: '3',
        AWS_LAMBDA_FUNCTION_NAME: 'csv2ddb',
      }),
    ).toEqual({
      tableName: 'items',
      sourceBucket: 'source',
      prefixes: { upload: 'in/', report: 'out/reports/', rejected: 'out/rejected/' },
      typeMode: 'string',
      continuationMarginMs: 30_000,
      schema: { s3Key: 'config/schema.json' },
      writeConcurrency: 4,
      maxWriteAttempts: 3,
      functionName: 'csv2ddb',
    });
  });

  it('ignores variables it does not know', () => {
    expect(readSettings({ ...REQUIRED, PATH: '/usr/bin', AWS_REGION: 'eu-west-1' }).tableName).toBe('items');
  });

  it.each([
    ['an empty UPLOAD_PREFIX: the whole bucket', { UPLOAD_PREFIX: '' }, { upload: '' }],
    [
      'prefixes without a trailing slash, joined as they are',
      { UPLOAD_PREFIX: 'in', REPORT_PREFIX: 'out-' },
      { upload: 'in', report: 'out-' },
    ],
    [
      'reports and rejected rows under one prefix',
      { REPORT_PREFIX: 'out/', REJECTED_PREFIX: 'out/' },
      { report: 'out/', rejected: 'out/' },
    ],
    [
      'outputs under the upload prefix',
      { UPLOAD_PREFIX: 'data/', REPORT_PREFIX: 'data/reports/' },
      { upload: 'data/', report: 'data/reports/' },
    ],
  ])('accepts %s', (_what, env, prefixes) => {
    expect(readSettings({ ...REQUIRED, ...env }).prefixes).toMatchObject(prefixes);
  });

  it.each([
    ['TABLE_NAME', { SOURCE_BUCKET: 'source' }, 'TABLE_NAME is required'],
    ['SOURCE_BUCKET', { TABLE_NAME: 'items' }, 'SOURCE_BUCKET is required'],
    ['TABLE_NAME', { ...REQUIRED, TABLE_NAME: '' }, 'TABLE_NAME is required (got "")'],
    [
      'TYPE_MODE',
      { ...REQUIRED, TYPE_MODE: 'numbers' },
      'TYPE_MODE must be "infer" or "string" (got "numbers")',
    ],
    [
      'TYPE_MODE',
      { ...REQUIRED, TYPE_MODE: 'STRING' },
      'TYPE_MODE must be "infer" or "string" (got "STRING")',
    ],
    [
      'CONTINUATION_MARGIN_MS',
      { ...REQUIRED, CONTINUATION_MARGIN_MS: '1m' },
      'CONTINUATION_MARGIN_MS must be a whole number from 0 to 900000 (got "1m")',
    ],
    [
      'CONTINUATION_MARGIN_MS',
      { ...REQUIRED, CONTINUATION_MARGIN_MS: '-5' },
      'CONTINUATION_MARGIN_MS must be a whole number from 0 to 900000 (got "-5")',
    ],
    [
      'WRITE_CONCURRENCY',
      { ...REQUIRED, WRITE_CONCURRENCY: '0' },
      'WRITE_CONCURRENCY must be a whole number from 1 to 64 (got "0")',
    ],
    [
      'MAX_WRITE_ATTEMPTS',
      { ...REQUIRED, MAX_WRITE_ATTEMPTS: '2.5' },
      'MAX_WRITE_ATTEMPTS must be a whole number from 1 to 100 (got "2.5")',
    ],
    [
      'REPORT_PREFIX',
      { ...REQUIRED, REPORT_PREFIX: '' },
      'REPORT_PREFIX must not be empty: every key would be under it, so no upload would ever be processed (got "")',
    ],
    [
      'REJECTED_PREFIX',
      { ...REQUIRED, UPLOAD_PREFIX: 'rejected/in/' },
      'REJECTED_PREFIX must not hold UPLOAD_PREFIX "rejected/in/": no upload would ever be processed',
    ],
  ])('names %s when it is bad', (_name, env, message) => {
    expect(problem(env)).toBe(`invalid settings: ${message}`);
  });

  it('names every bad variable at once', () => {
    expect(problem({ TYPE_MODE: 'x', WRITE_CONCURRENCY: 'many' })).toBe(
      'invalid settings: TABLE_NAME is required; SOURCE_BUCKET is required; TYPE_MODE must be "infer" or "string" (got "x"); WRITE_CONCURRENCY must be a whole number from 1 to 64 (got "many")',
    );
  });

  it('reads an inline schema', () => {
    expect(readSettings({ ...REQUIRED, SCHEMA: '{"columns":{}}' }).schema).toEqual({
      inline: '{"columns":{}}',
    });
  });

  it('turns an empty SCHEMA or SCHEMA_S3_KEY into an invalid schema, which fails each file, not the function', () => {
    expect(readSettings({ ...REQUIRED, SCHEMA: '' }).schema).toEqual({ inline: '' });
    expect(readSettings({ ...REQUIRED, SCHEMA_S3_KEY: '' }).schema).toEqual({
      invalid: 'invalid schema: SCHEMA_S3_KEY is empty (unset it for no schema)',
    });
  });

  it('turns SCHEMA and SCHEMA_S3_KEY together into an invalid schema, which fails each file, not the function', () => {
    expect(readSettings({ ...REQUIRED, SCHEMA: '{}', SCHEMA_S3_KEY: 'schema.json' }).schema).toEqual({
      invalid: 'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both',
    });
  });
});
