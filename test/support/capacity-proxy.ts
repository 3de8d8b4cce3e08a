import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AttributeValue, Item } from '../../src/core/item.ts';
import { writeUnits } from '../../src/core/pacer.ts';
import { forward, listen, readBody, sendJson } from './fault-proxy.ts';

/**
 * A proxy in front of dynalite or DynamoDB Local that makes one table behave like a provisioned
 * table of `wcu` write capacity units: a token bucket refilled at `wcu` units a second holding
 * up to `burstSeconds` of them (DynamoDB keeps 300 s of unused capacity; tests scale it down).
 * A BatchWriteItem writes its items in order while the bucket pays for them and returns the rest
 * as UnprocessedItems; only a call that can write nothing is throttled. DescribeTable reports the
 * table as PROVISIONED at `wcu`. Everything else passes untouched.
 */
export type CapacityProxyOptions = {
  readonly table: string;
  readonly wcu: number;
  /** How many seconds of capacity the bucket holds (and starts with); 5 unless set. */
  readonly burstSeconds?: number;
};

type Wire = Record<string, unknown>;
type WriteRequest = { PutRequest?: { Item: Wire }; DeleteRequest?: { Key: Wire } };

/** An attribute value as JSON carries it (binary in base64) in the shape itemSize measures. */
const fromWire = (value: Wire): AttributeValue => {
  if ('B' in value) return { B: Buffer.from(value.B as string, 'base64') };
  if ('BS' in value)
    return { SS: (value.BS as string[]).map((b) => 'x'.repeat(Buffer.from(b, 'base64').length)) };
  if ('M' in value)
    return {
      M: Object.fromEntries(
        Object.entries(value.M as Record<string, Wire>).map(([k, v]) => [k, fromWire(v)]),
      ),
    };
  if ('L' in value) return { L: (value.L as Wire[]).map(fromWire) };
  return value as AttributeValue;
};

/** What DynamoDB charges for one write: the item's size in KB, rounded up (a delete: 1 here). */
const costOf = (write: WriteRequest): number => {
  const item = write.PutRequest?.Item;
  if (!item) return 1;
  return writeUnits(
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromWire(v as Wire)])) as Item,
  );
};

export const startCapacityProxy = async (target: string, options: CapacityProxyOptions) => {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const capacity = options.wcu * (options.burstSeconds ?? 5);
  const startedAt = Date.now();
  let tokens = capacity;
  let refilledAt = startedAt;
  const counts = { calls: 0, throttledCalls: 0, partialCalls: 0, itemsWritten: 0, unitsWritten: 0 };
  /** Units consumed in each second since the start (index 0 = the first second). */
  const perSecond: number[] = [];

  const refill = () => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * options.wcu);
    refilledAt = now;
  };
  const consume = (units: number) => {
    tokens -= units;
    counts.unitsWritten += units;
    const second = Math.floor((Date.now() - startedAt) / 1000);
    perSecond[second] = (perSecond[second] ?? 0) + units;
  };

  /** Forwards `body` and resolves with the answer, read and parsed. */
  const forwardRead = async (request: IncomingMessage, body: Buffer) => {
    const answer = await forward(url, agent, request, body);
    const raw = await readBody(answer);
    let json: Wire = {};
    try {
      json = JSON.parse(raw.toString('utf8')) as Wire;
    } catch {}
    return { status: answer.statusCode ?? 500, json, raw, headers: answer.headers };
  };

  const throttle = (response: ServerResponse) => {
    counts.throttledCalls++;
    sendJson(response, 400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    const input = body.byteLength > 0 ? (JSON.parse(body.toString('utf8')) as Wire) : {};
    let sent = body;
    let rest: WriteRequest[] = [];
    let written = 0;
    if (operation === 'BatchWriteItem') {
      const requestItems = input.RequestItems as Record<string, WriteRequest[]>;
      const writes = requestItems[options.table];
      if (writes) {
        counts.calls++;
        refill();
        let units = 0;
        while (written < writes.length && units + costOf(writes[written] as WriteRequest) <= tokens)
          units += costOf(writes[written++] as WriteRequest);
        if (written === 0) return throttle(response);
        if (written < writes.length) counts.partialCalls++;
        consume(units);
        counts.itemsWritten += written;
        rest = writes.slice(written);
        const kept = { ...requestItems, [options.table]: writes.slice(0, written) };
        sent = Buffer.from(JSON.stringify({ ...input, RequestItems: kept }));
      }
    } else if (
      ['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation) &&
      input.TableName === options.table
    ) {
      counts.calls++;
      refill();
      const units = costOf({ PutRequest: { Item: (input.Item ?? {}) as Wire } });
      if (units > tokens) return throttle(response);
      consume(units);
      counts.itemsWritten++;
    }
    const answer = await forwardRead(request, sent);
    if (answer.status === 200 && rest.length > 0) {
      const unprocessed = (answer.json.UnprocessedItems ?? {}) as Record<string, WriteRequest[]>;
      const merged = { ...unprocessed, [options.table]: [...(unprocessed[options.table] ?? []), ...rest] };
      return sendJson(response, 200, { ...answer.json, UnprocessedItems: merged });
    }
    if (answer.status === 200 && operation === 'DescribeTable' && input.TableName === options.table) {
      const table = answer.json.Table as Wire;
      const throughput = (table.ProvisionedThroughput ?? {}) as Wire;
      return sendJson(response, 200, {
        ...answer.json,
        Table: {
          ...table,
          ProvisionedThroughput: { ...throughput, WriteCapacityUnits: options.wcu },
          BillingModeSummary: { BillingMode: 'PROVISIONED' },
        },
      });
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.raw);
  };

  const server = await listen(handle);

  return {
    endpoint: server.endpoint,
    counts,
    /** Units written in each second since the proxy started. */
    perSecond: () => Array.from(perSecond, (units) => units ?? 0),
    /**
     * The most that any stretch of whole seconds from the start wrote beyond what the table allows
     * (`wcu` a second, plus the burst it started with): 0 when the writers stayed within capacity.
     */
    excess: () => {
      let total = 0;
      let worst = 0;
      perSecond.forEach((units, second) => {
        total += units ?? 0;
        worst = Math.max(worst, total - capacity - options.wcu * (second + 1));
      });
      return worst;
    },
    close: async () => {
      agent.destroy();
      await server.close();
    },
  };
};

export type CapacityProxy = Awaited<ReturnType<typeof startCapacityProxy>>;
