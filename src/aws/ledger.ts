import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type ClaimRequest, decideClaim, type FileRecord, type FileState } from '../core/ledger-rules.ts';
import { conditional, createTableWriters, n, s, tableKey } from './ledger-writers.ts';

/**
 * A claim lasts 30 s unless renewed: a crashed invocation holds a newer upload back at most that
 * long, and a few slow heartbeats (a GC pause, a slow DynamoDB call) do not lose it.
 */
export const LEASE_MS = 30_000;
/** A running file renews every 5 s: a newer upload's stop request is seen within 5 s. */
export const HEARTBEAT_MS = 5_000;
/**
 * Between two invocations of a file the claim waits this long for the continuation: Lambda's
 * asynchronous queue delivers in seconds, but may hold an event while the function is throttled.
 * Past it, a second delivery of the same event starts the file over.
 */
export const HANDOVER_LEASE_MS = 15 * 60_000;
/** How often a newer upload looks whether the older one has stopped. */
export const POLL_MS = 1_000;
/** How long the ledger remembers a key (for its TTL): S3 delivers late duplicates and old events within it. */
const RECORD_SECONDS = 30 * 24 * 3600;
/** Claims that lose this many conditional writes in a row give up: something writes the record in a loop. */
const MAX_CLAIM_ATTEMPTS = 20;

export type FileRef = { readonly bucket: string; readonly key: string };

/** What an invocation holds while it processes a file. */
export type Claim = {
  readonly pk: string;
  readonly chain: string;
  readonly step: number;
  readonly requestId: string;
  readonly seq?: string;
};

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly claim: Claim }
  | { readonly kind: 'duplicate' | 'superseded' | 'wait'; readonly reason: string };

export type Release = 'done' | 'stopped' | 'handover';

export type LedgerOptions = {
  readonly now?: () => number;
  readonly newChain?: () => string;
  readonly leaseMs?: number;
  readonly handoverLeaseMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
};

export const fileKey = (file: FileRef) => `file#${file.bucket}/${file.key}`;
export { tableKey };

const toAttributes = (pk: string, record: FileRecord, expiresAt: number): Record<string, AttributeValue> => ({
  pk: s(pk),
  ...(record.seq !== undefined && { seq: s(record.seq) }),
  chain: s(record.chain),
  step: n(record.step),
  owner: s(record.owner),
  state: s(record.state),
  leaseUntil: n(record.leaseUntil),
  ...(record.stopFor !== undefined && { stopFor: s(record.stopFor) }),
  version: n(record.version),
  expiresAt: n(expiresAt),
});

const fromAttributes = (item: Record<string, AttributeValue>): FileRecord => ({
  ...(item.seq?.S !== undefined && { seq: item.seq.S }),
  chain: item.chain?.S ?? '',
  step: Number(item.step?.N ?? 0),
  owner: item.owner?.S ?? '',
  state: (item.state?.S ?? 'done') as FileState,
  leaseUntil: Number(item.leaseUntil?.N ?? 0),
  ...(item.stopFor?.S !== undefined && { stopFor: item.stopFor.S }),
  version: Number(item.version?.N ?? 0),
});

export type Ledger = ReturnType<typeof createLedger>;

/**
 * The file ledger in the DynamoDB table `tableName` (partition key `pk`, string): who processes
 * which upload of each object key, as leases taken and renewed with conditional writes (the
 * rules are in core/ledger-rules.ts), and which files write each provisioned table now.
 */
export const createLedger = (dynamodb: DynamoDBClient, tableName: string, options: LedgerOptions = {}) => {
  const now = options.now ?? Date.now;
  const newChain = options.newChain ?? randomUUID;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const handoverLeaseMs = options.handoverLeaseMs ?? HANDOVER_LEASE_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const expiresAt = () => Math.ceil(now() / 1000) + RECORD_SECONDS;

  const read = async (pk: string): Promise<FileRecord | undefined> => {
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: s(pk) }, ConsistentRead: true }),
    );
    return Item ? fromAttributes(Item) : undefined;
  };

  /** Writes a whole record if nobody wrote since it was read (`expect`: its version; unset: none yet). */
  const write = (pk: string, record: FileRecord, expect: number | undefined) =>
    conditional(
      dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: toAttributes(pk, record, expiresAt()),
          ...(expect === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expect',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expect': n(expect) },
              }),
        }),
      ),
    );

  /** Updates a claim's record if it still belongs to the claim (and, with `running`, nobody asked it to stop). */
  const update = (claim: Claim, state: FileState, leaseUntil: number, running: boolean) =>
    conditional(
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: s(claim.pk) },
          UpdateExpression:
            'SET #state = :state, #lease = :lease, #version = #version + :one, #expires = :expires',
          ConditionExpression: `#chain = :chain AND #step = :step${
            running ? ' AND attribute_not_exists(#stopFor)' : ''
          }`,
          ExpressionAttributeNames: {
            '#state': 'state',
            '#lease': 'leaseUntil',
            '#version': 'version',
            '#expires': 'expiresAt',
            '#chain': 'chain',
            '#step': 'step',
            ...(running && { '#stopFor': 'stopFor' }),
          },
          ExpressionAttributeValues: {
            ':state': s(state),
            ':lease': n(leaseUntil),
            ':one': n(1),
            ':expires': n(expiresAt()),
            ':chain': s(claim.chain),
            ':step': n(claim.step),
          },
        }),
      ),
    );

  const ledger = {
    /**
     * Claims a file for this invocation: a consistent read, a decision, and a write conditioned
     * on the record being as read; a lost race decides again on what the winner wrote.
     */
    async claim(file: FileRef, request: ClaimRequest): Promise<ClaimResult> {
      const pk = fileKey(file);
      for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
        const stored = await read(pk);
        const decision = decideClaim(stored, request, { now: now(), leaseMs, newChain: newChain() });
        if (decision.kind === 'claim') {
          const { record } = decision;
          if (await write(pk, record, decision.expect)) {
            const claim = {
              pk,
              chain: record.chain,
              step: record.step,
              requestId: request.requestId,
              ...(record.seq !== undefined && { seq: record.seq }),
            };
            return { kind: 'claimed', claim };
          }
        } else if (decision.kind === 'ask-stop') {
          if (await write(pk, decision.record, decision.expect)) {
            return { kind: 'wait', reason: 'asked the older upload of this key to stop' };
          }
        } else {
          return decision;
        }
      }
      throw new Error(
        `the ledger record of ${pk} changed ${MAX_CLAIM_ATTEMPTS} times while it was being claimed`,
      );
    },

    /**
     * Claims a file, waiting while an older upload of its key stops (polling every second) as long
     * as `canWait` says there is time; a `wait` result means time ran out.
     */
    async waitForTurn(file: FileRef, request: ClaimRequest, canWait: () => boolean): Promise<ClaimResult> {
      for (;;) {
        const result = await ledger.claim(file, request);
        if (result.kind !== 'wait' || !canWait()) return result;
        await sleep(POLL_MS);
      }
    },

    /** Extends the lease; false when the claim is lost (taken over, or a newer upload asked it to stop). */
    renew: (claim: Claim): Promise<boolean> => update(claim, 'running', now() + leaseMs, true),

    /**
     * Ends this invocation's hold: `done` (report written) and `stopped` (for a newer upload) free
     * the key; `handover` keeps it for the continuation, unless a newer upload asked it to stop
     * (then it is false, and the caller releases it `stopped` instead of continuing).
     */
    release(claim: Claim, how: Release): Promise<boolean> {
      if (how === 'handover') return update(claim, 'handover', now() + handoverLeaseMs, true);
      return update(claim, how, now(), false);
    },

    ...createTableWriters({ dynamodb, tableName, now, leaseMs, expiresAt }),

    /** The record of a key as the ledger holds it (for tests and logs). */
    read: (file: FileRef) => read(fileKey(file)),
  };

  return ledger;
};
