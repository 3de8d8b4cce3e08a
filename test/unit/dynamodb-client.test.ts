import { BatchWriteItemCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchWriteBody, createDynamoDBClient, itemsHoldBinary } from '../../src/aws/dynamodb-client.ts';
import { type AttributeValue, type Item, mayHoldBinary, newItem } from '../../src/core/item.ts';
import { compileDefaultPlan } from '../../src/core/item-plan.ts';
import { toItem } from '../../src/core/to-item.ts';

const config: DynamoDBClientConfig = {
  endpoint: 'http://127.0.0.1:1',
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

type Sent = { body: string; headers: Record<string, string> };

/** The request a client would send for `input`, taken before it goes out (nothing is sent). */
const requestOf = async (client: DynamoDBClient, input: BatchWriteItemCommand['input']): Promise<Sent> => {
  let sent: Sent | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { body: string | Uint8Array; headers: Record<string, string> };
      const { body } = request;
      sent = {
        body: typeof body === 'string' ? body : new TextDecoder().decode(body),
        headers: request.headers,
      };
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'build', priority: 'low' },
  );
  await client.send(new BatchWriteItemCommand(input));
  return sent as Sent;
};

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', '\u0000', '\n', '\ud800'),
);
const attribute: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text.map((S) => ({ S })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => ({ N: String(n) })),
    fc.uint8Array({ maxLength: 20 }).map((B) => ({ B })),
    fc.boolean().map((BOOL) => ({ BOOL })),
    fc.constant({ NULL: true as const }),
    fc.uniqueArray(text, { minLength: 1, maxLength: 4 }).map((SS) => ({ SS })),
    fc.uniqueArray(fc.integer().map(String), { minLength: 1, maxLength: 4 }).map((NS) => ({ NS })),
    fc.array(tie('value'), { maxLength: 3 }).map((L) => ({ L })),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }).map((M) => ({ M })),
  ),
})).value;
const item: fc.Arbitrary<Item> = fc.dictionary(text, attribute, { minKeys: 1, maxKeys: 6 });

describe('createDynamoDBClient()', () => {
  it("sends BatchWriteItem bodies and headers equal to the SDK's own serializer's, binary included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 25 }), async (items) => {
        const input = {
          RequestItems: { table: items.map((Item) => ({ PutRequest: { Item } })) },
          ReturnConsumedCapacity: 'TOTAL' as const,
        };
        const ours = await requestOf(createDynamoDBClient(config), input);
        const sdk = await requestOf(new DynamoDBClient(config), input);
        expect(JSON.parse(ours.body)).toEqual(JSON.parse(sdk.body));
        expect(ours.headers['content-type']).toBe(sdk.headers['content-type']);
        expect(ours.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
      }),
      { numRuns: 200 },
    );
  });

  it('writes binary values as base64, as DynamoDB reads them', async () => {
    const { body } = await requestOf(createDynamoDBClient(config), {
      RequestItems: { t: [{ PutRequest: { Item: { K: { B: new Uint8Array([0, 1, 250, 255]) } } } }] },
    });
    expect(JSON.parse(body)).toEqual({
      RequestItems: { t: [{ PutRequest: { Item: { K: { B: 'AAH6/w==' } } } }] },
    });
  });

  it('writes a Buffer (a Uint8Array with its own toJSON) as base64 too', async () => {
    const { body } = await requestOf(createDynamoDBClient(config), {
      RequestItems: {
        t: [
          { PutRequest: { Item: { K: { B: Buffer.from([0, 1]) }, S: { BS: [Buffer.from([250, 255])] } } } },
        ],
      },
    });
    expect(JSON.parse(body)).toEqual({
      RequestItems: { t: [{ PutRequest: { Item: { K: { B: 'AAE=' }, S: { BS: ['+v8='] } } } }] },
    });
  });
});

describe('the body of items made by toItem (textOnly: no binary key, no binary value)', () => {
  const header = ['K', 'Name'];
  const itemOf = (type: 'S' | 'B', key: string) =>
    toItem(compileDefaultPlan(header, { partition: { name: 'K', type } }, 'infer'), [key, 'x'], 1).item;

  it('marks the items of a table without a binary key, and only those', () => {
    expect(mayHoldBinary(itemOf('S', 'a'))).toBe(false);
    expect(mayHoldBinary(itemOf('B', 'AQI='))).toBe(true);
    expect(mayHoldBinary(newItem())).toBe(true);
  });

  it('still writes a binary key as base64 (the walk runs for items that may hold one)', () => {
    const items = [itemOf('S', 'a'), itemOf('B', 'AQI=')];
    expect(itemsHoldBinary([items[0] as Item])).toBe(false);
    expect(itemsHoldBinary(items)).toBe(true);
    const body = batchWriteBody(
      { RequestItems: { t: items.map((Item) => ({ PutRequest: { Item } })) } },
      itemsHoldBinary(items),
    );
    expect(JSON.parse(body).RequestItems.t[1].PutRequest.Item.K).toEqual({ B: 'AQI=' });
    // The body is the one the walk alone would write.
    expect(body).toBe(
      batchWriteBody({ RequestItems: { t: items.map((Item) => ({ PutRequest: { Item } })) } }),
    );
  });
});
