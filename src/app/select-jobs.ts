import { classifyKey, decodeEventKey, type Prefixes } from '../core/object-key.ts';
import type { FileJob } from './file-types.ts';

export type Skipped = { readonly bucket?: string; readonly key?: string; readonly reason: string };

/** The fields of an S3 event record this function reads, each checked for its type. */
type RecordFields = {
  readonly eventName: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly versionId?: string;
  readonly sequencer?: string;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string field, `undefined` when absent, `null` when it has another type (a malformed record). */
const stringField = (parent: unknown, name: string): string | undefined | null => {
  if (!isObject(parent) || parent[name] === undefined) return undefined;
  return typeof parent[name] === 'string' ? parent[name] : null;
};

/** The record's fields, or why it cannot be read (not an object, a field of the wrong type). */
const readRecord = (record: unknown): RecordFields | string => {
  if (!isObject(record)) return `record is ${record === null ? 'null' : typeof record}, not an object`;
  const { s3 } = record;
  if (s3 !== undefined && !isObject(s3)) return 'record field s3 is not an object';
  for (const part of ['bucket', 'object'] as const) {
    if (s3?.[part] !== undefined && !isObject(s3[part])) return `record field s3.${part} is not an object`;
  }
  const fields = {
    eventName: stringField(record, 'eventName'),
    bucket: stringField(s3?.bucket, 'name'),
    key: stringField(s3?.object, 'key'),
    versionId: stringField(s3?.object, 'versionId'),
    sequencer: stringField(s3?.object, 'sequencer'),
  };
  const wrong = Object.entries(fields).find(([, value]) => value === null);
  if (wrong) return `record field ${wrong[0]} is not a string`;
  if (fields.eventName === undefined) return 'event (none) is not ObjectCreated';
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as RecordFields;
};

/**
 * The files an S3 event asks for: `ObjectCreated:*` records of our bucket, under the upload
 * prefix, named `.csv` or `.csv.gz`. Everything else (`s3:TestEvent`, other buckets, our own
 * reports, malformed records) is skipped with a reason, never an error: one bad record does not
 * cost the others their processing.
 */
export const selectJobs = (
  event: unknown,
  sourceBucket: string,
  prefixes: Prefixes,
): { jobs: FileJob[]; skipped: Skipped[] } => {
  const jobs: FileJob[] = [];
  const skipped: Skipped[] = [];
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records)) {
    const type = isObject(event) && typeof event.Event === 'string' ? event.Event : undefined;
    return { jobs, skipped: [{ reason: type ? `not a file event (${type})` : 'not an S3 event' }] };
  }
  for (const raw of records as unknown[]) {
    const record = readRecord(raw);
    if (typeof record === 'string') {
      skipped.push({ reason: record });
      continue;
    }
    const { bucket, key: rawKey, eventName } = record;
    if (!eventName.startsWith('ObjectCreated:')) {
      skipped.push({ bucket, key: rawKey, reason: `event ${eventName} is not ObjectCreated` });
      continue;
    }
    if (bucket !== sourceBucket || rawKey === undefined) {
      skipped.push({ bucket, key: rawKey, reason: `bucket ${bucket ?? '(none)'} is not the source bucket` });
      continue;
    }
    let key: string;
    try {
      key = decodeEventKey(rawKey);
    } catch {
      skipped.push({ bucket, key: rawKey, reason: 'key is not URL-encoded correctly' });
      continue;
    }
    const decision = classifyKey(key, prefixes);
    if (!decision.process) {
      skipped.push({ bucket, key, reason: decision.reason });
      continue;
    }
    // The event's ETag is not a pin: the file is read as it is now (a later event covers a newer upload),
    // and hand-made events (the console's sample) name fake ones. Reads pin to the ETag of the first one.
    // The sequencer orders this upload against others of the key in the ledger.
    const { versionId, sequencer } = record;
    jobs.push({
      bucket,
      key,
      rest: decision.rest,
      gzip: decision.gzip,
      ...(versionId && { versionId }),
      ...(sequencer && { sequencer }),
    });
  }
  return { jobs, skipped };
};
