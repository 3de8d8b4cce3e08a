import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb';
import { ItemRefusedError, RetryableWriteError } from '../core/errors.ts';
import type { Item } from '../core/item.ts';
import type { KeyAttribute, KeySchema, KeyType } from '../core/key-schema.ts';
import type { SendBatch, SendOutcome } from '../core/write-contract.ts';
import { createLeanBatchWrite, type LeanWriteOptions } from './lean-batch-write.ts';
import { clientOverSenders } from './sender-client.ts';

export type TableInfo = {
  readonly keySchema: KeySchema;
  /** Provisioned write capacity units; undefined on demand. */
  readonly writeCapacity?: number;
};

/** Reads the key schema and capacity of the table: the source of truth for key attributes. */
export const describeTable = async (dynamodb: DynamoDBClient, tableName: string): Promise<TableInfo> => {
  const { Table: table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const typeOf = (name: string): KeyType => {
    const type = table?.AttributeDefinitions?.find(
      (definition) => definition.AttributeName === name,
    )?.AttributeType;
    if (type !== 'S' && type !== 'N' && type !== 'B')
      throw new Error(`table ${tableName}: key ${name} has no type`);
    return type;
  };
  const keyOf = (role: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
    const name = table?.KeySchema?.find((element) => element.KeyType === role)?.AttributeName;
    return name === undefined ? undefined : { name, type: typeOf(name) };
  };
  const partition = keyOf('HASH');
  if (!partition) throw new Error(`table ${tableName} has no partition key`);
  const sort = keyOf('RANGE');
  const onDemand = table?.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST';
  const writeCapacity = table?.ProvisionedThroughput?.WriteCapacityUnits;
  return {
    keySchema: { partition, ...(sort && { sort }) },
    ...(!onDemand && writeCapacity ? { writeCapacity } : {}),
  };
};

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
const TRANSIENT = new Set(['InternalServerError', 'ServiceUnavailable', 'InternalFailure', 'TimeoutError']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/** Sorts an SDK error into retry (throttling, 5xx, network), refused items, or fatal (the error itself). */
export const classifyWriteError = (error: unknown): unknown => {
  const { name, code, message, $metadata } = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const text = `${name ?? 'Error'}: ${message ?? ''}`;
  if (name && THROTTLING.has(name)) return new RetryableWriteError(text, { cause: error, throttled: true });
  if (name === 'ValidationException') return new ItemRefusedError(message ?? text, { cause: error });
  const status = $metadata?.httpStatusCode ?? 0;
  if (
    (name && TRANSIENT.has(name)) ||
    status >= 500 ||
    (code && NETWORK.has(code)) ||
    /socket hang up/i.test(text)
  ) {
    return new RetryableWriteError(text, { cause: error });
  }
  return error;
};

export type WritePath = 'lean' | 'sdk';

export type SendBatchOptions = LeanWriteOptions & {
  /**
   * `lean` (the default): BatchWriteItem without the SDK's per-call machinery (lean-batch-write.ts),
   * the same request bytes, signer, credentials, endpoint and retries; `sdk`: the SDK client's `send`.
   */
  readonly path?: WritePath;
};

const sdkBatchWrite =
  (dynamodb: DynamoDBClient, tableName: string) =>
  async (items: readonly Item[]): Promise<SendOutcome> => {
    const response = await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: items.map((item) => ({
            PutRequest: { Item: item as Record<string, SdkAttributeValue> },
          })),
        },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const unprocessed = (response.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
      request.PutRequest?.Item ? [request.PutRequest.Item as Item] : [],
    );
    const consumedCapacity = response.ConsumedCapacity?.reduce(
      (sum, entry) => sum + (entry.CapacityUnits ?? 0),
      0,
    );
    return { unprocessed, ...(consumedCapacity !== undefined && { consumedCapacity }) };
  };

/** One BatchWriteItem call of puts, as the core's writer needs it, by the lean path or the SDK's. */
export const createSendBatch = (
  dynamodb: DynamoDBClient,
  tableName: string,
  options: SendBatchOptions = {},
): SendBatch => {
  // THREADS > 1 (`senders`): the lean path signs and sends on the sender threads, the SDK path only sends there.
  const write =
    options.path === 'sdk'
      ? sdkBatchWrite(options.senders ? clientOverSenders(dynamodb, options.senders) : dynamodb, tableName)
      : createLeanBatchWrite(dynamodb, tableName, options);
  return async (items) => {
    try {
      return await write(items);
    } catch (error) {
      throw classifyWriteError(error);
    }
  };
};
