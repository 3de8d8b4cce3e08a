import { describe, expect, it } from 'vitest';
import { readContinuation, startTask, toContinuation } from '../../../src/core/continuation.ts';
import type { IngestResult, ResumePoint } from '../../../src/core/ingest.ts';
import { buildReport } from '../../../src/core/report.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../../src/core/schema/schema-plan.ts';
import { toItem } from '../../../src/core/to-item.ts';
import { createTypeTally, describeWarning, typeWarnings } from '../../../src/core/type-tally.ts';
import { createTable, NUMBER_KEY, rowsOf, runIngest } from './ingest-harness.ts';

// 57 US zip codes that read as numbers, 3 with a leading zero that stay text, a flag column of booleans.
const ZIPS = `ID,Zip,Flag,Note\n${rowsOf(60, (i) => `${i},${i <= 3 ? `0213${i}` : 30300 + i},${i % 2 === 0},n${i}`)}`;

describe('the type tally', () => {
  it('counts, per column typed field by field, the rows that gave each type', async () => {
    const result = await runIngest(ZIPS);
    expect(result.types).toEqual({ Zip: { S: 3, N: 57 }, Flag: { BOOL: 60 }, Note: { S: 60 } });
    expect(typeWarnings(result.types)).toEqual([{ column: 'Zip', types: { S: 3, N: 57 } }]);
  });

  it('goes on from a resume point, so that a continued file counts every row once', async () => {
    const whole = await runIngest(ZIPS);
    const table = createTable(NUMBER_KEY);
    let resume: ResumePoint | undefined;
    let result: IngestResult;
    let records = 0;
    do {
      result = await runIngest(ZIPS, {
        table,
        ...(resume && { resume }),
        shouldStop: () => ++records % 7 === 0,
      });
      if (result.outcome === 'stopped') {
        // Through the continuation payload, as the next invocation gets it.
        const task = {
          ...startTask({ bucket: 'b', key: 'k', rest: 'k', gzip: false }, new Date()),
          resume: result.resume,
        };
        resume = readContinuation(JSON.parse(JSON.stringify(toContinuation(task)))).resume;
      } else resume = undefined;
    } while (result.outcome === 'stopped');
    expect(result.types).toEqual(whole.types);
  });

  it('leaves out columns a schema types, and counts only rows that became items', () => {
    const schema = parseSchema(JSON.stringify({ columns: { Zip: { type: 'S' } } }), 'schema.json');
    const plan = compileSchemaPlan(['ID', 'Zip', 'Amount'], NUMBER_KEY, 'infer', schema, {
      bucket: 'b',
      key: 'k',
      now: new Date(0),
    });
    const tally = createTypeTally({ Amount: { N: 2 } });
    for (const fields of [
      ['1', '30301', '12.5'],
      ['2', '02139', 'n/a'],
      ['3', '', ''],
    ]) {
      tally.count(plan, toItem(plan, fields, 1).item);
    }
    expect(tally.snapshot()).toEqual({ Amount: { N: 3, S: 1 } });
  });

  it('puts the warnings in the report only when some column got several types', () => {
    const base = {
      source: { bucket: 'b', key: 'incoming/zips.csv' },
      counts: { rowsRead: 60, rowsWritten: 60, rowsRejected: 0 },
      errors: [],
      failed: false,
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      invocations: 1,
      writes: { calls: 3, retries: 0, throttles: 0, consumedCapacity: 0 },
    };
    expect(buildReport({ ...base, types: { Zip: { N: 57, S: 3 } } }).warnings).toEqual([
      { column: 'Zip', types: { N: 57, S: 3 } },
    ]);
    expect(buildReport({ ...base, types: { Zip: { S: 60 } } })).not.toHaveProperty('warnings');
    expect(describeWarning({ column: 'Zip', types: { N: 57, S: 1 } })).toBe(
      'column "Zip": 57 rows N, 1 row S',
    );
  });
});
