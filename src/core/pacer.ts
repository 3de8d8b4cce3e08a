import { type Pacer, sleep as timerSleep } from './batch-writer.ts';
import { type Item, itemSize } from './item.ts';

/** One write capacity unit writes one item of up to 1 KB per second. */
const WCU_BYTES = 1024;

export type PacerOptions = {
  /** The table's provisioned write capacity units; unset (on demand) means no rate limit. */
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

/** The capacity units a put of this item consumes: its size in KB, rounded up. */
export const writeUnits = (item: Item): number => Math.max(1, Math.ceil(itemSize(item) / WCU_BYTES));

/**
 * Paces writes to a table's capacity. On a provisioned table a token bucket holds the write rate
 * at the provisioned WCU (the tokens may go into debt: a call waits until its units are earned);
 * throttling cuts the rate, which creeps back up on success. On both kinds of table the number of
 * calls in flight follows AIMD: +1 per window of successful calls, halved on throttling.
 */
export const createPacer = (options: PacerOptions): Pacer & { rate(): number | undefined } => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timerSleep;
  const max = Math.max(1, options.maxConcurrency);
  const cooldownMs = options.cooldownMs ?? 250;
  const capacity = options.writeCapacity;
  const floor = capacity === undefined ? 0 : Math.max(1, capacity / 10);
  const burstSeconds = options.burstSeconds ?? 1;
  let rate = capacity;
  let tokens = capacity === undefined ? 0 : capacity * burstSeconds;
  let refilledAt = now();
  let window = max;
  let throttledAt = Number.NEGATIVE_INFINITY;

  const refill = () => {
    const time = now();
    if (rate !== undefined)
      tokens = Math.min(rate * burstSeconds, tokens + ((time - refilledAt) / 1000) * rate);
    refilledAt = time;
  };

  return {
    async acquire(items) {
      if (rate === undefined) return;
      refill();
      for (const item of items) tokens -= writeUnits(item);
      if (tokens < 0) await sleep(Math.ceil((-tokens / rate) * 1000));
    },
    concurrency: () => Math.floor(window),
    onThrottle() {
      const time = now();
      if (time - throttledAt < cooldownMs) return;
      throttledAt = time;
      window = Math.max(1, window / 2);
      if (rate !== undefined) {
        refill();
        rate = Math.max(floor, rate * 0.7);
        // What the table refused is not spent capacity we may burst into again.
        tokens = Math.min(tokens, 0);
      }
    },
    onSuccess(items) {
      if (items <= 0) return;
      window = Math.min(max, window + 1 / window);
      if (rate !== undefined && capacity !== undefined) {
        refill();
        rate = Math.min(capacity, rate + capacity * 0.05);
      }
    },
    rate: () => rate,
  };
};
