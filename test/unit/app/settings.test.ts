import { describe, expect, it } from 'vitest';
import { checkSettings, readSettings } from '../../../src/app/settings.ts';
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
      writePath: 'lean',
      csvParser: 'chunked',
      threads: 'auto',
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
        LEDGER_TABLE: 'csv2ddb-ledger',
        WRITE_PATH: 'sdk',
        CSV_PARSER: 'csv-parse',
        THREADS: '3',
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
      ledgerTable: 'csv2ddb-ledger',
      writePath: 'sdk',
      csvParser: 'csv-parse',
      threads: 3,
    });
  });

  it.each([
    ['auto', 'auto'],
    ['1', 1],
    ['4', 4],
  ])('accepts THREADS=%s', (value, threads) => {
    expect(readSettings({ ...REQUIRED, THREADS: value }).threads).toBe(threads);
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
    ['TABLE_NAME', { SOURCE_BUCKET: 'source' }, 'TABLE_NAME is required (or set DATASETS)'],
    ['SOURCE_BUCKET', { TABLE_NAME: 'items' }, 'SOURCE_BUCKET is required'],
    [
      'TABLE_NAME',
      { ...REQUIRED, TABLE_NAME: '' },
      'TABLE_NAME must not be empty (unset it for no default table: only DATASETS) (got "")',
    ],
    [
      'LEDGER_TABLE',
      { ...REQUIRED, LEDGER_TABLE: '' },
      'LEDGER_TABLE must not be empty (unset it for no ledger) (got "")',
    ],
    ['WRITE_PATH', { ...REQUIRED, WRITE_PATH: 'fast' }, 'WRITE_PATH must be "lean" or "sdk" (got "fast")'],
    [
      'CSV_PARSER',
      { ...REQUIRED, CSV_PARSER: 'fast' },
      'CSV_PARSER must be "chunked" or "csv-parse" (got "fast")',
    ],
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
      'CONTINUATION_MARGIN_MS must be a whole number from 1000 to 900000 (got "1m")',
    ],
    [
      'CONTINUATION_MARGIN_MS',
      { ...REQUIRED, CONTINUATION_MARGIN_MS: '-5' },
      'CONTINUATION_MARGIN_MS must be a whole number from 1000 to 900000 (got "-5")',
    ],
    [
      'CONTINUATION_MARGIN_MS',
      { ...REQUIRED, CONTINUATION_MARGIN_MS: '999' },
      'CONTINUATION_MARGIN_MS must be a whole number from 1000 to 900000 (got "999")',
    ],
    [
      'CONTINUATION_MARGIN_MS',
      { ...REQUIRED, CONTINUATION_MARGIN_MS: '900001' },
      'CONTINUATION_MARGIN_MS must be a whole number from 1000 to 900000 (got "900001")',
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
      'THREADS',
      { ...REQUIRED, THREADS: '0' },
      'THREADS must be "auto" or a whole number from 1 to 4 (got "0")',
    ],
    [
      'THREADS',
      { ...REQUIRED, THREADS: '5' },
      'THREADS must be "auto" or a whole number from 1 to 4 (got "5")',
    ],
    [
      'THREADS',
      { ...REQUIRED, THREADS: 'two' },
      'THREADS must be "auto" or a whole number from 1 to 4 (got "two")',
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
      'invalid settings: SOURCE_BUCKET is required; TYPE_MODE must be "infer" or "string" (got "x"); WRITE_CONCURRENCY must be a whole number from 1 to 64 (got "many"); TABLE_NAME is required (or set DATASETS)',
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

  it.each([
    ['the margin at its bounds', { CONTINUATION_MARGIN_MS: '1000' }, { continuationMarginMs: 1000 }],
    ['the margin at its top', { CONTINUATION_MARGIN_MS: '900000' }, { continuationMarginMs: 900_000 }],
    ['no TABLE_NAME when DATASETS is set', { TABLE_NAME: undefined, DATASETS: '{"a/":{"table":"A"}}' }, {}],
  ])('accepts %s', (_what, env, expected) => {
    expect(readSettings({ ...REQUIRED, ...env })).toMatchObject(expected);
  });
});

describe('DATASETS', () => {
  const datasets = (value: unknown, env: NodeJS.ProcessEnv = {}) =>
    readSettings({
      SOURCE_BUCKET: 'source',
      ...env,
      DATASETS: typeof value === 'string' ? value : JSON.stringify(value),
    }).datasets;

  it('reads each dataset, longest sub-prefix first, with its schema as a schema setting', () => {
    expect(
      datasets({
        'orders/': { table: 'Orders', schemaKey: 'config/orders.json' },
        'orders/eu/': { table: 'OrdersEu', schema: { columns: {} } },
        'customers/': { table: 'Customers' },
      }),
    ).toEqual([
      { prefix: 'orders/eu/', table: 'OrdersEu', schema: { inline: '{"columns":{}}' } },
      { prefix: 'customers/', table: 'Customers' },
      { prefix: 'orders/', table: 'Orders', schema: { s3Key: 'config/orders.json' } },
    ]);
  });

  it('keeps TABLE_NAME beside DATASETS for the keys no dataset matches', () => {
    const settings = readSettings({ ...REQUIRED, DATASETS: '{"a/":{"table":"A"}}' });
    expect(settings.tableName).toBe('items');
    expect(settings.datasets).toEqual([{ prefix: 'a/', table: 'A' }]);
  });

  it.each([
    // A dataset's schema is checked per file, like SCHEMA: carried, not judged here.
    ['a schema that is no schema', { 'a/': { table: 'A', schema: 5 } }, { inline: '5' }],
    [
      'an empty schemaKey',
      { 'a/': { table: 'A', schemaKey: '' } },
      { invalid: 'invalid schema: DATASETS "a/" has an empty "schemaKey"' },
    ],
  ])('carries %s on to its files', (_what, value, schema) => {
    expect(datasets(value)?.[0]?.schema).toEqual(schema);
  });

  it.each<[string, unknown, RegExp, NodeJS.ProcessEnv?]>([
    ['not JSON', '{orders/: 1}', /^DATASETS is not JSON \(/],
    ['not an object', '["orders/"]', /^DATASETS must be a JSON object of sub-prefix to/],
    ['empty', {}, /^DATASETS names no dataset \(unset it for none\)$/],
    [
      'a sub-prefix without "/"',
      { orders: { table: 'Orders' } },
      /^DATASETS dataset "orders" must be a sub-prefix ending in "\/"$/,
    ],
    [
      'a sub-prefix that repeats UPLOAD_PREFIX',
      { 'incoming/orders/': { table: 'Orders' } },
      /^DATASETS dataset "incoming\/orders\/" repeats UPLOAD_PREFIX "incoming\/": write the sub-prefix after it \("orders\/"\)$/,
    ],
    [
      'a dataset under an output prefix (with an empty UPLOAD_PREFIX)',
      { 'reports/x/': { table: 'X' } },
      /^DATASETS dataset "reports\/x\/" lies under REPORT_PREFIX "reports\/"$/,
      { UPLOAD_PREFIX: '' },
    ],
    [
      'a missing table',
      { 'orders/': { schemaKey: 'o.json' } },
      /^DATASETS dataset "orders\/" has no "table"/,
    ],
    [
      'an empty table',
      { 'orders/': { table: '' } },
      /^DATASETS dataset "orders\/" "table" must not be empty$/,
    ],
    [
      'a table that is no name',
      { 'orders/': { table: 5 } },
      /^DATASETS dataset "orders\/" "table" must be a table name$/,
    ],
    [
      'a value that is no object',
      { 'orders/': 'Orders' },
      /^DATASETS dataset "orders\/" must be an object such as/,
    ],
    [
      'both schema and schemaKey',
      { 'orders/': { table: 'Orders', schema: {}, schemaKey: 'o.json' } },
      /^DATASETS dataset "orders\/" sets both "schema" and "schemaKey": set one$/,
    ],
    [
      'an unknown member',
      { 'orders/': { table: 'Orders', schemakey: 'o.json' } },
      /^DATASETS dataset "orders\/" has an unknown member "schemakey"/,
    ],
  ])(
    'fails the invocation for %s, naming the dataset',
    (_what, value, message, env: NodeJS.ProcessEnv = {}) => {
      const text = problem({
        SOURCE_BUCKET: 'source',
        ...env,
        DATASETS: typeof value === 'string' ? value : JSON.stringify(value),
      });
      expect(text.replace(/^invalid settings: /, '')).toMatch(message);
    },
  );

  it('names every bad dataset at once', () => {
    expect(problem({ ...REQUIRED, DATASETS: '{"a":{"table":"A"},"b/":{}}' })).toBe(
      'invalid settings: DATASETS dataset "a" must be a sub-prefix ending in "/"; DATASETS dataset "b/" has no "table": name the table its files go to',
    );
  });
});

describe('checkSettings()', () => {
  it('checks only the settings it is given, and returns them parsed', () => {
    expect(checkSettings({ UPLOAD_PREFIX: '', CONTINUATION_MARGIN_MS: '5000' })).toEqual({
      UPLOAD_PREFIX: '',
      CONTINUATION_MARGIN_MS: 5000,
    });
  });

  it.each([
    ['an empty report prefix', { REPORT_PREFIX: '' }, 'report_prefix must not be empty'],
    [
      'a margin below a second',
      { CONTINUATION_MARGIN_MS: '500' },
      'continuation_margin_ms must be a whole number from 1000 to 900000 (got "500")',
    ],
    [
      'an output prefix holding the upload prefix, both named as the caller names them',
      { UPLOAD_PREFIX: 'out/in/', REJECTED_PREFIX: 'out/' },
      'rejected_prefix must not hold upload_prefix "out/in/": no upload would ever be processed (got "out/")',
    ],
    [
      'a dataset against the default upload prefix',
      { DATASETS: '{"incoming/a/":{"table":"A"}}' },
      'datasets dataset "incoming/a/" repeats upload_prefix "incoming/"',
    ],
  ])('names %s', (_what, values, message) => {
    expect(() => checkSettings(values, (name) => name.toLowerCase())).toThrow(message);
  });

  it('does not ask for the required settings it is not given', () => {
    expect(checkSettings({ TYPE_MODE: 'string' })).toEqual({ TYPE_MODE: 'string' });
  });

  it('reads DATASETS', () => {
    expect(checkSettings({ DATASETS: '{"a/":{"table":"A"}}' }).DATASETS).toEqual([
      { prefix: 'a/', table: 'A' },
    ]);
  });
});
