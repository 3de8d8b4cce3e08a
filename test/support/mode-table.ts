/**
 * A table in memory that answers the mode writer's requests as DynamoDB does (checked against
 * DynamoDB Local in test/integration/write-modes.test.ts), and an oracle that applies rows one at a
 * time by SPEC's words ("Write modes"), written apart from the writer so that each checks the other.
 */
import type { AttributeValue, Item } from '../../src/core/item.ts';
import { type KeySchema, keyIdOf } from '../../src/core/key-schema.ts';
import type { ModeAnswer, ModeRequest, SendRequests } from '../../src/core/mode-contract.ts';
import type { WriteCondition, WriteOp } from '../../src/core/schema/write-block.ts';
import type { SendBatch } from '../../src/core/write-contract.ts';

/** DynamoDB's `<`: numbers by value, strings by their UTF-8 bytes, other pairs are not lower. */
export const isLower = (stored: AttributeValue | undefined, row: AttributeValue): boolean => {
  if (stored && 'N' in stored && 'N' in row) return Number(stored.N) < Number(row.N);
  if (stored && 'S' in stored && 'S' in row)
    return Buffer.compare(Buffer.from(stored.S), Buffer.from(row.S)) < 0;
  return false;
};

export type Fault = 'retry' | 'throttle' | 'refuse-call';

export const createModeTable = (keySchema: KeySchema, initial: readonly Item[] = []) => {
  const items = new Map<string, Item>(initial.map((item) => [keyIdOf(item, keySchema), { ...item }]));
  const faults: Fault[] = [];
  const log: ModeRequest['kind'][][] = [];
  let calls = 0;
  const answer = (request: ModeRequest): ModeAnswer => {
    const id = keyIdOf('item' in request ? request.item : request.key, keySchema);
    const stored = items.get(id);
    switch (request.kind) {
      case 'put':
        items.set(id, { ...request.item });
        return { kind: 'done' };
      case 'delete':
        items.delete(id);
        return { kind: 'done' };
      case 'insert':
        if (stored) return { kind: 'duplicate' };
        items.set(id, { ...request.item });
        return { kind: 'done' };
      case 'update': {
        if (!stored) return { kind: 'missing' };
        if (request.newer && !isLower(stored[request.newer.attribute], request.newer.value))
          return { kind: 'exists' };
        const next = { ...stored, ...request.set };
        for (const name of request.remove) delete next[name];
        items.set(id, next);
        return { kind: 'done' };
      }
      case 'deleteIf':
        if (!stored) return { kind: 'missing' };
        if (!isLower(stored[request.newer.attribute], request.newer.value)) return { kind: 'exists' };
        items.delete(id);
        return { kind: 'done' };
    }
  };
  const sendRequests: SendRequests = async (requests) => {
    calls++;
    const ids = requests.map((request) => keyIdOf('item' in request ? request.item : request.key, keySchema));
    if (new Set(ids).size !== ids.length) throw new Error('one call holds the same key twice');
    log.push(requests.map((request) => request.kind));
    // Calls overlap, and a later call may end before an earlier one.
    await new Promise((resolve) => setTimeout(resolve, (calls * 7) % 5));
    const fault = faults.shift();
    if (fault === 'refuse-call' && requests.some((request) => 'item' in request && 'Refuse' in request.item))
      return { answers: requests.map(() => ({ kind: 'refused', message: 'invalid', whole: true }) as const) };
    return {
      answers: requests.map((request, index) => {
        if ('item' in request && 'Refuse' in request.item && requests.length === 1)
          return { kind: 'refused', message: 'invalid', whole: false };
        // A fault takes every other statement of its call: the rest are answered.
        if ((fault === 'retry' || fault === 'throttle') && index % 2 === 0)
          return { kind: 'retry', throttled: fault === 'throttle' };
        return answer(request);
      }),
    };
  };
  const send: SendBatch = async (batch) => {
    const outcome = await sendRequests(batch.map((item) => ({ kind: 'put', item })));
    return { unprocessed: batch.filter((_, index) => outcome.answers[index]?.kind === 'retry') };
  };
  return { items, faults, log, sendRequests, send, calls: () => calls };
};

export type OracleRow = {
  readonly op: WriteOp | 'reject';
  readonly item: Item;
  /** The attributes the row's empty fields remove (upsert with "remove", put under newer). */
  readonly remove: readonly string[];
};

export type Tally = { written: number; deleted: number; skipped: number; rejected: number };

/** SPEC's rule: the rows applied one at a time, in file order, each counted as it would be alone. */
export const applyOneAtATime = (
  keySchema: KeySchema,
  initial: readonly Item[],
  rows: readonly OracleRow[],
  condition: WriteCondition,
  version?: string,
): { items: Map<string, Item>; tally: Tally } => {
  const items = new Map<string, Item>(initial.map((item) => [keyIdOf(item, keySchema), { ...item }]));
  const tally: Tally = { written: 0, deleted: 0, skipped: 0, rejected: 0 };
  for (const row of rows) {
    if (row.op === 'reject') {
      tally.rejected++;
      continue;
    }
    const id = keyIdOf(row.item, keySchema);
    const stored = items.get(id);
    const holds =
      condition === 'none' ||
      (condition === 'absent' && !stored) ||
      (condition === 'newer' &&
        (!stored || isLower(stored[version as string], row.item[version as string] as AttributeValue)));
    if (!holds) tally.skipped++;
    else if (row.op === 'delete') {
      items.delete(id);
      tally.deleted++;
    } else {
      const base = row.op === 'upsert' ? { ...stored } : {};
      const next: Item = { ...base, ...row.item };
      for (const name of row.remove) delete next[name];
      items.set(id, next);
      tally.written++;
    }
  }
  return { items, tally };
};
