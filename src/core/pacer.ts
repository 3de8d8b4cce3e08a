import { type Pacer, sleep as timerSleep } from './write-contract.ts';
import { writeUnits } from './write-units.ts';

export { writeUnits };

/** Throttling cuts the rate to 70 %, never below a tenth of the capacity; each success adds 5 % back. */
const CUT = 0.7;
const STEP = 0.05;
const FLOOR = 0.1;
/** A share is never 0 (the pacer would wait for ever): at the least, one unit every 100 s. */
const MIN_CAPACITY = 0.01;

export type PacerOptions = {
  /**
   * The write capacity units this pacer may use: the table's provisioned WCU, or (with the ledger)
   * this file's share of it; unset (on demand) means no rate limit. `setCapacity` changes it.
   */
  readonly writeCapacity?: number;
  /** The most calls in flight; concurrency starts here and backs off on throttling. */
  readonly maxConcurrency: number;
  /** How many seconds of capacity may be spent at once (default 1). */
  readonly burstSeconds?: number;
  /** Throttles closer together than this count as one (default 250 ms): one signal, one back-off. */
  readonly cooldownMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
};

/** The pacer for a table: its provisioned write capacity (none on demand) and the most calls in flight. */
export const pacerFor = (table: { readonly writeCapacity?: number }, maxConcurrency: number) =>
  createPacer({
    maxConcurrency,
    ...(table.writeCapacity !== undefined && { writeCapacity: table.writeCapacity }),
  });

export type TablePacer = Pacer & {
  /** The write rate now, in units a second (below the capacity after throttling); unset on demand. */
  rate(): number | undefined;
  /** A new capacity (the file's share, as files come and go); the throttling cut stays, relative to it. */
  setCapacity(units: number | undefined): void;
};

/**
 * Paces writes to a table's capacity. On a provisioned table a token bucket holds the write rate
 * at the capacity (the tokens may go into debt: a call waits until its units are earned);
 * throttling cuts the rate, which creeps back up on success. The rate is kept as a fraction of the
 * capacity, so a new share (`setCapacity`) keeps what throttling taught. On both kinds of table the
 * number of calls in flight follows AIMD: +1 per window of successful calls, halved on throttling.
 */
export const createPacer = (options: PacerOptions): TablePacer => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timerSleep;
  const max = Math.max(1, options.maxConcurrency);
  const cooldownMs = options.cooldownMs ?? 250;
  const burstSeconds = options.burstSeconds ?? 1;
  let capacity = options.writeCapacity;
  /** The rate as a fraction of the capacity. */
  let level = 1;
  let tokens = capacity === undefined ? 0 : capacity * burstSeconds;
  let refilledAt = now();
  let window = max;
  let throttledAt = Number.NEGATIVE_INFINITY;
  const rate = () => (capacity === undefined ? undefined : capacity * level);

  const refill = () => {
    const time = now();
    const current = rate();
    if (current !== undefined)
      tokens = Math.min(current * burstSeconds, tokens + ((time - refilledAt) / 1000) * current);
    refilledAt = time;
  };

  return {
    async acquire(items) {
      if (capacity === undefined) return;
      refill();
      for (const item of items) tokens -= writeUnits(item);
      const current = rate() as number;
      if (tokens < 0) await sleep(Math.ceil((-tokens / current) * 1000));
    },
    concurrency: () => Math.floor(window),
    onThrottle() {
      const time = now();
      if (time - throttledAt < cooldownMs) return;
      throttledAt = time;
      window = Math.max(1, window / 2);
      if (capacity !== undefined) {
        refill();
        level = Math.max(FLOOR, level * CUT);
        // What the table refused is not spent capacity we may burst into again.
        tokens = Math.min(tokens, 0);
      }
    },
    onSuccess(items) {
      if (items <= 0) return;
      window = Math.min(max, window + 1 / window);
      if (capacity !== undefined) {
        refill();
        level = Math.min(1, level + STEP);
      }
    },
    rate,
    setCapacity(units) {
      refill();
      if (capacity === undefined && units !== undefined) tokens = 0;
      capacity = units === undefined ? undefined : Math.max(MIN_CAPACITY, units);
      const current = rate();
      if (current !== undefined) tokens = Math.min(tokens, current * burstSeconds);
    },
  };
};
