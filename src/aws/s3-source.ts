import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export type ObjectRef = {
  readonly bucket: string;
  readonly key: string;
  /** Pins every read to one version (set after the first read when the bucket is versioned). */
  readonly versionId?: string;
  /** Without versions, reads after the first one are pinned by ETag. */
  readonly eTag?: string;
};

export type OpenedObject = {
  readonly body: Readable;
  readonly eTag?: string;
  readonly versionId?: string;
};

/** Reads pinned to a version, or else to an ETag (S3 answers 412 when it changed). */
const pinParams = (ref: ObjectRef) => ({
  ...(ref.versionId !== undefined && { VersionId: ref.versionId }),
  ...(ref.versionId === undefined && ref.eTag !== undefined && { IfMatch: ref.eTag }),
});

const EMPTY_RANGE = 416;

/** Streams an object from S3, from a byte offset onwards, pinned to a version or ETag when given. */
export const openObject = async (s3: S3Client, ref: ObjectRef, offset = 0): Promise<OpenedObject> => {
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...pinParams(ref),
        ...(offset > 0 && { Range: `bytes=${offset}-` }),
      }),
    );
    return {
      body: response.Body instanceof Readable ? response.Body : Readable.from([]),
      ...(response.ETag !== undefined && { eTag: response.ETag }),
      ...(response.VersionId !== undefined &&
        response.VersionId !== 'null' && { versionId: response.VersionId }),
    };
  } catch (error) {
    // Resuming exactly at the end of the object asks for an empty range; a HEAD tells whether it is still the same object.
    if (
      offset > 0 &&
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === EMPTY_RANGE
    ) {
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...pinParams(ref) }),
      );
      return { body: Readable.from([]), ...(head.ETag !== undefined && { eTag: head.ETag }) };
    }
    throw error;
  }
};

/** True when S3 says the object (or the pinned version) is gone or changed. */
export const isObjectGone = (error: unknown): boolean => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'PreconditionFailed';
};
