import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

// The ledger's record of who writes each table (`joinWriters`, `leaveWriters`): one item per table,
// one attribute per writing chain holding its lease's end, so that each file paces at its share.

export const tableKey = (tableName: string) => `table#${tableName}`;
/** Writers are top-level attributes, not a map: `SET writers.#c` fails until the map exists. */
const WRITER_PREFIX = 'w#';

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Runs a conditional write: false when its condition failed. */
export const conditional = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

type WritersSetup = {
  readonly dynamodb: DynamoDBClient;
  /** The ledger table. */
  readonly tableName: string;
  readonly now: () => number;
  readonly leaseMs: number;
  /** The record's `expiresAt` (TTL), epoch seconds. */
  readonly expiresAt: () => number;
};

export const createTableWriters = ({ dynamodb, tableName, now, leaseMs, expiresAt }: WritersSetup) => {
  /** Removes writers that crashed, each only if its lease is still the expired one seen. */
  const sweep = async (table: string, stale: readonly [string, string][]) => {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const conditions: string[] = [];
    stale.forEach(([name, until], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = { N: until };
      conditions.push(`#s${index} = :s${index}`);
    });
    await conditional(
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(tableKey(table)) },
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  };

  return {
    /**
     * Registers (or renews) a chain as a writer of a table and answers how many writers hold a
     * live lease now, this one included. Writers whose lease ran out a lease ago are removed.
     */
    async joinWriters(table: string, chain: string): Promise<number> {
      const time = now();
      const { Attributes = {} } = await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(tableKey(table)) },
          UpdateExpression: 'SET #me = :until, #expires = :expires',
          ExpressionAttributeNames: { '#me': WRITER_PREFIX + chain, '#expires': 'expiresAt' },
          ExpressionAttributeValues: { ':until': n(time + leaseMs), ':expires': n(expiresAt()) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      let active = 0;
      const stale: [string, string][] = [];
      for (const [name, value] of Object.entries(Attributes)) {
        if (!name.startsWith(WRITER_PREFIX) || value.N === undefined) continue;
        const until = Number(value.N);
        if (until > time) active++;
        else if (until < time - leaseMs) stale.push([name, value.N]);
      }
      if (stale.length > 0) await sweep(table, stale);
      return Math.max(1, active);
    },

    /** Removes a chain from a table's writers: the others' shares grow at their next heartbeat. */
    async leaveWriters(table: string, chain: string): Promise<void> {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(tableKey(table)) },
          UpdateExpression: 'REMOVE #me',
          ExpressionAttributeNames: { '#me': WRITER_PREFIX + chain },
        }),
      );
    },
  };
};
