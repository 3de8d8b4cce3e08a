import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { stringify } from 'csv-stringify/sync';

/** Renames an object within the bucket (a server-side copy, then a delete). */
export const moveObject = async (s3: S3Client, bucket: string, from: string, to: string): Promise<void> => {
  await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: to,
      CopySource: `${bucket}/${from}`.split('/').map(encodeURIComponent).join('/'),
    }),
  );
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: from }));
};

/** The first line of each part: the header the rejected-rows CSV starts with, byte for byte. */
const headerLine = (header: readonly string[]): Buffer =>
  Buffer.from(stringify([['_row', '_error', ...header]], { eof: true }));

async function* joinParts(
  s3: S3Client,
  bucket: string,
  parts: readonly string[],
  header: Buffer,
): AsyncGenerator<Buffer> {
  for (const [index, key] of parts.entries()) {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    // Every part starts with the same header line: only the first one keeps it.
    let skip = index === 0 ? 0 : header.byteLength;
    let seen = 0;
    for await (const chunk of response.Body as Readable) {
      let bytes = chunk as Buffer;
      if (skip > 0) {
        const head = bytes.subarray(0, skip);
        if (!head.equals(header.subarray(seen, seen + head.byteLength))) {
          throw new Error(`rejected-rows part ${key} does not start with the expected header`);
        }
        seen += head.byteLength;
        skip -= head.byteLength;
        bytes = bytes.subarray(head.byteLength);
      }
      if (bytes.byteLength > 0) yield bytes;
    }
  }
}

/** The metadata that marks a rejected-rows file as the join of one chain's parts. */
const JOINED = 'csv2ddb-joined';

/** The chain whose parts `key` was joined from, if it was. */
const joinedBy = async (s3: S3Client, bucket: string, key: string): Promise<string | undefined> => {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.Metadata?.[JOINED];
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === 'NotFound' || status === 404) return undefined;
    throw error;
  }
};

/**
 * Streams the rejected-rows parts of a continued file, in order, into its one rejected-rows CSV
 * (one header, then every rejected row), then deletes the parts. Memory stays flat: the parts are
 * never held whole. With `joinId` (the file's chain; its parts carry it in their names) it is safe
 * to retry at every step: the joined file is marked with it, so a retry after some parts were
 * deleted finds the join done and only deletes what is left (deleting a deleted part is no error).
 */
export const joinRejectedParts = async (
  s3: S3Client,
  bucket: string,
  options: {
    readonly parts: readonly string[];
    readonly key: string;
    readonly header: readonly string[];
    readonly joinId?: string;
  },
): Promise<void> => {
  const { joinId } = options;
  if (joinId === undefined || (await joinedBy(s3, bucket, options.key)) !== joinId) {
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: options.key,
        Body: Readable.from(joinParts(s3, bucket, options.parts, headerLine(options.header))),
        ContentType: 'text/csv; charset=utf-8',
        ...(joinId !== undefined && { Metadata: { [JOINED]: joinId } }),
      },
    });
    await upload.done();
  }
  for (const part of options.parts) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: part }));
};
