import type { ClaimRequest } from '../core/ledger-rules.ts';
import { holdLease, type LeaseLoss } from './file-lease.ts';
import type { Claim, FileRef, Ledger, Release } from './ledger.ts';

export type TurnSetup = {
  readonly ledger: Ledger;
  /** On a provisioned destination table: the file paces at its share of the table's capacity. */
  readonly share?: {
    readonly tableName: string;
    readonly writeCapacity: number;
    readonly pacer: { setCapacity(units: number): void };
  };
  /** Hears heartbeats that failed (retried at the next one); for logs. */
  readonly onHeartbeatError?: (error: unknown) => void;
};

export type FileTurn =
  /** Not this invocation's to process: log it and count it (`filesDuplicated`, `filesSuperseded`). */
  | { readonly kind: 'skip'; readonly outcome: 'duplicate' | 'superseded'; readonly reason: string }
  /**
   * A newer upload that waited for an older one as long as the invocation allowed: hand the event
   * over to a new invocation (as a new file, which claims again), so it is never dropped.
   */
  | { readonly kind: 'defer'; readonly reason: string }
  | {
      readonly kind: 'go';
      readonly claim: Claim;
      /**
       * Aborted when the claim is lost; its reason is a `LeaseLoss`. `superseded`: cancel the
       * writes, write no report, abort the rejected rows, `end('stopped')`. `unconfirmed`: the same,
       * then fail the invocation so that Lambda's retry (same request id) takes the file over.
       */
      readonly signal: AbortSignal;
      /** Asked right before the report is written: false when the file must stop after all. */
      confirm(): Promise<boolean>;
      /**
       * Stops the heartbeat and releases the claim. `handover` is false when a newer upload asked
       * the file to stop meanwhile: the claim is then released `stopped`, and the caller does not
       * queue the continuation (nor write a report).
       */
      end(how: Release): Promise<boolean>;
      /**
       * Stops the heartbeat and leaves the table's writers, but keeps the claim: for an invocation
       * that fails, so that Lambda's retry (same request id) takes the claim over at once.
       */
      abandon(): Promise<void>;
    };

/**
 * One invocation's turn at a file: claims it in the ledger (waiting, while `canWait` says there is
 * time, for an older upload of the key to stop), then holds the claim, and its share of the
 * table's capacity, until `end`.
 */
export const takeTurn = async (
  setup: TurnSetup,
  file: FileRef,
  request: ClaimRequest,
  canWait: () => boolean,
): Promise<FileTurn> => {
  const { ledger, share } = setup;
  const result = await ledger.waitForTurn(file, request, canWait);
  if (result.kind === 'wait') return { kind: 'defer', reason: result.reason };
  if (result.kind !== 'claimed') return { kind: 'skip', outcome: result.kind, reason: result.reason };
  const { claim } = result;
  const held = await holdLease({
    ledger,
    claim,
    ...(share && {
      share: {
        tableName: share.tableName,
        writeCapacity: share.writeCapacity,
        setCapacity: (units: number) => share.pacer.setCapacity(units),
      },
    }),
    ...(setup.onHeartbeatError && { onError: setup.onHeartbeatError }),
  });
  return {
    kind: 'go',
    claim,
    signal: held.signal,
    confirm: async () => !held.signal.aborted && (await ledger.renew(claim)),
    async end(how) {
      await held.stop();
      if (how !== 'handover') return ledger.release(claim, how);
      if (await ledger.release(claim, 'handover')) return true;
      await ledger.release(claim, 'stopped');
      return false;
    },
    abandon: () => held.stop(),
  };
};

/** The reason a turn's signal was aborted with. */
export const lossOf = (signal: AbortSignal): LeaseLoss | undefined =>
  signal.aborted ? (signal.reason as LeaseLoss) : undefined;
