import { classifyKey, decodeEventKey, type Prefixes } from '../core/object-key.ts';
import type { FileJob } from './file-types.ts';

type S3EventRecord = {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string } };
};

export type Skipped = { readonly bucket?: string; readonly key?: string; readonly reason: string };

/**
 * The files an S3 event asks for: `ObjectCreated:*` records of our bucket, under the upload
 * prefix, named `.csv` or `.csv.gz`. Everything else (`s3:TestEvent`, other buckets, our own
 * reports) is skipped with a reason, never an error.
 */
export const selectJobs = (
  event: unknown,
  sourceBucket: string,
  prefixes: Prefixes,
): { jobs: FileJob[]; skipped: Skipped[] } => {
  const jobs: FileJob[] = [];
  const skipped: Skipped[] = [];
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) {
    const type = (event as { Event?: string } | null)?.Event;
    return { jobs, skipped: [{ reason: type ? `not a file event (${type})` : 'not an S3 event' }] };
  }
  for (const record of records as S3EventRecord[]) {
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (!record.eventName?.startsWith('ObjectCreated:')) {
      skipped.push({
        bucket,
        key: rawKey,
        reason: `event ${record.eventName ?? '(none)'} is not ObjectCreated`,
      });
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
    const versionId = record.s3?.object?.versionId;
    jobs.push({ bucket, key, rest: decision.rest, gzip: decision.gzip, ...(versionId && { versionId }) });
  }
  return { jobs, skipped };
};
