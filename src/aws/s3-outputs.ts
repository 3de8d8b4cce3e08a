import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createRejectedCsv, type RejectedSink } from '../core/rejected-csv.ts';
import type { Report } from '../core/report.ts';

export const putReport = async (s3: S3Client, bucket: string, key: string, report: Report): Promise<void> => {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(report, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
};

export const deleteObject = async (s3: S3Client, bucket: string, key: string): Promise<void> => {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
};

export type S3RejectedRows = RejectedSink & {
  /** Finishes the upload; resolves to whether any row was rejected. */
  close(): Promise<boolean>;
  /** Stops an upload that must not complete (the file failed for good). */
  abort(): Promise<void>;
};

/**
 * Streams rejected rows into one S3 object with a multipart upload, started at the first
 * rejected row, so memory stays flat however many rows are rejected.
 */
export const createS3RejectedRows = (s3: S3Client, bucket: string, key: string): S3RejectedRows => {
  const csv = createRejectedCsv();
  let upload: Upload | undefined;
  let done: Promise<unknown> | undefined;
  return {
    add(header, row) {
      if (!upload) {
        upload = new Upload({
          client: s3,
          params: { Bucket: bucket, Key: key, Body: csv.stream, ContentType: 'text/csv; charset=utf-8' },
        });
        done = upload.done();
        done.catch(() => undefined);
      }
      return csv.add(header, row);
    },
    async close() {
      if (!upload) return false;
      csv.end();
      await done;
      return true;
    },
    async abort() {
      csv.end();
      await upload?.abort().catch(() => undefined);
    },
  };
};
