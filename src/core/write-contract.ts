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
 * The writers keep what is outstanding within what a tenth of the pace writes in half the margin.
 */
export const PACE_FALL = 10;
