import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createRejectedCsv, type RejectedCsvOptions, type RejectedSink } from '../core/rejected-csv.ts';
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
 * The Content-Type of a rejected-rows object written in `options`. A gzip'd one is `application/gzip`,
 * not `Content-Encoding: gzip`, which browsers undo on download and so save a `.gz` name with plain bytes.
 */
export const rejectedContentType = (options: RejectedCsvOptions = {}): { ContentType: string } => ({
  ContentType: options.gzip
    ? 'application/gzip'
    : `${options.delimiter === '\t' ? 'text/tab-separated-values' : 'text/csv'}; charset=${options.encoding ?? 'utf-8'}`,
});

/**
 * Streams rejected rows into one S3 object with a multipart upload, started at the first
 * rejected row, so memory stays flat however many rows are rejected. It is written in the
 * upload's delimiter and encoding, gzip'd when `options.gzip` (SPEC: same compression as the upload).
 */
export const createS3RejectedRows = (
  s3: S3Client,
  bucket: string,
  key: string,
  options: RejectedCsvOptions = {},
): S3RejectedRows => {
  const csv = createRejectedCsv(options);
  let upload: Upload | undefined;
  let done: Promise<unknown> | undefined;
  return {
    add(header, row) {
      if (!upload) {
        upload = new Upload({
          client: s3,
          params: { Bucket: bucket, Key: key, Body: csv.stream, ...rejectedContentType(options) },
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
