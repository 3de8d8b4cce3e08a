import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/** s3rver only accepts this access key. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

export type LocalServers = {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** The folder where s3rver keeps buckets and objects. */
  readonly s3Directory: string;
  readonly s3rver: S3rver;
  /** The AWS SDK settings that point any process (or the built handler) at these servers. */
  readonly env: Record<string, string>;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  close(): Promise<void>;
};

export type LocalServerOptions = {
  /** Where s3rver keeps objects; a fresh temporary folder (removed on close) when unset. */
  readonly directory?: string;
  readonly s3Port?: number;
  readonly dynamodbPort?: number;
  /** dynalite keeps tables in memory unless given a LevelDB folder. */
  readonly dynamodbPath?: string;
  readonly buckets?: readonly string[];
};

export const localClients = (s3Endpoint: string, dynamodbEndpoint: string) => ({
  s3: new S3Client({
    endpoint: s3Endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }),
  dynamodb: new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  }),
});

/** Starts s3rver and dynalite on 127.0.0.1 in this process. */
export const startLocalServers = async (options: LocalServerOptions = {}): Promise<LocalServers> => {
  const temporary = options.directory ? undefined : await mkdtemp(join(tmpdir(), 'csv2ddb-s3-'));
  const directory = options.directory ?? (temporary as string);
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: options.s3Port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  const s3Address = (await s3rver.run()) as AddressInfo;
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dynamodbPath && { path: options.dynamodbPath }),
  });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(options.dynamodbPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoAddress = dynamo.address() as AddressInfo;
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;
  const clients = localClients(s3Endpoint, dynamodbEndpoint);
  return {
    s3Endpoint,
    dynamodbEndpoint,
    s3Directory: directory,
    s3rver,
    ...clients,
    env: {
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    },
    async close() {
      clients.s3.destroy();
      clients.dynamodb.destroy();
      await s3rver.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
};
