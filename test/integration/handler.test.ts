import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../support/pipeline.ts';

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
