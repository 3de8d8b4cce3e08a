import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';
import { BUCKET, loadBuiltHandler, startPipeline } from '../support/pipeline.ts';

let pipeline: Awaited<ReturnType<typeof startPipeline>>;

beforeAll(async () => {
  pipeline = await startPipeline();
});
afterAll(() => pipeline.close());

describe('the built handler', () => {
  it('writes typed items and a succeeded report', async () => {
    await pipeline.ingest(
      'incoming/a b/ü.csv',
      'ID,Name,Price,Active\n1,alpha,12345678901234567890,TRUE\n2,beta,007,false\n',
    );
    const report = await pipeline.report('reports/a b/ü.csv.json');
    expect(report).toMatchObject({ status: 'succeeded', rowsRead: 2, rowsWritten: 2, rowsRejected: 0 });
    const items = await pipeline.items();
    expect(items).toContainEqual({
      ID: { N: '1' },
      Name: { S: 'alpha' },
      Price: { N: '12345678901234567890' },
      Active: { BOOL: true },
    });
    expect(items).toContainEqual({
      ID: { N: '2' },
      Name: { S: 'beta' },
      Price: { S: '007' },
      Active: { BOOL: false },
    });
  });
});

describe('the built handler with THREADS=2 (a sender thread sends the writes)', () => {
  const ROWS = 3_000;
  /** Row 1500 repeats the key of row 7 (the later row wins); row 2000 has no key (rejected). */
  const csv = (): string => {
    const lines = ['ID,Name,Qty'];
    for (let row = 1; row <= ROWS; row++) {
      if (row === 1_500) lines.push('7,"seven, the later row",1500');
      else if (row === 2_000) lines.push(',no key,2000');
      else lines.push(`${row},name ${row},${row * 3}`);
    }
    return `${lines.join('\n')}\n`;
  };

  /** The report less what differs run to run (timings, writer statistics). */
  const counted = (report: Record<string, unknown>) => {
    const { status, rowsRead, rowsWritten, rowsRejected, errors, rejectedRowsKey } = report;
    return { status, rowsRead, rowsWritten, rowsRejected, errors, rejectedRowsKey };
  };

  /** Runs a fresh copy of the built handler with THREADS=`threads`; what it left, and the threads it started. */
  const run = async (threads: string) => {
    await pipeline.clear();
    const workers: unknown[] = [];
    const onWorker = (worker: unknown) => workers.push(worker);
    const saved = process.env.THREADS;
    process.env.THREADS = threads;
    process.on('worker', onWorker);
    try {
      const handler = await loadBuiltHandler();
      const { eTag, size } = await pipeline.upload('incoming/threads.csv', csv());
      await handler(s3Event({ bucket: BUCKET, key: 'incoming/threads.csv', eTag, size }), lambdaContext());
    } finally {
      process.off('worker', onWorker);
      if (saved === undefined) delete process.env.THREADS;
      else process.env.THREADS = saved;
    }
    const byId = (item: Record<string, unknown>) => Number((item.ID as { N: string }).N);
    return {
      report: counted(await pipeline.report('reports/threads.csv.json')),
      items: (await pipeline.items()).sort((a, b) => byId(a) - byId(b)),
      rejected: await pipeline.get('rejected/threads.csv'),
      workers: workers.length,
    };
  };

  it('writes, counts and rejects exactly as with THREADS=1', async () => {
    const one = await run('1');
    const two = await run('2');
    expect(one.workers).toBe(0);
    expect(two.workers).toBe(1);

    expect(two.report).toEqual(one.report);
    expect(two.report).toMatchObject({
      status: 'partial',
      rowsRead: ROWS,
      rowsWritten: ROWS - 1,
      rowsRejected: 1,
    });
    expect(two.rejected).toBe(one.rejected);
    expect(two.rejected).toBe('_row,_error,ID,Name,Qty\n2000,"column ""ID"": key is empty",,no key,2000\n');
    expect(two.items).toEqual(one.items);
    expect(two.items).toHaveLength(ROWS - 2);
    expect(two.items).toContainEqual({
      ID: { N: '7' },
      Name: { S: 'seven, the later row' },
      Qty: { N: '1500' },
    });
    expect(two.items).toContainEqual({ ID: { N: '2999' }, Name: { S: 'name 2999' }, Qty: { N: '8997' } });
  });
});
