import { type Claim, HEARTBEAT_MS, LEASE_MS, type Ledger } from './ledger.ts';

/** The second count of a table's writers, this long after joining. */
const SETTLE_MS = 1_000;

/** Why a held lease ended before the file did. */
export type LeaseLoss =
  /** Taken over, or a newer upload asked the file to stop: stop now, write no report. */
  | 'superseded'
  /** The lease could not be renewed for most of its time (DynamoDB failing): it may be lost. */
  | 'unconfirmed';

export type ShareOptions = {
  /** The destination table, as the ledger counts its writers. */
  readonly tableName: string;
  /** The table's provisioned write capacity units, which its writers share. */
  readonly writeCapacity: number;
  /** Told this file's share whenever the writers are counted. */
  readonly setCapacity: (units: number) => void;
};

export type HeldLease = {
  /** Aborted (with a `LeaseLoss` as its reason) when the lease is lost: the file stops writing. */
  readonly signal: AbortSignal;
  /** Stops the heartbeat and leaves the table's writers; the claim itself is released by the caller. */
  stop(): Promise<void>;
};

export type HoldOptions = {
  readonly ledger: Ledger;
  readonly claim: Claim;
  /** On a provisioned table: pace at this file's share of the capacity. */
  readonly share?: ShareOptions;
  readonly intervalMs?: number;
  /** When the writers are counted a second time after joining (files uploaded together join together). */
  readonly settleMs?: number;
  readonly leaseMs?: number;
  readonly now?: () => number;
  /** Hears heartbeats that failed (they are retried at the next beat); for logs. */
  readonly onError?: (error: unknown) => void;
};

/**
 * Holds a claim while a file is written: one timer renews the file's lease and, on a provisioned
 * table, its place among the table's writers, setting the share (WCU / live writers) each time.
 */
export const holdLease = async (options: HoldOptions): Promise<HeldLease> => {
  const { ledger, claim, share } = options;
  const intervalMs = options.intervalMs ?? HEARTBEAT_MS;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  const joinShare = async () => {
    if (!share) return;
    const writers = await ledger.joinWriters(share.tableName, claim.chain);
    share.setCapacity(share.writeCapacity / writers);
  };
  await joinShare();

  let renewedAt = now();
  let beating: Promise<void> | undefined;
  const beat = async () => {
    try {
      if (!(await ledger.renew(claim))) {
        controller.abort('superseded' satisfies LeaseLoss);
        return;
      }
      renewedAt = now();
      await joinShare();
    } catch (error) {
      options.onError?.(error);
      // Past this, another invocation may hold the file: better to stop than to write beside it.
      if (now() - renewedAt > leaseMs - 2 * intervalMs) controller.abort('unconfirmed' satisfies LeaseLoss);
    }
  };
  const timer = setInterval(() => {
    if (beating || controller.signal.aborted) return;
    beating = beat().finally(() => {
      beating = undefined;
    });
  }, intervalMs);
  // Files uploaded together join one after the other: the first ones saw few writers, and would pace
  // at too large a share until the next heartbeat. Count again soon, once.
  const settle = share
    ? setTimeout(() => {
        if (beating || controller.signal.aborted) return;
        beating = joinShare()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            beating = undefined;
          });
      }, options.settleMs ?? SETTLE_MS)
    : undefined;
  const stopTimers = () => {
    clearInterval(timer);
    clearTimeout(settle);
  };
  controller.signal.addEventListener('abort', stopTimers, { once: true });

  return {
    signal: controller.signal,
    async stop() {
      stopTimers();
      await beating;
      if (share) await ledger.leaveWriters(share.tableName, claim.chain).catch(() => undefined);
    },
  };
};
