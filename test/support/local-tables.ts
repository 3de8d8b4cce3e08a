import { gunzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Creates a table keyed by one attribute, on demand unless a write capacity is given. */
export const createTable = async (
  dynamodb: DynamoDBClient,
  name: string,
  key: { name: string; type: 'S' | 'N' | 'B' } = { name: 'ID', type: 'N' },
  writeCapacity?: number,
): Promise<void> => {
  const input: CreateTableCommandInput = {
    TableName: name,
    AttributeDefinitions: [{ AttributeName: key.name, AttributeType: key.type }],
    KeySchema: [{ AttributeName: key.name, KeyType: 'HASH' }],
    ...(writeCapacity === undefined
      ? { BillingMode: 'PAY_PER_REQUEST' }
      : { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: writeCapacity } }),
  };
  await dynamodb.send(new CreateTableCommand(input));
};

/** Every item of a table, in a stable order (by their JSON), for comparing two tables. */
export const scanTable = async (dynamodb: DynamoDBClient, name: string): Promise<string[]> => {
  const items: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: name, ...(start && { ExclusiveStartKey: start }) }),
    );
    for (const item of page.Items ?? []) {
      items.push(
        JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))),
      );
    }
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items.sort();
};

export const readText = async (s3: S3Client, bucket: string, key: string): Promise<string | undefined> => {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
};

/** An object's bytes, gunzipped when they are gzip (a `.gz` upload's rejected rows), as text. */
export const readGunzipped = async (
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<string | undefined> => {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from((await response.Body?.transformToByteArray()) ?? []);
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
};

export const listKeys = async (s3: S3Client, bucket: string, prefix: string): Promise<string[]> => {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key as string).sort();
};
