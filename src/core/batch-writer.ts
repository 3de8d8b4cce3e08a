import { DependencyError, ErrorCode, ItemRefusedError, RetryableWriteError } from './errors.ts';
import type { Item } from './item.ts';
import {
  BATCH_SIZE,
  backoffMs,
  drainTimeMs,
  outstandingHalf,
  type Pacer,
  type SendBatch,
  sleep,
  type WriteEntry,
  type WriterStats,
} from './write-contract.ts';
import { writeUnits } from './write-units.ts';

export type BatchWriterOptions = {
  readonly send: SendBatch;
  readonly keyIdOf: (item: Item) => string;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly pacer?: Pacer;
  /**
   * The time the writes still outstanding when the file stops must fit in (CONTINUATION_MARGIN_MS).
   * With a pacer that has a rate, the writer keeps what is outstanding (waiting, in flight, or
   * retried) within what that rate writes in half of it: fewer calls in flight, smaller batches.
   */
  readonly marginMs?: number;
  /** Aborting it cancels the writer (see `cancel`). */
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Rows now in the table: a successful put counts every row its item replaced in the same batch. */
  readonly onWritten: (rows: number) => void;
  readonly onRejected: (entry: WriteEntry, reason: string) => void | Promise<void>;
};

/**
 * An entry plus the rows of its key it replaced while waiting in the same batch (the later row wins):
 * `rows` counts them all, `previous` keeps them, in case DynamoDB refuses the later ones.
 */
type Pending = WriteEntry & { rows: number; units: number; previous: Pending | undefined };

/** How many rows of one key a batch holds before it is sent: bounds what `previous` keeps. */
const MAX_ROWS_PER_KEY = BATCH_SIZE;

/**
 * Writes entries in batches of 25 with several calls in flight, in file order for equal keys:
 * a batch waits for any batch in flight that holds one of its keys, so the later row always wins.
 * Unprocessed items and retryable errors are sent again with capped exponential backoff and full
 * jitter; after `maxAttempts` calls in a row that wrote nothing, the writer fails with a
 * `DependencyError`, never dropping a row. On a paced table with `marginMs`, the units outstanding
 * stay within what the pace writes in half the margin (see `budget`), so that a stopped file's
 * writes end in time at any capacity.
 */
export class BatchWriter {
  readonly stats: WriterStats = { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
  private pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly keyLocks = new Map<string, Promise<void>>();
  private failure: unknown;
  private cancelled = false;
  /** Units of the entries waiting to go out, and of those sent but not yet written (metered only). */
  private pendingUnits = 0;
  private inFlightUnits = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: BatchWriterOptions) {
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (options.signal?.aborted) this.cancel();
  }

  /**
   * Stops writing: drops what waits to go out and sends no call that has not started; calls
   * already on the wire finish. Rows not written are neither counted nor rejected: a cancelled file
   * (superseded by a newer upload) writes no report.
   */
  cancel(): void {
    this.cancelled = true;
    this.pending = new Map();
    this.pendingUnits = 0;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Whether the units outstanding are metered: only with a rate and a margin to fit in. */
  private get metered(): boolean {
    return this.options.marginMs !== undefined && this.options.pacer?.rate?.() !== undefined;
  }

  /**
   * How long what is outstanding takes to write at the current rate (0 unmetered): the caller stops
   * reading early when its share fell so far that this would not fit before the deadline.
   */
  drainMs(): number {
    return this.metered
      ? drainTimeMs(this.pendingUnits + this.inFlightUnits, this.options.pacer?.rate?.())
      : 0;
  }

  /** What may be outstanding on each side: the calls in flight, and the batch being filled (`outstandingHalf`). */
  private half(): number {
    return outstandingHalf(this.options.pacer?.rate?.(), this.options.marginMs);
  }

  /**
   * Adds an entry. Gives a promise only when the caller must wait: a batch went out (it resolves
   * once fewer calls are in flight) or an earlier write failed for good (it rejects). Most rows get
   * none, which spares a promise and a microtask per row.
   */
  put(entry: WriteEntry): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.cancelled) return undefined;
    const replaced = this.pending.get(entry.keyId);
    if (replaced && replaced.rows >= MAX_ROWS_PER_KEY) return this.dispatch().then(() => this.put(entry));
    if (replaced) {
      this.pending.delete(entry.keyId);
      this.pendingUnits -= replaced.units;
    }
    const units = this.metered ? writeUnits(entry.item) : 0;
    this.pendingUnits += units;
    // Every field spelled out, in one order: one object shape for V8, on a path taken once per row.
    this.pending.set(entry.keyId, {
      item: entry.item,
      keyId: entry.keyId,
      row: entry.row,
      fields: entry.fields,
      rows: 1 + (replaced?.rows ?? 0),
      units,
      previous: replaced,
    });
    const full = this.pending.size >= BATCH_SIZE || (units > 0 && this.pendingUnits >= this.half());
    return full ? this.dispatch() : undefined;
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

  /** Whether a batch of `units` must wait: too many calls in flight, or (metered) too many units. */
  private mustWait(units: number): boolean {
    if (this.inFlight.size === 0) return false;
    return this.inFlight.size >= this.limit() || (units > 0 && this.inFlightUnits + units > this.half());
  }

  private async dispatch(): Promise<void> {
    const entries = [...this.pending.values()];
    let units = this.pendingUnits;
    this.pending = new Map();
    this.pendingUnits = 0;
    while (this.mustWait(units)) await Promise.race(this.inFlight);
    this.throwIfFailed();
    if (this.cancelled) return;
    this.inFlightUnits += units;
    const earlier = new Set<Promise<void>>();
    for (const entry of entries) {
      const lock = this.keyLocks.get(entry.keyId);
      if (lock) earlier.add(lock);
    }
    const task = (async () => {
      if (earlier.size > 0) await Promise.allSettled([...earlier]);
      this.throwIfFailed();
      await this.write(entries, (written) => {
        units -= written;
        this.inFlightUnits -= written;
      });
    })().catch((error: unknown) => {
      this.failure ??= error;
    });
    const done: Promise<void> = task.finally(() => {
      this.inFlightUnits -= units;
      this.inFlight.delete(done);
      for (const entry of entries)
        if (this.keyLocks.get(entry.keyId) === done) this.keyLocks.delete(entry.keyId);
    });
    this.inFlight.add(done);
    for (const entry of entries) this.keyLocks.set(entry.keyId, done);
  }

  /** Writes entries until each is written or rejected; `settled` hears the units of each that is. */
  private async write(
    entries: readonly Pending[],
    settled: (units: number) => void = () => undefined,
  ): Promise<void> {
    const { send, pacer, maxAttempts } = this.options;
    let remaining = entries;
    // The budget counts calls in a row that wrote nothing: a table that takes part of each call is not down.
    let attempt = 1;
    for (;;) {
      const items = remaining.map((entry) => entry.item);
      await pacer?.acquire(items);
      // A cancelled writer sends no call that has not started; waiting for capacity is not started.
      if (this.cancelled) return;
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
        if (error instanceof ItemRefusedError) return this.isolate(remaining, error, settled);
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
        let units = 0;
        for (const entry of written) {
          rows += entry.rows;
          units += entry.units;
        }
        this.options.onWritten(rows);
        settled(units);
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
      await this.sleep(backoffMs(this.random, attempt - 1, this.options));
      if (this.cancelled) return;
    }
  }

  /** DynamoDB refused a call: send its items one by one so that only the bad one is rejected. */
  private async isolate(
    entries: readonly Pending[],
    error: ItemRefusedError,
    settled: (units: number) => void,
  ): Promise<void> {
    if (entries.length > 1) {
      for (const entry of entries) {
        if (this.cancelled) return;
        await this.write([entry], settled);
      }
      return;
    }
    const [entry] = entries as [Pending];
    settled(entry.units);
    await this.options.onRejected(entry, `DynamoDB refused the item: ${error.message}`);
    // The rows this one replaced would have stood had it come alone: the last of them goes in its place.
    if (entry.previous) await this.write([entry.previous]);
  }
}
