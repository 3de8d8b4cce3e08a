import { randomUUID } from 'node:crypto';
import { ConfigError, ErrorCode, FileError } from './errors.ts';
import { MAX_REPORTED_ERRORS, type ResumePoint } from './ingest.ts';
import { INFERRED_TYPES } from './type-tally.ts';
import type { WriterStats } from './write-contract.ts';
import * as z from './zod.ts';

/**
 * A file's progress as it passes from one invocation of the function to the next: the object
 * (pinned to the version read first), where to resume, and everything the final report adds up.
 */
export type FileTask = {
  readonly bucket: string;
  readonly key: string;
  /** The key without the upload prefix: names the report and the rejected rows. */
  readonly rest: string;
  readonly gzip: boolean;
  readonly versionId?: string;
  readonly eTag?: string;
  /** The S3 event's `sequencer` (unset for an event not sent by S3): orders uploads of one key in the ledger. */
  readonly sequencer?: string;
  /**
   * A random id for this processing chain of the upload (its first invocation and continuations):
   * its ledger claim, and the names of its rejected-rows parts, which two chains never share.
   * Unset in continuations of a version that had none.
   */
  readonly chain?: string;
  /** When the first invocation took the file: the report's start and the schema's `{now}`. */
  readonly startedAt: string;
  /** The version (S3 ETag) of the column schema the file started with, when it came from S3. */
  readonly schemaVersion?: string;
  /** The table the file started writing (its DATASETS route): a continuation routed elsewhere fails. */
  readonly table?: string;
  /** Unset until some of the file has been read. */
  readonly resume?: ResumePoint;
  /** Invocations that have worked on the file so far. */
  readonly invocations: number;
  readonly writes: WriterStats;
  /** The invocations that wrote rejected rows to a part object, in order. */
  readonly parts: readonly number[];
};

export type ContinuationPayload = {
  readonly csv2ddb: 'continuation';
  readonly version: 1;
  readonly file: FileTask;
};

/** Lambda refuses asynchronous events over 256 KB; the rest is room for the request around it. */
export const MAX_PAYLOAD_BYTES = 250_000;
const MAX_MESSAGE_LENGTH = 1_000;

const count = z.int().check(z.nonnegative());
const text = z.string().check(z.minLength(1));
const positive = z.int().check(z.positive());

const ContinuationSchema = z.strictObject({
  csv2ddb: z.literal('continuation'),
  version: z.literal(1),
  file: z.strictObject({
    bucket: text,
    key: text,
    rest: text,
    gzip: z.boolean(),
    versionId: z.optional(text),
    eTag: z.optional(text),
    sequencer: z.optional(text),
    chain: z.optional(text),
    startedAt: z.iso.datetime(),
    schemaVersion: z.optional(text),
    table: z.optional(text),
    resume: z.optional(
      z.strictObject({
        header: z.array(text).check(z.minLength(1)),
        offset: positive,
        counts: z.strictObject({
          rowsRead: count,
          rowsWritten: count,
          rowsRejected: count,
          rowsSkipped: z.optional(count),
          rowsDeleted: z.optional(count),
        }),
        errors: z
          .array(
            z.strictObject({
              row: z.optional(positive),
              message: z.string(),
              code: z.optional(z.string()),
            }),
          )
          .check(z.maxLength(MAX_REPORTED_ERRORS)),
        types: z.optional(z.record(z.string(), z.partialRecord(z.enum(INFERRED_TYPES), count))),
      }),
    ),
    invocations: count,
    writes: z.strictObject({
      calls: count,
      retries: count,
      throttles: count,
      consumedCapacity: z.number().check(z.gte(0)),
    }),
    parts: z.array(positive),
  }),
});

/** True for an event that says it is a csv2ddb continuation, valid or not. */
export const isContinuation = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { csv2ddb?: unknown }).csv2ddb === 'continuation';

/** Reads a continuation event; one this version cannot read (another version, a hand-made one) is a `ConfigError`. */
export const readContinuation = (event: unknown): FileTask => {
  const result = ContinuationSchema.safeParse(event);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid continuation payload: ${problems.join('; ')}`);
  }
  return result.data.file;
};

const capMessage = (message: string) =>
  message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;

/**
 * The payload that carries `task` to the next invocation, within Lambda's limit: long messages are
 * cut, then the last reported errors dropped (the counts stay exact). A header too large to carry
 * fails the file.
 */
export const toContinuation = (task: FileTask): ContinuationPayload => {
  const resume = task.resume && {
    ...task.resume,
    errors: task.resume.errors.map((error) => ({ ...error, message: capMessage(error.message) })),
  };
  const payload = (errors: ResumePoint['errors'] | undefined): ContinuationPayload => ({
    csv2ddb: 'continuation',
    version: 1,
    file: { ...task, ...(resume && errors && { resume: { ...resume, errors } }) },
  });
  let errors = resume?.errors;
  let candidate = payload(errors);
  while (Buffer.byteLength(JSON.stringify(candidate)) > MAX_PAYLOAD_BYTES) {
    if (!errors || errors.length === 0) {
      throw new FileError(
        ErrorCode.FILE_NO_PROGRESS,
        `the header is too large to continue the file in another invocation (a continuation event must stay under ${MAX_PAYLOAD_BYTES} bytes)`,
      );
    }
    errors = errors.slice(0, Math.floor(errors.length / 2));
    candidate = payload(errors);
  }
  return candidate;
};

/** A new file, as an S3 event hands it over: a new chain (random unless given). */
export const startTask = (
  job: Pick<FileTask, 'bucket' | 'key' | 'rest' | 'gzip' | 'versionId' | 'eTag' | 'sequencer'>,
  startedAt: Date,
  chain: string = randomUUID(),
): FileTask => ({
  bucket: job.bucket,
  key: job.key,
  rest: job.rest,
  gzip: job.gzip,
  ...(job.versionId !== undefined && { versionId: job.versionId }),
  ...(job.eTag !== undefined && { eTag: job.eTag }),
  ...(job.sequencer !== undefined && { sequencer: job.sequencer }),
  chain,
  startedAt: startedAt.toISOString(),
  invocations: 0,
  writes: { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 },
  parts: [],
});

/**
 * Where invocation `invocation` of a continued file keeps its rejected rows until the file is done.
 * With the chain in the name, two chains of one upload (a duplicate delivery processed without a
 * ledger, or a chain started over) never write or join each other's parts.
 */
export const rejectedPartKey = (rejectedKey: string, invocation: number, chain?: string): string =>
  `${rejectedKey}.part-${chain === undefined ? '' : `${chain}-`}${String(invocation).padStart(4, '0')}`;
