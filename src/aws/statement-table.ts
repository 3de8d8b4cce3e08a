import {
  BatchExecuteStatementCommand,
  type BatchStatementRequest,
  type BatchStatementResponse,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type AttributeValue as SdkAttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ItemRefusedError, RetryableWriteError, WriteDeniedError } from '../core/errors.ts';
import type { Item } from '../core/item.ts';
import { type KeySchema, keyIdOf } from '../core/key-schema.ts';
import { ACTION_OF, type ModeAnswer, type ModeRequest, type SendRequests } from '../core/mode-contract.ts';
import { decodeItem } from './decode-item.ts';
import { batchWriteBody } from './dynamodb-client.ts';
import { classifyWriteError } from './dynamodb-table.ts';
import { createLeanCall } from './lean-batch-write.ts';
import { clientOverSenders } from './sender-client.ts';
import type { SenderPool } from './sender-pool.ts';

/** A PartiQL identifier: double-quoted, a `"` in it doubled. Values are never in the text: parameters. */
const identifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** A PartiQL string literal, for the attribute names of an INSERT's tuple. */
const literal = (name: string): string => `'${name.replaceAll("'", "''")}'`;

const sdk = (value: Item[string]) => value as SdkAttributeValue;

type Statement = { readonly text: string; readonly parameters: SdkAttributeValue[] };

const whereKey = (key: Item, parameters: SdkAttributeValue[]): string =>
  Object.entries(key)
    .map(([name, value]) => {
      parameters.push(sdk(value));
      return `${identifier(name)} = ?`;
    })
    .join(' AND ');

/** The statement of one request: INSERT, UPDATE or DELETE, every value a parameter. */
export const statementOf = (table: string, request: ModeRequest): Statement => {
  const parameters: SdkAttributeValue[] = [];
  switch (request.kind) {
    case 'insert': {
      const pairs = Object.entries(request.item).map(([name, value]) => {
        parameters.push(sdk(value));
        return `${literal(name)}: ?`;
      });
      return { text: `INSERT INTO ${identifier(table)} VALUE {${pairs.join(', ')}}`, parameters };
    }
    case 'update': {
      const sets = Object.entries(request.set).map(([name, value]) => {
        parameters.push(sdk(value));
        return ` SET ${identifier(name)} = ?`;
      });
      const removes = request.remove.map((name) => ` REMOVE ${identifier(name)}`);
      let where = whereKey(request.key, parameters);
      if (request.newer) {
        parameters.push(sdk(request.newer.value));
        where += ` AND ${identifier(request.newer.attribute)} < ?`;
      }
      return {
        text: `UPDATE ${identifier(table)}${sets.join('')}${removes.join('')} WHERE ${where}`,
        parameters,
      };
    }
    case 'deleteIf': {
      let where = whereKey(request.key, parameters);
      parameters.push(sdk(request.newer.value));
      where += ` AND ${identifier(request.newer.attribute)} < ?`;
      return { text: `DELETE FROM ${identifier(table)} WHERE ${where}`, parameters };
    }
    default:
      throw new Error(`a ${request.kind} is a BatchWriteItem request, not a statement`);
  }
};

const RETRY_CODES = new Set(['InternalServerError', 'TransactionConflict']);
const THROTTLE_CODES = new Set(['ProvisionedThroughputExceeded', 'ThrottlingError', 'RequestLimitExceeded']);

/** One statement's answer: a conditional failure is an answer (`exists` when the item came back). */
const answerOf = (response: BatchStatementResponse | undefined, request: ModeRequest): ModeAnswer => {
  const error = response?.Error;
  if (!response) return { kind: 'retry', throttled: false };
  if (!error) return { kind: 'done' };
  const code = error.Code ?? 'InternalServerError';
  if (code === 'ConditionalCheckFailed') return { kind: error.Item ? 'exists' : 'missing' };
  if (code === 'DuplicateItem') return { kind: 'duplicate' };
  if (THROTTLE_CODES.has(code)) return { kind: 'retry', throttled: true };
  if (RETRY_CODES.has(code)) return { kind: 'retry', throttled: false };
  if (code === 'AccessDenied')
    throw new WriteDeniedError(ACTION_OF[request.kind], `${code}: ${error.Message}`);
  if (code === 'ValidationError' || code === 'ItemCollectionSizeLimitExceeded')
    return { kind: 'refused', message: `${code}: ${error.Message ?? ''}`, whole: false };
  throw new Error(`DynamoDB answered a statement with ${code}: ${error.Message ?? ''}`);
};

/**
 * A call's failure as every request of it answers: retried, refused as a whole, or (access denied,
 * anything fatal) thrown. `action` names what the call needed, for a denial that does not say.
 */
const failedCall = (error: unknown, count: number, action: string): ModeAnswer[] => {
  const { name, message } = error as { name?: string; message?: string };
  if (name === 'AccessDeniedException') {
    const named = /dynamodb:[A-Za-z]+/.exec(message ?? '')?.[0];
    throw new WriteDeniedError(named ?? action, `${name}: ${message ?? ''}`, { cause: error });
  }
  const classified = classifyWriteError(error);
  let answer: ModeAnswer;
  if (classified instanceof RetryableWriteError) answer = { kind: 'retry', throttled: classified.throttled };
  else if (classified instanceof ItemRefusedError)
    answer = { kind: 'refused', message: classified.message, whole: true };
  else throw classified;
  return Array.from({ length: count }, () => answer);
};

const capacityOf = (entries: readonly { CapacityUnits?: number }[] | undefined): number =>
  entries?.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0) ?? 0;

type Transport = {
  /** BatchWriteItem of puts and deletes: the requests left unprocessed (their items or keys, decoded). */
  writeBatch(writes: WriteRequest[]): Promise<{ unprocessed: Item[]; consumed: number }>;
  /** BatchExecuteStatement: one response per statement. */
  execute(
    statements: BatchStatementRequest[],
  ): Promise<{ responses: BatchStatementResponse[]; consumed: number }>;
};

type RawWrite = {
  PutRequest?: { Item?: Record<string, unknown> };
  DeleteRequest?: { Key?: Record<string, unknown> };
};

/** The lean path (lean-batch-write.ts `createLeanCall`): bodies by `JSON.stringify`, answers by `JSON.parse`. */
const leanTransport = (dynamodb: DynamoDBClient, tableName: string, senders?: SenderPool): Transport => {
  const call = createLeanCall(dynamodb, tableName, senders ? { senders } : {});
  const post = async (operation: string, input: object) =>
    JSON.parse((await call(operation, Buffer.from(batchWriteBody(input)))).body.toString('utf8'));
  return {
    async writeBatch(writes) {
      const output = (await post('BatchWriteItem', {
        RequestItems: { [tableName]: writes },
        ReturnConsumedCapacity: 'TOTAL',
      })) as {
        UnprocessedItems?: Record<string, RawWrite[]>;
        ConsumedCapacity?: { CapacityUnits?: number }[];
      };
      const unprocessed = (output.UnprocessedItems?.[tableName] ?? []).map((write) =>
        decodeItem(write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {}),
      );
      return { unprocessed, consumed: capacityOf(output.ConsumedCapacity) };
    },
    async execute(statements) {
      const output = (await post('BatchExecuteStatement', {
        Statements: statements,
        ReturnConsumedCapacity: 'TOTAL',
      })) as { Responses?: BatchStatementResponse[]; ConsumedCapacity?: { CapacityUnits?: number }[] };
      return { responses: output.Responses ?? [], consumed: capacityOf(output.ConsumedCapacity) };
    },
  };
};

/** The SDK client's `send` (WRITE_PATH=sdk). */
const sdkTransport = (dynamodb: DynamoDBClient, tableName: string): Transport => ({
  async writeBatch(writes) {
    const response = await dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [tableName]: writes }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    const unprocessed = (response.UnprocessedItems?.[tableName] ?? []).map(
      (write) => (write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {}) as Item,
    );
    return { unprocessed, consumed: capacityOf(response.ConsumedCapacity) };
  },
  async execute(statements) {
    const response = await dynamodb.send(
      new BatchExecuteStatementCommand({ Statements: statements, ReturnConsumedCapacity: 'TOTAL' }),
    );
    return { responses: response.Responses ?? [], consumed: capacityOf(response.ConsumedCapacity) };
  },
});

/**
 * The mode writer's table: puts and deletes go in one BatchWriteItem call, the statements in one
 * BatchExecuteStatement call (each with `ReturnValuesOnConditionCheckFailure: ALL_OLD`, so that a
 * failed condition says whether the item exists), both at once. Each request gets its own answer.
 */
export const createSendRequests = (
  dynamodb: DynamoDBClient,
  tableName: string,
  keySchema: KeySchema,
  options: { readonly path?: 'lean' | 'sdk'; readonly senders?: SenderPool } = {},
): SendRequests => {
  const { senders } = options;
  const transport =
    options.path === 'sdk'
      ? sdkTransport(senders ? clientOverSenders(dynamodb, senders) : dynamodb, tableName)
      : leanTransport(dynamodb, tableName, senders);
  const batchWrite = async (requests: readonly ModeRequest[]) => {
    const writes: WriteRequest[] = requests.map((request) =>
      request.kind === 'put'
        ? { PutRequest: { Item: request.item as Record<string, SdkAttributeValue> } }
        : { DeleteRequest: { Key: (request as { key: Item }).key as Record<string, SdkAttributeValue> } },
    );
    let outcome: Awaited<ReturnType<Transport['writeBatch']>>;
    try {
      outcome = await transport.writeBatch(writes);
    } catch (error) {
      return { answers: failedCall(error, requests.length, 'dynamodb:BatchWriteItem'), consumedCapacity: 0 };
    }
    const left = new Set(outcome.unprocessed.map((unprocessed) => keyIdOf(unprocessed, keySchema)));
    const answers = requests.map(
      (request): ModeAnswer =>
        left.has(keyIdOf('item' in request ? request.item : request.key, keySchema))
          ? { kind: 'retry', throttled: true }
          : { kind: 'done' },
    );
    return { answers, consumedCapacity: outcome.consumed };
  };
  const execute = async (requests: readonly ModeRequest[]) => {
    const statements: BatchStatementRequest[] = requests.map((request) => {
      const { text, parameters } = statementOf(tableName, request);
      return { Statement: text, Parameters: parameters, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' };
    });
    let outcome: Awaited<ReturnType<Transport['execute']>>;
    try {
      outcome = await transport.execute(statements);
    } catch (error) {
      const first = requests[0] as ModeRequest;
      return { answers: failedCall(error, requests.length, ACTION_OF[first.kind]), consumedCapacity: 0 };
    }
    const answers = requests.map((request, index) => answerOf(outcome.responses[index], request));
    return { answers, consumedCapacity: outcome.consumed };
  };
  return async (requests) => {
    const writes: number[] = [];
    const statements: number[] = [];
    for (const [index, request] of requests.entries())
      (request.kind === 'put' || request.kind === 'delete' ? writes : statements).push(index);
    const pick = (indexes: readonly number[]) => indexes.map((index) => requests[index] as ModeRequest);
    const [written, executed] = await Promise.all([
      writes.length > 0 ? batchWrite(pick(writes)) : undefined,
      statements.length > 0 ? execute(pick(statements)) : undefined,
    ]);
    const answers: ModeAnswer[] = new Array(requests.length);
    for (const [at, index] of writes.entries()) answers[index] = written?.answers[at] as ModeAnswer;
    for (const [at, index] of statements.entries()) answers[index] = executed?.answers[at] as ModeAnswer;
    return {
      answers,
      consumedCapacity: (written?.consumedCapacity ?? 0) + (executed?.consumedCapacity ?? 0),
    };
  };
};
