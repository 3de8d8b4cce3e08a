import { describe, expect, it } from 'vitest';
import type { Counts, ReportedError } from '../../../src/core/ingest.ts';
import { addStats, buildReport, type ReportInput } from '../../../src/core/report.ts';

const NO_WRITES = { calls: 0, retries: 0, throttles: 0, consumedCapacity: 0 };
const START = new Date('2026-01-01T00:00:00.000Z');

const report = (counts: Counts, overrides: Partial<ReportInput> = {}) =>
  buildReport({
    source: { bucket: 'source', key: 'incoming/data.csv', eTag: '"abc"' },
    counts,
    errors: [],
    failed: false,
    rejectedRowsKey: 'rejected/data.csv',
    startedAt: START,
    finishedAt: new Date(START.getTime() + 2000),
    invocations: 1,
    writes: NO_WRITES,
    ...overrides,
  });

describe('buildReport()', () => {
  it.each([
    ['succeeded', { rowsRead: 3, rowsWritten: 3, rowsRejected: 0 }, false],
    ['succeeded', { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 }, false],
    ['partial', { rowsRead: 3, rowsWritten: 2, rowsRejected: 1 }, false],
    ['partial', { rowsRead: 3, rowsWritten: 0, rowsRejected: 3 }, false],
    ['failed', { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 }, true],
    ['failed', { rowsRead: 5, rowsWritten: 4, rowsRejected: 1 }, true],
  ])('says %s for %j (file failed: %s)', (status, counts, failed) => {
    expect(report(counts, { failed })).toMatchObject({ status, ...counts });
  });

  it('writes the SPEC fields of a partial file exactly', () => {
    const errors: ReportedError[] = [{ row: 2, message: 'column "ID": key is empty', code: 'KEY_MISSING' }];
    expect(report({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 }, { errors })).toMatchObject({
      status: 'partial',
      bucket: 'source',
      key: 'incoming/data.csv',
      eTag: '"abc"',
      rowsRead: 3,
      rowsWritten: 2,
      rowsRejected: 1,
      errors: [{ row: 2, message: 'column "ID": key is empty', code: 'KEY_MISSING' }],
      rejectedRowsKey: 'rejected/data.csv',
    });
  });

  it('gives versionId only where S3 gives one', () => {
    const counts = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
    expect(report(counts)).not.toHaveProperty('versionId');
    const source = { bucket: 'b', key: 'incoming/x.csv', eTag: '"e"', versionId: 'v1' };
    expect(report(counts, { source })).toMatchObject({ versionId: 'v1', eTag: '"e"' });
  });

  it('names the rejected-rows file only when rows were rejected', () => {
    expect(report({ rowsRead: 1, rowsWritten: 1, rowsRejected: 0 })).not.toHaveProperty('rejectedRowsKey');
  });

  it('lists errors by row, a file-level error without a row first', () => {
    const errors: ReportedError[] = [
      { row: 9, message: 'nine' },
      { row: 2, message: 'two' },
      { message: 'the file is not valid UTF-8 (byte offset 90)' },
    ];
    const { errors: listed } = report(
      { rowsRead: 9, rowsWritten: 7, rowsRejected: 2 },
      { errors, failed: true },
    );
    expect(listed.map(({ message }) => message)).toEqual([
      'the file is not valid UTF-8 (byte offset 90)',
      'two',
      'nine',
    ]);
  });

  it('times the file', () => {
    expect(report({ rowsRead: 10, rowsWritten: 10, rowsRejected: 0 })).toMatchObject({
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      durationMs: 2000,
      rowsPerSecond: 5,
      invocations: 1,
    });
  });
});

describe('addStats()', () => {
  it('adds the writer statistics of two invocations', () => {
    expect(
      addStats(
        { calls: 1, retries: 2, throttles: 3, consumedCapacity: 4 },
        { calls: 10, retries: 20, throttles: 30, consumedCapacity: 40 },
      ),
    ).toEqual({ calls: 11, retries: 22, throttles: 33, consumedCapacity: 44 });
  });
});
