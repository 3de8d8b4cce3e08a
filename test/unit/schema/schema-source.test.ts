import { type GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createPlanFactory, createSchemaSource } from '../../../src/app/schema-source.ts';
import { ErrorCode, FileError } from '../../../src/core/errors.ts';
import type { KeySchema } from '../../../src/core/key-schema.ts';

// Only SCHEMA_S3_KEY talks to S3 (see test/integration/schema.test.ts); this client is never called.
const s3 = new S3Client({ region: 'us-east-1' });
const KEYS: KeySchema = { partition: { name: 'ID', type: 'N' } };
const CONTEXT = { bucket: 'source', key: 'incoming/a.csv', now: new Date('2024-01-01T00:00:00.000Z') };

const planFor = (setting: Parameters<typeof createSchemaSource>[2]) =>
  createPlanFactory(createSchemaSource(s3, 'source', setting), KEYS, 'infer');

const failure = async (promise: Promise<unknown>): Promise<FileError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FileError);
  return error as FileError;
};

describe('createPlanFactory()', () => {
  it('uses the default rules without a schema', async () => {
    const plan = await planFor(undefined)(['ID', 'Name'], CONTEXT);
    expect(plan.columns.map(({ attribute }) => attribute)).toEqual(['Name']);
    expect(plan.additions).toEqual([]);
  });

  it('compiles the inline SCHEMA for each file', async () => {
    const plan = await planFor({ inline: '{"columns":{"Name":{"name":"name"}},"add":{"row":"{row}"}}' })(
      ['ID', 'Name'],
      CONTEXT,
    );
    expect(plan.columns.map(({ attribute }) => attribute)).toEqual(['name']);
    expect(plan.additions.map(({ attribute }) => attribute)).toEqual(['row']);
  });

  it.each([
    [
      { inline: '{"otherColumns":"keep"}' },
      'invalid schema: otherColumns must be one of infer, string, drop, reject (got "keep")',
    ],
    [
      { inline: '{"columns":{"ID":{"type":"S"}}}' },
      /^invalid schema: columns."ID".type S differs from the table's type N/,
    ],
    [
      { invalid: 'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both' },
      'invalid schema: set SCHEMA or SCHEMA_S3_KEY, not both',
    ],
    [{ inline: '' }, /^invalid schema: not valid JSON \(/],
  ])('fails the file with SCHEMA_INVALID for %j', async (setting, message) => {
    const error = await failure(planFor(setting)(['ID'], CONTEXT));
    expect(error.code).toBe(ErrorCode.SCHEMA_INVALID);
    expect(error.message).toMatch(message);
  });

  it('passes on the file errors of a schema that does not fit the header', async () => {
    const error = await failure(planFor({ inline: '{"otherColumns":"reject"}' })(['ID', 'x'], CONTEXT));
    expect(error.code).toBe(ErrorCode.CSV_UNLISTED_COLUMN);
  });
});

describe('a column schema from SCHEMA_S3_KEY, pinned by a continued file', () => {
  // S3 answers If-Match on a replaced object with 412, which s3rver never does (it ignores If-Match,
  // a case test/integration/continuation.test.ts covers): a client that only gives that answer.
  const preconditionFailed = {
    send: async (command: GetObjectCommand) => {
      expect(command.input.IfMatch).toBe('"v1"');
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      });
    },
  } as unknown as S3Client;

  it('fails the file with SCHEMA_CHANGED when S3 refuses the version it started with', async () => {
    const plan = createPlanFactory(
      createSchemaSource(preconditionFailed, 'source', { s3Key: 'config/schema.json' }),
      KEYS,
      'infer',
    );
    const error = await failure(plan(['ID'], { ...CONTEXT, schemaVersion: '"v1"' }));
    expect(error.code).toBe(ErrorCode.SCHEMA_CHANGED);
    expect(error.message).toMatch(
      /^the column schema s3:\/\/source\/config\/schema.json was replaced while this file was being processed \(it started with version "v1"\)/,
    );
  });
});
