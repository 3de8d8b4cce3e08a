import type { S3Client } from '@aws-sdk/client-s3';
import { type FileStore, fileChanged, type StoredFile } from '../core/file-store.ts';
import type { ObjectPin } from '../core/ingest.ts';
import { type Prefixes, rejectedKeyFor, reportKeyFor } from '../core/object-key.ts';
import { joinRejectedParts, moveObject } from './rejected-parts.ts';
import { createS3RejectedRows, deleteObject, putReport } from './s3-outputs.ts';
import { isObjectGone, openObject } from './s3-source.ts';

const pinOf = (ref: ObjectPin): ObjectPin => ({
  ...(ref.versionId !== undefined && { versionId: ref.versionId }),
  ...(ref.eTag !== undefined && { eTag: ref.eTag }),
});

/**
 * The file store on S3: a file is an object of its bucket; its report and rejected rows go under the
 * report and rejected prefixes (SPEC), named from the key without the upload prefix.
 */
export const createS3FileStore = (s3: S3Client, prefixes: Prefixes): FileStore => ({
  file: ({ bucket, key, rest }): StoredFile => {
    const reportName = reportKeyFor(rest, prefixes);
    const rejectedName = rejectedKeyFor(rest, prefixes);
    return {
      reportName,
      rejectedName,
      open: async (pin, offset) => {
        const opened = await openObject(s3, { bucket, key, ...pinOf(pin) }, offset);
        // S3 answers a changed object with 412 (If-Match); a store that ignores If-Match is caught here.
        if (pin.eTag !== undefined && opened.eTag !== undefined && opened.eTag !== pin.eTag) {
          opened.body.destroy();
          throw fileChanged(`its ETag is now ${opened.eTag}, not ${pin.eTag}`);
        }
        return { body: opened.body, pin: { ...pinOf(pin), ...pinOf(opened) } };
      },
      isGone: isObjectGone,
      rejectedRows: (name, csv) => {
        const rows = createS3RejectedRows(s3, bucket, name, csv);
        return {
          add: (header, row) => rows.add(header, row),
          close: () => rows.close(),
          abort: async () => {
            await rows.abort();
            return false;
          },
        };
      },
      putReport: (report) => putReport(s3, bucket, reportName, report),
      remove: (name) => deleteObject(s3, bucket, name),
      move: (from, to) => moveObject(s3, bucket, from, to),
      joinParts: (parts, header, csv, joinId) =>
        joinRejectedParts(s3, bucket, {
          parts,
          key: rejectedName,
          header,
          ...(csv && { csv }),
          ...(joinId !== undefined && { joinId }),
        }),
    };
  },
});
