import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { explainPartiqlOnDynalite } from './dynalite-partiql.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';

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
  /**
   * Where tables are kept across restarts (created if missing): dynalite's LevelDB folder, or
   * DynamoDB Local's database folder; in memory when unset.
   */
  readonly dynamodbPath?: string;
  readonly buckets?: readonly string[];
  /**
   * Which DynamoDB to start: dynalite in this process (the default), or Amazon's DynamoDB Local
   * (in memory, in a child process; needs Java 17+), which enforces DynamoDB's own rules.
   */
  readonly dynamodb?: DynamoDbServer;
  /** A DynamoDB already running, used instead of starting one (and left running on close). */
  readonly dynamodbEndpoint?: string;
};

export const DYNAMODB_SERVERS = ['dynalite', 'dynamodb-local'] as const;
export type DynamoDbServer = (typeof DYNAMODB_SERVERS)[number];

type RunningDynamoDb = { readonly endpoint: string; close(): Promise<void> };

const startDynalite = async (options: LocalServerOptions): Promise<RunningDynamoDb> => {
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dynamodbPath && { path: options.dynamodbPath }),
  });
  explainPartiqlOnDynalite(dynamo);
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(options.dynamodbPort ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => dynamo.close(() => resolve())),
  };
};

const startDynamoDb = async (options: LocalServerOptions): Promise<RunningDynamoDb> => {
  if (options.dynamodbEndpoint) return { endpoint: options.dynamodbEndpoint, close: async () => {} };
  if (options.dynamodb === 'dynamodb-local') {
    if (options.dynamodbPath) await mkdir(options.dynamodbPath, { recursive: true });
    return startDynamoDbLocal({
      ...(options.dynamodbPort && { port: options.dynamodbPort }),
      ...(options.dynamodbPath && { dbPath: options.dynamodbPath }),
    });
  }
  return startDynalite(options);
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

/** Starts s3rver and a DynamoDB (dynalite unless `options.dynamodb` says otherwise) on 127.0.0.1. */
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
  const dynamo = await startDynamoDb(options).catch(async (error: unknown) => {
    await s3rver.close();
    if (temporary) await rm(temporary, { recursive: true, force: true });
    throw error;
  });
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = dynamo.endpoint;
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
      await dynamo.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
};
