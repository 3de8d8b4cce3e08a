import { DependencyError, ErrorCode, WriteDeniedError } from './errors.ts';
import type { ModeAnswer, ModeEntry, SendRequests } from './mode-contract.ts';
import { deniedError, isEmptyUpdate, itemOf, requestFor, type Step } from './mode-request.ts';
import { type WriteCondition, WriteOp } from './schema/write-block.ts';
import {
  BATCH_SIZE,
  backoffMs,
  drainTimeMs,
  outstandingHalf,
  type Pacer,
  sleep,
  type WriterStats,
} from './write-contract.ts';
import { writeUnits } from './write-units.ts';

export type ModeWriterOptions = {
  readonly send: SendRequests;
  readonly condition: WriteCondition;
  /** The attribute compared under `newer`. */
  readonly version?: string;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly pacer?: Pacer;
  /** As `BatchWriter`'s: on a paced table, the units outstanding stay within what half of it writes. */
  readonly marginMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onWritten: (rows: number) => void;
  readonly onSkipped: (rows: number) => void;
  readonly onDeleted: (rows: number) => void;
  readonly onRejected: (entry: ModeEntry, reason: string) => void | Promise<void>;
};

/** Where a row is in its exchange with the table: the request it sends next. */

type Slot = { readonly entry: ModeEntry; step: Step; alone: boolean; turns: number };

/** How many times one row may go from UPDATE to INSERT and back (each a race lost to another writer). */
const MAX_TURNS = 8;

/** How far the vote on the first request (see `insertFirst`) may lean either way: it follows a change within this many rows. */
const MAX_LEAN = 100;

/**
 * Writes rows under a write mode (SPEC, "Write modes"): each row's requests answer on their own
 * (mode-contract.ts), and a row ends written, deleted, skipped or rejected. Rows are never merged:
 * a batch holds each key once, a repeated key goes in the next batch, and a batch waits for every
 * batch in flight that holds one of its keys, so the table sees the rows of a key one at a time in
 * file order, and each row counts as it would alone. Retries as `BatchWriter`'s: backoff with full
 * jitter, `maxAttempts` rounds in a row that settle nothing, then a `DependencyError`.
 */
export class ModeWriter {
  readonly stats: WriterStats = { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
  private pending = new Map<string, ModeEntry>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly keyLocks = new Map<string, Promise<void>>();
  private failure: unknown;
  private cancelled = false;
  /**
   * An upsert, and a write under `newer`, may start with either request: UPDATE (one round trip when
   * the item exists) or INSERT (one when it does not); the other follows when the first finds the
   * opposite. Each row's first answer votes for the request that would have settled it at once, so
   * that a load into an empty table and a sync of existing items both take one round trip a row.
   */
  private lean = 0;
  /** Units waiting to go out and in flight (metered only: a pacer with a rate, and a margin). */
  private pendingUnits = 0;
  private inFlightUnits = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ModeWriterOptions) {
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (options.signal?.aborted) this.cancel();
  }

  cancel(): void {
    this.cancelled = true;
    this.pending = new Map();
    this.pendingUnits = 0;
  }

  /** What may be outstanding on each side: the calls in flight, and the batch being filled (`outstandingHalf`). */
  private half(): number {
    return outstandingHalf(this.options.pacer?.rate?.(), this.options.marginMs);
  }

  /** How long what is outstanding takes to write at the current rate (0 unmetered): `BatchWriter.drainMs`. */
  drainMs(): number {
    if (this.half() === Number.POSITIVE_INFINITY) return 0;
    return drainTimeMs(this.pendingUnits + this.inFlightUnits, this.options.pacer?.rate?.());
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Adds a row; a promise only when the caller must wait (a batch went out, or a write failed). */
  put(entry: ModeEntry): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.cancelled) return undefined;
    if (this.pending.has(entry.keyId)) return this.dispatch().then(() => this.put(entry));
    this.pending.set(entry.keyId, entry);
    const half = this.half();
    if (half !== Number.POSITIVE_INFINITY) this.pendingUnits += writeUnits(entry.item);
    const full = this.pending.size >= BATCH_SIZE || this.pendingUnits >= half;
    return full ? this.dispatch() : undefined;
  }

  async flush(): Promise<void> {
    if (this.pending.size > 0) await this.dispatch();
    await this.settle();
    if (this.failure !== undefined) throw this.failure;
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private limit(): number {
    return Math.max(1, this.options.pacer?.concurrency() ?? this.options.concurrency);
  }

  private async dispatch(): Promise<void> {
    const entries = [...this.pending.values()];
    const units = this.pendingUnits;
    this.pending = new Map();
    this.pendingUnits = 0;
    while (
      this.inFlight.size > 0 &&
      (this.inFlight.size >= this.limit() || (units > 0 && this.inFlightUnits + units > this.half()))
    )
      await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    if (this.cancelled) return;
    this.inFlightUnits += units;
    const earlier = new Set<Promise<void>>();
    for (const entry of entries) {
      const lock = this.keyLocks.get(entry.keyId);
      if (lock) earlier.add(lock);
    }
    const task = (async () => {
      if (earlier.size > 0) await Promise.allSettled([...earlier]);
      if (this.failure !== undefined) return;
      await this.write(entries);
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

  private firstStep(op: WriteOp): Step {
    const { condition } = this.options;
    if (condition === 'absent') return 'insert';
    if (op === WriteOp.delete) return condition === 'newer' ? 'deleteIf' : 'delete';
    if (op === WriteOp.put && condition === 'none') return 'put';
    return this.lean > 0 ? 'insert' : 'update';
  }

  /** A row's first answer to an UPDATE or INSERT that could have been the other: a vote. */
  private vote(slot: Slot, answer: ModeAnswer): void {
    if (slot.turns > 0 || this.options.condition === 'absent') return;
    const insertWins =
      (slot.step === 'update' && answer.kind === 'missing') ||
      (slot.step === 'insert' && answer.kind === 'done');
    const updateWins =
      (slot.step === 'update' && (answer.kind === 'done' || answer.kind === 'exists')) ||
      (slot.step === 'insert' && answer.kind === 'duplicate');
    if (insertWins) this.lean = Math.min(MAX_LEAN, this.lean + 1);
    else if (updateWins) this.lean = Math.max(-MAX_LEAN, this.lean - 1);
  }

  /** Applies an answer to a row: true when the row is settled (counted or rejected). */
  private async settleSlot(slot: Slot, answer: ModeAnswer): Promise<boolean> {
    const { entry } = slot;
    this.vote(slot, answer);
    const deleting = slot.step === 'delete' || slot.step === 'deleteIf';
    switch (answer.kind) {
      case 'done':
        if (deleting) this.options.onDeleted(1);
        else this.options.onWritten(1);
        return true;
      case 'duplicate':
        if (slot.step === 'ensure') {
          this.options.onWritten(1);
          return true;
        }
        if (this.options.condition === 'absent') {
          this.options.onSkipped(1);
          return true;
        }
        return this.turn(slot, 'update');
      case 'missing':
        if (deleting) {
          this.options.onDeleted(1);
          return true;
        }
        return this.turn(slot, 'insert');
      case 'exists':
        this.options.onSkipped(1);
        return true;
      case 'retry':
        return false;
      case 'refused':
        if (answer.whole && !slot.alone) {
          slot.alone = true;
          return false;
        }
        await this.options.onRejected(entry, `DynamoDB refused the item: ${answer.message}`);
        return true;
    }
  }

  private turn(slot: Slot, step: Step): false {
    if (++slot.turns > MAX_TURNS) {
      throw new DependencyError(
        ErrorCode.WRITE_RETRIES_EXHAUSTED,
        `row ${slot.entry.row}: its item kept appearing and disappearing between INSERT and UPDATE (${MAX_TURNS} times): another writer is racing this file`,
      );
    }
    // A row whose UPDATE would set nothing only has to exist: an INSERT that finds it is done.
    slot.step = step === 'update' && isEmptyUpdate(slot.entry) ? 'ensure' : step;
    return false;
  }

  /** Sends a batch's rows, round after round, until each is settled. */
  private async write(entries: readonly ModeEntry[]): Promise<void> {
    const { pacer, maxAttempts } = this.options;
    let open: Slot[] = entries.map((entry) => {
      const slot: Slot = { entry, step: this.firstStep(entry.op), alone: false, turns: 0 };
      // A row that would set nothing only has to exist: an INSERT that finds it is done.
      if (
        slot.step !== 'put' &&
        slot.step !== 'delete' &&
        this.options.condition === 'none' &&
        isEmptyUpdate(slot.entry)
      )
        slot.step = 'ensure';
      return slot;
    });
    let attempt = 1;
    while (open.length > 0) {
      const alone = open.find((slot) => slot.alone);
      const round = alone ? [alone] : open;
      const requests = round.map((slot) => requestFor(slot.entry, slot.step, this.options));
      await pacer?.acquire(requests.map(itemOf));
      if (this.cancelled) return;
      this.stats.calls++;
      let outcome: Awaited<ReturnType<SendRequests>>;
      try {
        outcome = await this.options.send(requests);
      } catch (error) {
        if (error instanceof WriteDeniedError) throw deniedError(error, round, this.options);
        throw error;
      }
      this.stats.consumedCapacity += outcome.consumedCapacity ?? 0;
      const settled = new Set<Slot>();
      let progressed = false;
      let throttled = false;
      for (const [index, slot] of round.entries()) {
        const answer = outcome.answers[index] ?? { kind: 'retry', throttled: false };
        if (answer.kind === 'retry') throttled ||= answer.throttled;
        else progressed = true;
        if (await this.settleSlot(slot, answer)) settled.add(slot);
      }
      if (settled.size > 0) pacer?.onSuccess(settled.size);
      if (throttled) {
        this.stats.throttles++;
        pacer?.onThrottle();
      }
      open = open.filter((slot) => !settled.has(slot));
      if (open.length === 0 || this.cancelled) return;
      attempt = progressed ? 1 : attempt + 1;
      if (attempt > maxAttempts) {
        throw new DependencyError(
          ErrorCode.WRITE_RETRIES_EXHAUSTED,
          `${open.length} row(s) were still unwritten after ${maxAttempts} attempts (rows ${open
            .map((slot) => slot.entry.row)
            .join(', ')})`,
        );
      }
      if (!progressed) {
        this.stats.retries++;
        await this.sleep(backoffMs(this.random, attempt - 1, this.options));
      }
    }
  }
}
