import { describe, expect, it } from 'vitest';
import {
  type ClaimRequest,
  decideClaim,
  type FileRecord,
  NO_SEQUENCER,
} from '../../../src/core/ledger-rules.ts';

const NOW = 1_000_000;
const context = { now: NOW, leaseMs: 30_000, newChain: 'new-chain' };

const record = (fields: Partial<FileRecord> = {}): FileRecord => ({
  seq: '0B',
  chain: 'c1',
  step: 1,
  owner: 'req-1',
  state: 'running',
  leaseUntil: NOW + 10_000,
  version: 7,
  ...fields,
});

const expired = NOW - 1;

type Case = {
  name: string;
  stored: FileRecord | undefined;
  request: ClaimRequest;
  kind: string;
  /** For a claim: the chain and step it takes. */
  takes?: { chain: string; step: number; seq?: string };
  stopFor?: string;
};

const event = (seq: string | undefined, requestId = 'req-2'): ClaimRequest => ({
  ...(seq !== undefined && { seq }),
  requestId,
});
const continuation = (chain: string, step: number, requestId = 'req-2'): ClaimRequest => ({
  seq: '0B',
  requestId,
  continuation: { chain, step },
});

const cases: Case[] = [
  // S3 events
  {
    name: 'a first event claims a key nobody holds',
    stored: undefined,
    request: event('0B'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0B' },
  },
  {
    name: 'a first event claims with the chain it brings',
    stored: undefined,
    request: { ...event('0B'), chain: 'task-chain' },
    kind: 'claim',
    takes: { chain: 'task-chain', step: 1, seq: '0B' },
  },
  {
    name: 'an older event is skipped',
    stored: record(),
    request: event('0A'),
    kind: 'superseded',
  },
  {
    name: 'an older event is skipped after the newer one is done too',
    stored: record({ state: 'done' }),
    request: event('0A'),
    kind: 'superseded',
  },
  {
    name: 'a second delivery while the first runs is a duplicate',
    stored: record(),
    request: event('0B'),
    kind: 'duplicate',
  },
  {
    name: 'a second delivery after the first is done is a duplicate',
    stored: record({ state: 'done', leaseUntil: expired }),
    request: event('0B'),
    kind: 'duplicate',
  },
  {
    name: 'a second delivery while the file waits for its continuation is a duplicate',
    stored: record({ state: 'handover', step: 3, owner: 'req-9' }),
    request: event('0B'),
    kind: 'duplicate',
  },
  {
    name: "Lambda's retry (same request id) takes the claim over at once, lease or not",
    stored: record({ owner: 'req-2' }),
    request: event('0B', 'req-2'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0B' },
  },
  {
    name: "Lambda's retry of an attempt that handed over but failed takes over too",
    stored: record({ owner: 'req-2', state: 'handover' }),
    request: event('0B', 'req-2'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0B' },
  },
  {
    name: "Lambda's retry of an event whose file is done does not redo it",
    stored: record({ owner: 'req-2', state: 'done' }),
    request: event('0B', 'req-2'),
    kind: 'duplicate',
  },
  {
    name: 'a crashed claim (lease expired) is taken over from the start',
    stored: record({ leaseUntil: expired, step: 2 }),
    request: event('0B'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0B' },
  },
  {
    name: 'a delivery of an upload that was stopped is not processed',
    stored: record({ state: 'stopped', leaseUntil: expired }),
    request: event('0B'),
    kind: 'superseded',
  },
  {
    name: 'a newer upload while the older runs asks it to stop',
    stored: record(),
    request: event('0C'),
    kind: 'ask-stop',
    stopFor: '0C',
  },
  {
    name: 'a newer upload that asked already waits without writing',
    stored: record({ stopFor: '0C' }),
    request: event('0C'),
    kind: 'wait',
  },
  {
    name: 'a newer upload behind an even newer waiting one is skipped',
    stored: record({ stopFor: '0D' }),
    request: event('0C'),
    kind: 'superseded',
  },
  {
    name: 'the newest of several waiting uploads takes the stop request over',
    stored: record({ stopFor: '0C' }),
    request: event('0D'),
    kind: 'ask-stop',
    stopFor: '0D',
  },
  {
    name: 'a newer upload takes over a stopped one',
    stored: record({ state: 'stopped', stopFor: '0C' }),
    request: event('0C'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0C' },
  },
  {
    name: 'a newer upload takes over a crashed one without waiting',
    stored: record({ leaseUntil: expired }),
    request: event('0C'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0C' },
  },
  {
    name: 'a newer upload takes over at once between two invocations of the older one',
    stored: record({ state: 'handover' }),
    request: event('0C'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0C' },
  },
  {
    name: 'a newer upload takes over a finished one',
    stored: record({ state: 'done' }),
    request: event('0C'),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0C' },
  },
  {
    name: 'an event without a sequencer is newer: it asks the running one to stop',
    stored: record(),
    request: event(undefined),
    kind: 'ask-stop',
    stopFor: NO_SEQUENCER,
  },
  {
    name: 'an event without a sequencer keeps the stored one when it claims',
    stored: record({ state: 'done' }),
    request: event(undefined),
    kind: 'claim',
    takes: { chain: 'new-chain', step: 1, seq: '0B' },
  },
  // Continuations
  {
    name: 'a continuation takes up its handed-over claim',
    stored: record({ state: 'handover', step: 1 }),
    request: continuation('c1', 2),
    kind: 'claim',
    takes: { chain: 'c1', step: 2, seq: '0B' },
  },
  {
    name: 'a continuation of a chain a newer upload took over stops',
    stored: record({ chain: 'c2', seq: '0C' }),
    request: continuation('c1', 2),
    kind: 'superseded',
  },
  {
    name: 'a continuation whose file was asked to stop does not start',
    stored: record({ state: 'handover', stopFor: '0C' }),
    request: continuation('c1', 2),
    kind: 'superseded',
  },
  {
    name: 'a second delivery of a continuation that runs is a duplicate',
    stored: record({ step: 2, owner: 'req-3' }),
    request: continuation('c1', 2),
    kind: 'duplicate',
  },
  {
    name: "Lambda's retry of a continuation takes it over at once",
    stored: record({ step: 2, owner: 'req-2' }),
    request: continuation('c1', 2, 'req-2'),
    kind: 'claim',
    takes: { chain: 'c1', step: 2, seq: '0B' },
  },
  {
    name: 'a crashed continuation is taken over by a second delivery, from the same point',
    stored: record({ step: 2, owner: 'req-3', leaseUntil: expired }),
    request: continuation('c1', 2),
    kind: 'claim',
    takes: { chain: 'c1', step: 2, seq: '0B' },
  },
  {
    name: 'a continuation that comes after a later one ran is a duplicate',
    stored: record({ step: 4 }),
    request: continuation('c1', 2),
    kind: 'duplicate',
  },
  {
    name: 'a continuation of a finished file is a duplicate',
    stored: record({ step: 2, state: 'done' }),
    request: continuation('c1', 2),
    kind: 'duplicate',
  },
  {
    name: 'a continuation waits while the invocation before it still holds the file',
    stored: record({ step: 1 }),
    request: continuation('c1', 2),
    kind: 'wait',
  },
  {
    name: 'a continuation with no record claims (the ledger came while the file ran)',
    stored: undefined,
    request: continuation('c1', 2),
    kind: 'claim',
    takes: { chain: 'c1', step: 2, seq: '0B' },
  },
];

describe('decideClaim()', () => {
  it.each(cases)('$name: $kind', ({ stored, request, kind, takes, stopFor }) => {
    const decision = decideClaim(stored, request, context);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'claim') {
      const { record: written, expect: expected } = decision;
      expect(written).toMatchObject({
        ...takes,
        owner: request.requestId,
        state: 'running',
        leaseUntil: NOW + context.leaseMs,
        version: (stored?.version ?? 0) + 1,
      });
      expect(written.seq).toBe(takes?.seq);
      expect(written.stopFor).toBeUndefined();
      expect(expected).toBe(stored?.version);
    }
    if (decision.kind === 'ask-stop') {
      expect(decision.record).toEqual({ ...stored, stopFor, version: (stored?.version ?? 0) + 1 });
      expect(decision.expect).toBe(stored?.version);
    }
  });
});
