import { randomUUID } from 'node:crypto';

/** The S3 event notification as S3 sends it to Lambda: the CLI's `replay --function` and the local stack build it. */

/** Encodes a key the way S3 does in event notifications: form encoding, `+` for space. */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

export type ObjectCreated = {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly eventName?: string;
  /**
   * S3's `sequencer`, which orders the uploads of a key (the local stack sets one). Unset, the event
   * carries none: the ledger takes it for a replay, newer than any upload before it (docs/ledger.md).
   */
  readonly sequencer?: string;
};

/** An `s3:ObjectCreated:*` event as S3 sends it to Lambda (one record, URL-encoded key). */
export const s3Event = (object: ObjectCreated, region = 'us-east-1') => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: new Date().toISOString(),
      eventName: object.eventName ?? 'ObjectCreated:Put',
      userIdentity: { principalId: 'local' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'csv2ddb',
        bucket: {
          name: object.bucket,
          ownerIdentity: { principalId: 'local' },
          arn: `arn:aws:s3:::${object.bucket}`,
        },
        object: {
          key: encodeEventKey(object.key),
          size: object.size ?? 0,
          ...(object.eTag && { eTag: object.eTag.replace(/"/g, '') }),
          ...(object.versionId && { versionId: object.versionId }),
          ...(object.sequencer !== undefined && { sequencer: object.sequencer }),
        },
      },
    },
  ],
});
