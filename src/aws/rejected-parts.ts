import { pipeline, Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type RejectedCsvOptions, rejectedHeaderBytes } from '../core/rejected-csv.ts';
import { rejectedContentType } from './s3-outputs.ts';

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

/** A part 1 written gzip'd (the first invocation of a `.gz` upload did not know it would be continued). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** A part's plain bytes: gunzipped when it starts with the gzip magic (a CSV header never does). */
async function* plainBytes(body: Readable): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  const head = first.value as Buffer;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    yield* { [Symbol.asyncIterator]: () => chunks };
  }
  const gzipped = head.byteLength >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC);
  // pipeline() destroys the gunzip stream with any error, so the loop reading it sees it.
  yield* gzipped ? pipeline(Readable.from(all()), createGunzip(), () => undefined) : all();
}

/**
 * The parts' plain bytes in order, as one rejected-rows CSV: every part starts with the same header
 * line (`header`, checked), and only the first keeps it. `open` reads a part (S3, or a local file).
 */
export async function* joinPartBytes(
  parts: readonly string[],
  header: Buffer,
  open: (part: string) => Promise<Readable>,
): AsyncGenerator<Buffer> {
  for (const [index, key] of parts.entries()) {
    const body = await open(key);
    let skip = index === 0 ? 0 : header.byteLength;
    let seen = 0;
    for await (const chunk of plainBytes(body)) {
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

/** The parts' bytes as one stream, gzip'd when asked; an error anywhere reaches whoever reads it. */
const joined = (
  s3: S3Client,
  bucket: string,
  parts: readonly string[],
  header: Buffer,
  gzip: boolean,
): Readable => {
  const open = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable;
  const plain = Readable.from(joinPartBytes(parts, header, open));
  if (!gzip) return plain;
  return pipeline(plain, createGzip(), () => undefined);
};

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
    /** The dialect the parts are in, and whether the joined file is gzip'd (a `.gz` upload). */
    readonly csv?: RejectedCsvOptions;
  },
): Promise<void> => {
  const csv = options.csv ?? {};
  const { joinId } = options;
  if (joinId === undefined || (await joinedBy(s3, bucket, options.key)) !== joinId) {
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: options.key,
        Body: joined(s3, bucket, options.parts, rejectedHeaderBytes(options.header, csv), csv.gzip === true),
        ...rejectedContentType(csv),
        ...(joinId !== undefined && { Metadata: { [JOINED]: joinId } }),
      },
    });
    await upload.done();
  }
  for (const part of options.parts) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: part }));
};
