import type { Item } from './item.ts';

/**
 * What the batch writer asks of the two sides it stands between: the call that sends a batch
 * (an SDK adapter in src/aws) and the pacer that spends the table's capacity (pacer.ts).
 */

/** DynamoDB's BatchWriteItem takes at most 25 puts per call. */
export const BATCH_SIZE = 25;

export type WriteEntry = {
  readonly item: Item;
  readonly keyId: string;
  readonly row: number;
  readonly fields: readonly string[];
};

export type SendOutcome = {
  /** The items DynamoDB did not write (UnprocessedItems): they are sent again. */
  readonly unprocessed: readonly Item[];
  readonly consumedCapacity?: number;
};

/**
 * One BatchWriteItem call. It throws `RetryableWriteError` for throttling and transient faults,
 * `ItemRefusedError` when DynamoDB refuses the items as invalid; anything else is fatal.
 */
export type SendBatch = (items: readonly Item[]) => Promise<SendOutcome>;

/** Paces writes to the table's capacity (see pacer.ts); without one, writes go as fast as they can. */
export type Pacer = {
  /** Resolves when the table has capacity for a call that puts these items. */
  acquire(items: readonly Item[]): Promise<void>;
  /** How many calls may be in flight now. */
  concurrency(): number;
  onThrottle(): void;
  onSuccess(items: number): void;
  /** The write rate now, in capacity units a second; unset when writes are not rate-limited. */
  rate?(): number | undefined;
};

export type WriterStats = {
  calls: number;
  retries: number;
  throttles: number;
  consumedCapacity: number;
};

/** Waits `ms` on the global timer (which tests may fake); the writer and the pacer take it as their default. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How far a file's pace may fall after it queued its writes and still drain them in time: its share
 * of the table drops when other files start (seen at the next count), and throttling cuts it.
 */
export const PACE_FALL = 10;

/**
 * The deadline rule shared by the writers, as units that may be outstanding on each side (the calls
 * in flight, and the batch being filled): together what a tenth of the current rate (`PACE_FALL`)
 * writes in half the margin (the other half is for the rejected rows and the handover), so that what
 * a file has queued still drains in time when its share falls. A call holds at least one item.
 * Unlimited without a rate (on demand) or a margin.
 */
export const outstandingHalf = (rate: number | undefined, marginMs: number | undefined): number =>
  rate === undefined || marginMs === undefined
    ? Number.POSITIVE_INFINITY
    : Math.max(1, Math.floor((rate * marginMs) / 4 / 1000 / PACE_FALL));

/** How long `units` outstanding take to write at `rate` (0 unmetered). */
export const drainTimeMs = (units: number, rate: number | undefined): number =>
  rate === undefined ? 0 : (units / rate) * 1000;

/** Capped exponential backoff with full jitter, for the `attempt`-th retry in a row. */
export const backoffMs = (
  random: () => number,
  attempt: number,
  delays: { readonly baseDelayMs?: number; readonly maxDelayMs?: number },
): number =>
  Math.round(
    random() * Math.min(delays.maxDelayMs ?? 5_000, (delays.baseDelayMs ?? 50) * 2 ** (attempt - 1)),
  );
