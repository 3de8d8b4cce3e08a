import { DependencyError, ErrorCode, ItemRefusedError, RetryableWriteError } from './errors.ts';
import type { Item } from './item.ts';

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
};

export type WriterStats = {
  calls: number;
  retries: number;
  throttles: number;
  consumedCapacity: number;
};

export type BatchWriterOptions = {
  readonly send: SendBatch;
  readonly keyIdOf: (item: Item) => string;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly pacer?: Pacer;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Rows now in the table: a successful put counts every row its item replaced in the same batch. */
  readonly onWritten: (rows: number) => void;
  readonly onRejected: (entry: WriteEntry, reason: string) => void | Promise<void>;
};

/** Waits `ms` on the global timer (which tests may fake); the writer and the pacer take it as their default. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An entry plus the rows of its key it replaced while waiting in the same batch (the later row wins):
 * `rows` counts them all, `previous` keeps them, in case DynamoDB refuses the later ones.
 */
type Pending = WriteEntry & { rows: number; previous: Pending | undefined };

/** How many rows of one key a batch holds before it is sent: bounds what `previous` keeps. */
const MAX_ROWS_PER_KEY = BATCH_SIZE;

/**
 * Writes entries in batches of 25 with several calls in flight, in file order for equal keys:
 * a batch waits for any batch in flight that holds one of its keys, so the later row always wins.
 * Unprocessed items and retryable errors are sent again with capped exponential backoff and full
 * jitter; after `maxAttempts` calls in a row that wrote nothing, the writer fails with a
 * `DependencyError`, never dropping a row.
 */
export class BatchWriter {
  readonly stats: WriterStats = { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
  private pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly keyLocks = new Map<string, Promise<void>>();
  private failure: unknown;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: BatchWriterOptions) {
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
  }

  /**
   * Adds an entry. Gives a promise only when the caller must wait: a batch went out (it resolves
   * once fewer calls are in flight) or an earlier write failed for good (it rejects). Most rows get
   * none, which spares a promise and a microtask per row.
   */
  put(entry: WriteEntry): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const replaced = this.pending.get(entry.keyId);
    if (replaced && replaced.rows >= MAX_ROWS_PER_KEY) return this.dispatch().then(() => this.put(entry));
    if (replaced) this.pending.delete(entry.keyId);
    // Every field spelled out, in one order: one object shape for V8, on a path taken once per row.
    this.pending.set(entry.keyId, {
      item: entry.item,
      keyId: entry.keyId,
      row: entry.row,
      fields: entry.fields,
      rows: 1 + (replaced?.rows ?? 0),
      previous: replaced,
    });
    return this.pending.size >= BATCH_SIZE ? this.dispatch() : undefined;
  }

  /** Sends what is left and waits for every call; throws if any write failed for good. */
  async flush(): Promise<void> {
    if (this.pending.size > 0) await this.dispatch();
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for the calls in flight, whatever their outcome. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private limit(): number {
    return Math.max(1, this.options.pacer?.concurrency() ?? this.options.concurrency);
  }

  private async dispatch(): Promise<void> {
    const entries = [...this.pending.values()];
    this.pending = new Map();
    while (this.inFlight.size >= this.limit()) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const earlier = new Set<Promise<void>>();
    for (const entry of entries) {
      const lock = this.keyLocks.get(entry.keyId);
      if (lock) earlier.add(lock);
    }
    const task = (async () => {
      if (earlier.size > 0) await Promise.allSettled([...earlier]);
      this.throwIfFailed();
      await this.write(entries);
    })().catch((error: unknown) => {
      this.failure ??= error;
    });
    const done: Promise<void> = task.finally(() => {
      this.inFlight.delete(done);
      for (const entry of entries)
        if (this.keyLocks.get(entry.keyId) === done) this.keyLocks.delete(entry.keyId);
    });
    this.inFlight.add(done);
    for (const entry of entries) this.keyLocks.set(entry.keyId, done);
  }

  private backoff(attempt: number): number {
    const cap = this.options.maxDelayMs ?? 5_000;
    const base = this.options.baseDelayMs ?? 50;
    return Math.round(this.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }

  private async write(entries: readonly Pending[]): Promise<void> {
    const { send, pacer, maxAttempts } = this.options;
    let remaining = entries;
    // The budget counts calls in a row that wrote nothing: a table that takes part of each call is not down.
    let attempt = 1;
    for (;;) {
      const items = remaining.map((entry) => entry.item);
      await pacer?.acquire(items);
      this.stats.calls++;
      let unprocessed: readonly Item[];
      try {
        const outcome = await send(items);
        unprocessed = outcome.unprocessed;
        this.stats.consumedCapacity += outcome.consumedCapacity ?? 0;
        if (unprocessed.length > 0) {
          this.stats.throttles++;
          pacer?.onThrottle();
        }
      } catch (error) {
        if (error instanceof ItemRefusedError) return this.isolate(remaining, error);
        if (!(error instanceof RetryableWriteError)) throw error;
        if (error.throttled) {
          this.stats.throttles++;
          pacer?.onThrottle();
        }
        unprocessed = items;
      }
      const left =
        unprocessed.length === 0 ? undefined : new Set(unprocessed.map((item) => this.options.keyIdOf(item)));
      const written = left ? remaining.filter((entry) => !left.has(entry.keyId)) : remaining;
      if (written.length > 0) {
        pacer?.onSuccess(written.length);
        let rows = 0;
        for (const entry of written) rows += entry.rows;
        this.options.onWritten(rows);
      }
      if (!left) return;
      remaining = remaining.filter((entry) => left.has(entry.keyId));
      attempt = written.length > 0 ? 1 : attempt + 1;
      if (attempt > maxAttempts) {
        throw new DependencyError(
          ErrorCode.WRITE_RETRIES_EXHAUSTED,
          `${remaining.length} item(s) were still unwritten after ${maxAttempts} attempts (rows ${remaining
            .map((entry) => entry.row)
            .join(', ')})`,
        );
      }
      this.stats.retries++;
      await this.sleep(this.backoff(attempt - 1));
    }
  }

  /** DynamoDB refused a call: send its items one by one so that only the bad one is rejected. */
  private async isolate(entries: readonly Pending[], error: ItemRefusedError): Promise<void> {
    if (entries.length > 1) {
      for (const entry of entries) await this.write([entry]);
      return;
    }
    const [entry] = entries as [Pending];
    await this.options.onRejected(entry, `DynamoDB refused the item: ${error.message}`);
    // The rows this one replaced would have stood had it come alone: the last of them goes in its place.
    if (entry.previous) await this.write([entry.previous]);
  }
}
