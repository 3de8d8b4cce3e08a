import { compareEvent, compareSequencers } from './sequencer.ts';

/**
 * `running`: an invocation holds the file and renews its lease. `handover`: it stopped at a record
 * boundary and queued a continuation, which takes the claim up (nothing writes meanwhile).
 * `stopped`: a newer upload asked it to stop, and it did. `done`: its report is written.
 */
export type FileState = 'running' | 'handover' | 'stopped' | 'done';

/** The ledger's record of one object key: who processes which upload of it, under what lease. */
export type FileRecord = {
  /** The sequencer of the upload that holds the key (unset when it was taken by an event without one). */
  readonly seq?: string;
  /** One processing chain of one upload: its first invocation and its continuations. */
  readonly chain: string;
  /** Which invocation of the chain holds (or last held) it: 1 for the first. */
  readonly step: number;
  /** The Lambda request id of that invocation. */
  readonly owner: string;
  readonly state: FileState;
  /** Epoch ms; past it, a `running` or `handover` claim is free to take. */
  readonly leaseUntil: number;
  /** Set by a newer upload waiting for this one to stop: its sequencer, or `*` for one without. */
  readonly stopFor?: string;
  /** Bumped by every write: a write conditioned on it fails if anyone wrote since it was read. */
  readonly version: number;
};

export type ClaimRequest = {
  /** The event's S3 sequencer; unset for an event not sent by S3 (newer than any before it). */
  readonly seq?: string;
  /** The Lambda request id of this invocation: Lambda's retry of an attempt carries the same one. */
  readonly requestId: string;
  /** The chain id a new claim of an S3 event gets (the task's); `context.newChain` when unset. */
  readonly chain?: string;
  /** Set for a continuation: the chain it belongs to and the invocation it is (`task.invocations + 1`). */
  readonly continuation?: { readonly chain: string; readonly step: number };
};

export type ClaimDecision =
  /** Write `record` if the stored version is still `expect` (unset: no record yet); then the file is ours. */
  | { readonly kind: 'claim'; readonly record: FileRecord; readonly expect: number | undefined }
  /** Write `record` (it asks the running claim to stop) if the version is still `expect`; then wait. */
  | { readonly kind: 'ask-stop'; readonly record: FileRecord; readonly expect: number }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'duplicate'; readonly reason: string }
  | { readonly kind: 'superseded'; readonly reason: string };

export type ClaimContext = {
  readonly now: number;
  readonly leaseMs: number;
  /** The chain id a new claim gets unless the request brings one (random; drawn by the caller so that this stays pure). */
  readonly newChain: string;
};

/** The mark `stopFor` holds for a waiting event without a sequencer. */
export const NO_SEQUENCER = '*';

/**
 * Decides what one invocation may do with a file, given the ledger's record of its key (unset when
 * there is none). The caller writes the record a `claim` or `ask-stop` decision carries, on the
 * condition that the record is still as read, and decides again when that condition fails.
 */
export const decideClaim = (
  stored: FileRecord | undefined,
  request: ClaimRequest,
  context: ClaimContext,
): ClaimDecision => {
  const { now, leaseMs } = context;
  const newChain = request.chain ?? context.newChain;
  const take = (chain: string, step: number, seq: string | undefined): ClaimDecision => ({
    kind: 'claim',
    record: {
      ...(seq !== undefined && { seq }),
      chain,
      step,
      owner: request.requestId,
      state: 'running',
      leaseUntil: now + leaseMs,
      version: (stored?.version ?? 0) + 1,
    },
    expect: stored?.version,
  });
  if (request.continuation) return decideContinuation(stored, request, context, take);
  if (!stored) return take(newChain, 1, request.seq);

  const live = stored.leaseUntil > now;
  // Lambda's retry of the attempt that holds the claim: that attempt has ended, so nothing else writes.
  // After a handover too: the attempt may have failed to queue its continuation.
  const retryOfOwner =
    stored.owner === request.requestId && (stored.state === 'running' || stored.state === 'handover');
  const order = compareEvent(request.seq, stored.seq);
  if (order < 0) return { kind: 'superseded', reason: 'a newer upload of this key was taken already' };
  if (order === 0) {
    if (retryOfOwner) return take(newChain, 1, stored.seq);
    if (stored.state === 'done') return { kind: 'duplicate', reason: 'this upload was processed already' };
    if (stored.state === 'stopped') return { kind: 'superseded', reason: 'a newer upload stopped this one' };
    if (live) return { kind: 'duplicate', reason: 'this upload is being processed' };
    // It crashed, or its continuation never came: start over from the beginning of the file.
    return take(newChain, 1, stored.seq);
  }
  // A newer upload (or an event without a sequencer): it replaces what runs only once that has stopped.
  const seq = request.seq ?? stored.seq;
  if (retryOfOwner || stored.state !== 'running' || !live) return take(newChain, 1, seq);
  const mark = request.seq ?? NO_SEQUENCER;
  if (stored.stopFor === mark) return { kind: 'wait', reason: 'an older upload is stopping' };
  if (
    stored.stopFor !== undefined &&
    stored.stopFor !== NO_SEQUENCER &&
    request.seq !== undefined &&
    compareSequencers(stored.stopFor, request.seq) > 0
  ) {
    return { kind: 'superseded', reason: 'a newer upload of this key is waiting already' };
  }
  return {
    kind: 'ask-stop',
    record: { ...stored, stopFor: mark, version: stored.version + 1 },
    expect: stored.version,
  };
};

const decideContinuation = (
  stored: FileRecord | undefined,
  request: ClaimRequest,
  context: ClaimContext,
  take: (chain: string, step: number, seq: string | undefined) => ClaimDecision,
): ClaimDecision => {
  const { chain, step } = request.continuation as { chain: string; step: number };
  // No record (the ledger was set up while the file ran, or the record expired): nothing disputes it.
  if (!stored) return take(chain, step, request.seq);
  if (stored.chain !== chain || stored.stopFor !== undefined) {
    return { kind: 'superseded', reason: 'a newer upload of this key took over' };
  }
  const live = stored.leaseUntil > context.now;
  if (stored.step > step) return { kind: 'duplicate', reason: 'a later invocation of this file ran already' };
  if (stored.step === step) {
    if (stored.state === 'done' || stored.state === 'stopped') {
      return { kind: 'duplicate', reason: 'this continuation ran already' };
    }
    // Lambda's retry of this continuation, or a second delivery of one that crashed: same resume point.
    if (stored.owner === request.requestId || !live) return take(chain, step, stored.seq);
    return { kind: 'duplicate', reason: 'this continuation is being processed' };
  }
  if (stored.step === step - 1 && stored.state === 'handover') return take(chain, step, stored.seq);
  if (stored.state === 'running' && live) {
    return { kind: 'wait', reason: 'the invocation before this one still holds the file' };
  }
  if (stored.state === 'running') return take(chain, step, stored.seq);
  return { kind: 'duplicate', reason: `this chain is ${stored.state}` };
};
