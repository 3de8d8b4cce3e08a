import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AwsJson1_0Protocol } from '@aws-sdk/core/protocols';
import { type Item, mayHoldBinary } from '../core/item.ts';

type SerializeArgs = Parameters<AwsJson1_0Protocol['serializeRequest']>;

/**
 * Binary values (B, BS) travel as base64 in DynamoDB's JSON; everything else is JSON already.
 * A replacer sees a Buffer after its own toJSON ran (`{ type: "Buffer", data }`), so it reads the
 * value as the holder has it.
 */
function base64Binary(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array
    ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64')
    : value;
}

/** Whether a binary value hides anywhere in `value`: only then does the body need `base64Binary`, a slower pass. */
const holdsBinary = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) return value.some(holdsBinary);
  for (const key in value) if (holdsBinary((value as Record<string, unknown>)[key])) return true;
  return false;
};

/**
 * A BatchWriteItem body as the SDK writes it. `binary`: whether a value may be binary, when the
 * caller knows (`mayHoldBinary`); else the input is walked to find out.
 */
export const batchWriteBody = (input: unknown, binary = holdsBinary(input)): string =>
  binary ? JSON.stringify(input, base64Binary) : JSON.stringify(input);

/** Whether any of these items holds a binary value: only those not known to be text are walked. */
export const itemsHoldBinary = (items: readonly Item[]): boolean =>
  items.some((item) => mayHoldBinary(item) && holdsBinary(item));

/**
 * DynamoDB's JSON protocol, with BatchWriteItem's body written by `JSON.stringify`. The items are
 * already in DynamoDB's wire shape (`{ "N": "12.5" }`), so the body is the input itself as JSON;
 * the SDK's serializer walks the input against the service model instead, and that walk was the
 * largest single cost of a write (16 % of the CPU of a run; `JSON.stringify` takes about a fifth
 * of its time). Every other operation, and the request around the body (headers, endpoint,
 * signing), is the SDK's own.
 */
export class BatchWriteJsonProtocol extends AwsJson1_0Protocol {
  override async serializeRequest(...[operation, input, context]: SerializeArgs) {
    // BatchExecuteStatement (write modes) too: its parameters are in the same wire shape.
    if (operation.name !== 'BatchWriteItem' && operation.name !== 'BatchExecuteStatement')
      return super.serializeRequest(operation, input, context);
    const request = await super.serializeRequest(operation, {}, context);
    request.body = batchWriteBody(input);
    return request;
  }
}

/**
 * The DynamoDB client csv2ddb writes with: the protocol above, and the middleware stack resolved
 * once per command type instead of once per call (no command here adds middleware of its own).
 * `config` is for tests that point it at a local server; Lambda and the CLI configure it by environment.
 */
export const createDynamoDBClient = (config: DynamoDBClientConfig = {}): DynamoDBClient =>
  new DynamoDBClient({ ...config, protocol: BatchWriteJsonProtocol, cacheMiddleware: true });
