import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { holdLease } from '../../src/aws/file-lease.ts';
import { takeTurn } from '../../src/aws/file-turn.ts';
import { createLedger, LEASE_MS, tableKey } from '../../src/aws/ledger.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/servers.ts';
import { createTable } from '../support/local-tables.ts';

type Backend = { endpoint: string; close(): Promise<void> };

const startDynalite = async (): Promise<Backend> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** DynamoDB Local holds conditional expressions to DynamoDB's own rules, which dynalite does not all know. */
const startDynamoDbLocal = async (): Promise<Backend> => {
  const { startDynamoDbLocal: start } = await import('../../src/local/dynamodb-local.ts');
  return start();
};

/** Whether `java` can run DynamoDB Local here: without it, only dynalite runs. */
const javaAvailable = await new Promise<boolean>((resolve) => {
  import('node:child_process').then(({ spawn }) => {
    const child = spawn(process.env.JAVA ?? 'java', ['-version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
});

const backends = [
  { name: 'dynalite', start: startDynalite },
  ...(javaAvailable ? [{ name: 'DynamoDB Local', start: startDynamoDbLocal }] : []),
];

describe.each(backends)('the file ledger on $name', ({ start }) => {
  let backend: Backend;
  let dynamodb: DynamoDBClient;
  let clock = 1_700_000_000_000;
  let chains = 0;
  let files = 0;
  const ledgerAt = () =>
    createLedger(dynamodb, 'ledger', {
      now: () => clock,
      newChain: () => `chain-${++chains}`,
      sleep: async () => {
        clock += 1_000;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
  const aFile = () => ({ bucket: 'uploads', key: `incoming/file-${++files}.csv` });

  beforeAll(async () => {
    backend = await start();
    dynamodb = new DynamoDBClient({
      endpoint: backend.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await createTable(dynamodb, 'ledger', { name: 'pk', type: 'S' });
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await backend?.close();
  });

  it('processes one of two deliveries of an event that come at once', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const results = await Promise.all([
      ledger.claim(file, { seq: '0A', requestId: 'r1' }),
      ledger.claim(file, { seq: '0A', requestId: 'r2' }),
    ]);
    expect(results.map((result) => result.kind).sort()).toEqual(['claimed', 'duplicate']);
  });

  it('skips a delivery of an upload that is done', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const first = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (first.kind !== 'claimed') throw new Error(first.kind);
    expect(await ledger.release(first.claim, 'done')).toBe(true);
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r2' })).kind).toBe('duplicate');
  });

  it('skips an older event that comes after a newer one', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    expect((await ledger.claim(file, { seq: '0B', requestId: 'r1' })).kind).toBe('claimed');
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r2' })).kind).toBe('superseded');
  });

  it('stops an older upload for a newer one, which claims the key once it has stopped', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const older = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (older.kind !== 'claimed') throw new Error(older.kind);
    expect((await ledger.claim(file, { seq: '0B', requestId: 'r2' })).kind).toBe('wait');
    expect(await ledger.read(file)).toMatchObject({ stopFor: '0B', state: 'running', seq: '0A' });
    // Asked once, the newer one waits without writing again.
    expect((await ledger.claim(file, { seq: '0B', requestId: 'r2' })).kind).toBe('wait');
    expect(await ledger.renew(older.claim)).toBe(false);
    expect(await ledger.release(older.claim, 'stopped')).toBe(true);
    const newer = await ledger.claim(file, { seq: '0B', requestId: 'r2' });
    expect(newer.kind).toBe('claimed');
    expect(await ledger.read(file)).toMatchObject({ seq: '0B', state: 'running', owner: 'r2' });
    expect((await ledger.read(file))?.stopFor).toBeUndefined();
  });

  it('keeps a newer upload waiting while the older one holds the key, then lets it go on', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const older = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (older.kind !== 'claimed') throw new Error(older.kind);
    const held = await holdLease({ ledger, claim: older.claim, intervalMs: 10 });
    let polls = 0;
    const newer = ledger.waitForTurn(file, { seq: '0B', requestId: 'r2' }, () => ++polls < 1_000);
    await vi.waitFor(() => expect(held.signal.aborted).toBe(true));
    expect(held.signal.reason).toBe('superseded');
    await held.stop();
    await ledger.release(older.claim, 'stopped');
    expect((await newer).kind).toBe('claimed');
  });

  it('gives up waiting when the caller has no time left, with the key still asked to stop', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    const result = await ledger.waitForTurn(file, { seq: '0B', requestId: 'r2' }, () => false);
    expect(result.kind).toBe('wait');
  });

  it('lets a newer upload take over at once from a crashed older one', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    clock += LEASE_MS + 1;
    expect((await ledger.claim(file, { seq: '0B', requestId: 'r2' })).kind).toBe('claimed');
  });

  it('starts a crashed upload over when its event comes again after the lease', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const first = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (first.kind !== 'claimed') throw new Error(first.kind);
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r2' })).kind).toBe('duplicate');
    clock += LEASE_MS + 1;
    const again = await ledger.claim(file, { seq: '0A', requestId: 'r2' });
    if (again.kind !== 'claimed') throw new Error(again.kind);
    expect(again.claim.chain).not.toBe(first.claim.chain);
    // The crashed one, should it wake up, has lost the file.
    expect(await ledger.renew(first.claim)).toBe(false);
    expect(await ledger.release(first.claim, 'done')).toBe(false);
  });

  it("lets Lambda's retry (same request id) take the claim over at once", async () => {
    const ledger = ledgerAt();
    const file = aFile();
    await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r1' })).kind).toBe('claimed');
  });

  it('keeps the claim of a continued file from invocation to invocation', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const first = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (first.kind !== 'claimed') throw new Error(first.kind);
    expect(await ledger.release(first.claim, 'handover')).toBe(true);
    // A second delivery of the S3 event meanwhile is a duplicate.
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r9' })).kind).toBe('duplicate');
    const continuation = { chain: first.claim.chain, step: 2 };
    const second = await ledger.claim(file, { seq: '0A', requestId: 'r2', continuation });
    if (second.kind !== 'claimed') throw new Error(second.kind);
    expect(second.claim).toMatchObject({ chain: first.claim.chain, step: 2 });
    // A second delivery of the continuation is a duplicate; the first invocation holds nothing now.
    expect((await ledger.claim(file, { seq: '0A', requestId: 'r3', continuation })).kind).toBe('duplicate');
    expect(await ledger.renew(first.claim)).toBe(false);
    expect(await ledger.renew(second.claim)).toBe(true);
  });

  it('does not hand over a file a newer upload asked to stop', async () => {
    const ledger = ledgerAt();
    const file = aFile();
    const older = await ledger.claim(file, { seq: '0A', requestId: 'r1' });
    if (older.kind !== 'claimed') throw new Error(older.kind);
    await ledger.claim(file, { seq: '0B', requestId: 'r2' });
    expect(await ledger.release(older.claim, 'handover')).toBe(false);
    expect(await ledger.release(older.claim, 'stopped')).toBe(true);
    expect((await ledger.claim(file, { seq: '0B', requestId: 'r2' })).kind).toBe('claimed');
  });

  it('counts the writers of a table, and lets a crashed one go with its lease', async () => {
    const ledger = ledgerAt();
    const table = `table-${++files}`;
    expect(await ledger.joinWriters(table, 'a')).toBe(1);
    expect(await ledger.joinWriters(table, 'b')).toBe(2);
    expect(await ledger.joinWriters(table, 'c')).toBe(3);
    await ledger.leaveWriters(table, 'b');
    expect(await ledger.joinWriters(table, 'a')).toBe(2);
    // c crashes: a renews, c does not; once c's lease is over, a counts alone.
    clock += LEASE_MS / 2;
    expect(await ledger.joinWriters(table, 'a')).toBe(2);
    clock += LEASE_MS / 2 + 1;
    expect(await ledger.joinWriters(table, 'a')).toBe(1);
    // A lease later, c is removed from the item.
    clock += LEASE_MS;
    await ledger.joinWriters(table, 'a');
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: tableKey(table) } }, ConsistentRead: true }),
    );
    expect(Object.keys(Item ?? {}).sort()).toEqual(['expiresAt', 'pk', 'w#a']);
  });

  it('sets each holder’s share of the capacity, and gives it back when one stops', async () => {
    const ledger = ledgerAt();
    const table = `table-${++files}`;
    const shares = { a: 0, b: 0 };
    const hold = async (name: 'a' | 'b') => {
      const file = aFile();
      const claimed = await ledger.claim(file, { seq: '0A', requestId: name });
      if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
      return holdLease({
        ledger,
        claim: claimed.claim,
        intervalMs: 10,
        share: {
          tableName: table,
          writeCapacity: 10,
          setCapacity: (units) => {
            shares[name] = units;
          },
        },
      });
    };
    const a = await hold('a');
    expect(shares.a).toBe(10);
    const b = await hold('b');
    expect(shares.b).toBe(5);
    await vi.waitFor(() => expect(shares.a).toBe(5));
    await b.stop();
    await vi.waitFor(() => expect(shares.a).toBe(10));
    await a.stop();
  });

  it('counts the writers again soon after joining, so files that start together share at once', async () => {
    const ledger = ledgerAt();
    const table = `table-${++files}`;
    const shares = { a: 0, b: 0 };
    const hold = async (name: 'a' | 'b') => {
      const claimed = await ledger.claim(aFile(), { seq: '0A', requestId: name });
      if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
      // The heartbeat is far away: only the second count can tell `a` that `b` came.
      return holdLease({
        ledger,
        claim: claimed.claim,
        intervalMs: 60_000,
        settleMs: 200,
        share: { tableName: table, writeCapacity: 10, setCapacity: (units) => (shares[name] = units) },
      });
    };
    const a = await hold('a');
    const b = await hold('b');
    expect(shares).toEqual({ a: 10, b: 5 });
    await vi.waitFor(() => expect(shares.a).toBe(5), { timeout: 2_000 });
    await Promise.all([a.stop(), b.stop()]);
  });

  it('stops a file whose lease it cannot renew for most of the lease (DynamoDB unreachable)', async () => {
    const ledger = ledgerAt();
    const claimed = await ledger.claim(aFile(), { seq: '0A', requestId: 'r1' });
    if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
    const gone = await startDynalite();
    await gone.close();
    const unreachable = new DynamoDBClient({
      endpoint: gone.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const errors: unknown[] = [];
    const held = await holdLease({
      ledger: createLedger(unreachable, 'ledger'),
      claim: claimed.claim,
      intervalMs: 10,
      leaseMs: 100,
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(held.signal.aborted).toBe(true));
    expect(held.signal.reason).toBe('unconfirmed');
    expect(errors.length).toBeGreaterThan(0);
    await held.stop();
    unreachable.destroy();
  });

  describe('takeTurn()', () => {
    it('goes, paces at its share, and frees the key when done', async () => {
      const ledger = ledgerAt();
      const file = aFile();
      const shares: number[] = [];
      const setup = {
        ledger,
        share: {
          tableName: `table-${++files}`,
          writeCapacity: 5,
          pacer: { setCapacity: (units: number) => shares.push(units) },
        },
      };
      const turn = await takeTurn(setup, file, { seq: '0A', requestId: 'r1' }, () => true);
      if (turn.kind !== 'go') throw new Error(turn.kind);
      expect(shares).toEqual([5]);
      expect(await turn.confirm()).toBe(true);
      expect(await turn.end('done')).toBe(true);
      expect(await takeTurn(setup, file, { seq: '0A', requestId: 'r2' }, () => true)).toMatchObject({
        kind: 'skip',
        outcome: 'duplicate',
      });
      expect(await takeTurn(setup, file, { seq: '09', requestId: 'r3' }, () => true)).toMatchObject({
        kind: 'skip',
        outcome: 'superseded',
      });
    });

    it('defers a newer upload that has no time to wait, and stops the older one instead of handing it over', async () => {
      const ledger = ledgerAt();
      const file = aFile();
      const older = await takeTurn({ ledger }, file, { seq: '0A', requestId: 'r1' }, () => true);
      if (older.kind !== 'go') throw new Error(older.kind);
      expect((await takeTurn({ ledger }, file, { seq: '0B', requestId: 'r2' }, () => false)).kind).toBe(
        'defer',
      );
      expect(await older.confirm()).toBe(false);
      expect(await older.end('handover')).toBe(false);
      expect(await ledger.read(file)).toMatchObject({ state: 'stopped' });
      const newer = await takeTurn({ ledger }, file, { seq: '0B', requestId: 'r2' }, () => false);
      expect(newer.kind).toBe('go');
      if (newer.kind === 'go') await newer.end('done');
    });
  });
});
