import { describe, expect, it } from 'vitest';
import { selectJobs } from '../../../src/app/select-jobs.ts';
import type { Prefixes } from '../../../src/core/object-key.ts';
import { s3Event } from '../../../src/core/s3-event.ts';

const PREFIXES: Prefixes = { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' };
const BUCKET = 'source';

const select = (event: unknown, prefixes = PREFIXES) => selectJobs(event, BUCKET, prefixes);

/** The record S3 sends for one object, its key URL-encoded as S3 does. */
const record = (
  key: string,
  extra: { bucket?: string; eventName?: string; eTag?: string; versionId?: string } = {},
) => s3Event({ bucket: extra.bucket ?? BUCKET, key, ...extra }).Records[0];

describe('selectJobs()', () => {
  it('turns an ObjectCreated record of the source bucket into a job with the decoded key', () => {
    expect(select(s3Event({ bucket: BUCKET, key: 'incoming/a b/ü+x.csv', eTag: '"abc"' }))).toEqual({
      jobs: [{ bucket: BUCKET, key: 'incoming/a b/ü+x.csv', rest: 'a b/ü+x.csv', gzip: false }],
      skipped: [],
    });
  });

  it('decodes keys as S3 encodes them in events: + for a space, %C3%BC for ü', () => {
    const raw = {
      ...record('x'),
      s3: { bucket: { name: BUCKET }, object: { key: 'incoming/a+b/%C3%BC%2B.csv' } },
    };
    expect(select({ Records: [raw] }).jobs.map(({ key }) => key)).toEqual(['incoming/a b/ü+.csv']);
  });

  it.each([
    ['ObjectCreated:Put'],
    ['ObjectCreated:Post'],
    ['ObjectCreated:Copy'],
    ['ObjectCreated:CompleteMultipartUpload'],
  ])('takes %s records', (eventName) => {
    expect(select({ Records: [record('incoming/x.csv', { eventName })] }).jobs).toHaveLength(1);
  });

  it('marks .csv.gz keys as gzip', () => {
    expect(select({ Records: [record('incoming/x.csv.gz')] }).jobs[0]).toMatchObject({
      rest: 'x.csv.gz',
      gzip: true,
    });
  });

  it('keeps the version the event names, but not its ETag: the object is read as it is now', () => {
    const [job] = select({ Records: [record('incoming/x.csv', { eTag: 'abc', versionId: 'v1' })] }).jobs;
    expect(job).toEqual({
      bucket: BUCKET,
      key: 'incoming/x.csv',
      rest: 'x.csv',
      gzip: false,
      versionId: 'v1',
    });
  });

  it('takes every record of an event, in order', () => {
    const event = {
      Records: ['incoming/1.csv', 'incoming/2.csv.gz', 'other/3.csv', 'incoming/4.csv'].map((key) =>
        record(key),
      ),
    };
    const { jobs, skipped } = select(event);
    expect(jobs.map(({ key }) => key)).toEqual(['incoming/1.csv', 'incoming/2.csv.gz', 'incoming/4.csv']);
    expect(skipped).toEqual([
      { bucket: BUCKET, key: 'other/3.csv', reason: 'key is not under the upload prefix' },
    ]);
  });

  it.each([
    [
      'the s3:TestEvent S3 sends when a notification is configured',
      { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-01-01T00:00:00.000Z', Bucket: BUCKET },
      [{ reason: 'not a file event (s3:TestEvent)' }],
    ],
    ['an event without records', {}, [{ reason: 'not an S3 event' }]],
    ['null', null, [{ reason: 'not an S3 event' }]],
    ['an empty list of records', { Records: [] }, []],
  ])('skips %s without error', (_what, event, skipped) => {
    expect(select(event)).toEqual({ jobs: [], skipped });
  });

  it.each([
    [
      'another bucket',
      record('incoming/x.csv', { bucket: 'other' }),
      'bucket other is not the source bucket',
    ],
    [
      'an ObjectRemoved event',
      record('incoming/x.csv', { eventName: 'ObjectRemoved:Delete' }),
      'event ObjectRemoved:Delete is not ObjectCreated',
    ],
    ['a key outside the upload prefix', record('elsewhere/x.csv'), 'key is not under the upload prefix'],
    [
      'a key of another type',
      record('incoming/x.json'),
      'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file',
    ],
    [
      'a folder marker',
      record('incoming/folder/'),
      'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file',
    ],
    ['a report', record('reports/x.csv.json'), 'key is under the report or rejected prefix'],
    [
      'a key with a broken escape',
      { ...record('x'), s3: { bucket: { name: BUCKET }, object: { key: 'incoming/%E0%A4%A.csv' } } },
      'key is not URL-encoded correctly',
    ],
  ])('skips %s', (_what, skippedRecord, reason) => {
    const { jobs, skipped } = select({ Records: [skippedRecord] });
    expect(jobs).toEqual([]);
    expect(skipped).toEqual([expect.objectContaining({ reason })]);
  });

  it("carries the event's sequencer into the job", () => {
    const event = s3Event({ bucket: BUCKET, key: 'incoming/x.csv', sequencer: '0055AED6DCD90281E5' });
    expect(select(event).jobs[0]).toMatchObject({ sequencer: '0055AED6DCD90281E5' });
  });

  it.each([
    ['null', null, 'record is null, not an object'],
    ['a string', 'incoming/x.csv', 'record is string, not an object'],
    ['a record without eventName', { s3: {} }, 'event (none) is not ObjectCreated'],
    ['an eventName that is a number', { eventName: 5 }, 'record field eventName is not a string'],
    ['s3 that is a string', { eventName: 'ObjectCreated:Put', s3: 'x' }, 'record field s3 is not an object'],
    [
      'a bucket name that is a number',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 1 }, object: { key: 'incoming/x.csv' } } },
      'record field bucket is not a string',
    ],
    [
      'a key that is an object',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key: {} } } },
      'record field key is not a string',
    ],
    [
      'an object that is null',
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: null } },
      'record field s3.object is not an object',
    ],
  ])('skips a malformed record (%s) and processes the others', (_what, bad, reason) => {
    const { jobs, skipped } = select({ Records: [record('incoming/1.csv'), bad, record('incoming/2.csv')] });
    expect(jobs.map(({ key }) => key)).toEqual(['incoming/1.csv', 'incoming/2.csv']);
    expect(skipped).toEqual([{ reason }]);
  });

  it('never processes its own output, even when it lies under the upload prefix', () => {
    const prefixes = { upload: '', report: 'reports/', rejected: 'rejected/' };
    const { jobs, skipped } = select(
      { Records: [record('reports/x.csv'), record('rejected/x.csv'), record('x.csv')] },
      prefixes,
    );
    expect(jobs.map(({ key }) => key)).toEqual(['x.csv']);
    expect(skipped.map(({ reason }) => reason)).toEqual([
      'key is under the report or rejected prefix',
      'key is under the report or rejected prefix',
    ]);
  });
});
