import { describe, expect, it } from 'vitest';
import {
  classifyKey,
  decodeEventKey,
  type Prefixes,
  rejectedKeyFor,
  reportKeyFor,
} from '../../../src/core/object-key.ts';

const DEFAULTS: Prefixes = { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' };

describe('classifyKey()', () => {
  it.each([
    ['incoming/data.csv', DEFAULTS, 'data.csv', false],
    ['incoming/a/b/deep.csv', DEFAULTS, 'a/b/deep.csv', false],
    ['incoming/data.csv.gz', DEFAULTS, 'data.csv.gz', true],
    ['incoming/data.tsv', DEFAULTS, 'data.tsv', false, true],
    ['incoming/data.tsv.gz', DEFAULTS, 'data.tsv.gz', true, true],
    ['incoming/a b/ü.csv', DEFAULTS, 'a b/ü.csv', false],
    ['incoming/.csv', DEFAULTS, '.csv', false],
    ['anything.csv', { ...DEFAULTS, upload: '' }, 'anything.csv', false],
    ['dir/x.csv', { ...DEFAULTS, upload: '' }, 'dir/x.csv', false],
    ['uploads-2024/x.csv', { ...DEFAULTS, upload: 'uploads' }, '-2024/x.csv', false],
    [
      'data/reports.csv',
      { upload: 'data/', report: 'data/reports/', rejected: 'data/rejected/' },
      'reports.csv',
      false,
    ],
  ])('processes %s (rest %j)', (key, prefixes, rest, gzip, tsv = false) => {
    expect(classifyKey(key, prefixes)).toEqual({ process: true, rest, gzip, tsv });
  });

  it.each([
    ['other/data.csv', DEFAULTS, 'key is not under the upload prefix'],
    ['data.csv', DEFAULTS, 'key is not under the upload prefix'],
    ['Incoming/data.csv', DEFAULTS, 'key is not under the upload prefix'],
    ['incoming/data.txt', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.CSV', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.csv.zip', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.TSV', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.tsv.zip', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.gz', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/data.csv/', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['incoming/folder/', DEFAULTS, 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file'],
    ['reports/data.csv', { ...DEFAULTS, upload: '' }, 'key is under the report or rejected prefix'],
    ['rejected/data.csv', { ...DEFAULTS, upload: '' }, 'key is under the report or rejected prefix'],
    [
      'data/rejected/x.csv',
      { upload: 'data/', report: 'data/reports/', rejected: 'data/rejected/' },
      'key is under the report or rejected prefix',
    ],
    [
      'data/reports/x.csv.json',
      { upload: 'data/', report: 'data/reports/', rejected: 'data/rejected/' },
      'key is under the report or rejected prefix',
    ],
  ])('skips %s', (key, prefixes, reason) => {
    expect(classifyKey(key, prefixes)).toEqual({ process: false, reason });
  });
});

describe('reportKeyFor() and rejectedKeyFor()', () => {
  it.each([
    ['data.csv', 'reports/data.csv.json', 'rejected/data.csv'],
    ['data.csv.gz', 'reports/data.csv.gz.json', 'rejected/data.csv.gz'],
    ['data.tsv', 'reports/data.tsv.json', 'rejected/data.tsv'],
    ['data.tsv.gz', 'reports/data.tsv.gz.json', 'rejected/data.tsv.gz'],
    ['a b/ü.csv', 'reports/a b/ü.csv.json', 'rejected/a b/ü.csv'],
    ['x.gz.csv', 'reports/x.gz.csv.json', 'rejected/x.gz.csv'],
  ])('for the rest %j: report %j, rejected rows %j', (rest, report, rejected) => {
    expect(reportKeyFor(rest, DEFAULTS)).toBe(report);
    expect(rejectedKeyFor(rest, DEFAULTS)).toBe(rejected);
  });

  it('puts the prefix and the rest side by side, as given', () => {
    const prefixes = { upload: 'in', report: 'out-', rejected: 'bad/' };
    expect(reportKeyFor('x.csv', prefixes)).toBe('out-x.csv.json');
    expect(rejectedKeyFor('x.csv.gz', prefixes)).toBe('bad/x.csv.gz');
    expect(rejectedKeyFor('x.csv', prefixes)).not.toBe(rejectedKeyFor('x.csv.gz', prefixes));
  });
});

describe('decodeEventKey()', () => {
  it.each([
    ['incoming/plain.csv', 'incoming/plain.csv'],
    ['incoming/a+b.csv', 'incoming/a b.csv'],
    ['incoming/%C3%BC.csv', 'incoming/ü.csv'],
    ['incoming/a%2Bb.csv', 'incoming/a+b.csv'],
    ['incoming/100%25.csv', 'incoming/100%.csv'],
    ['incoming/a%2Fb.csv', 'incoming/a/b.csv'],
    ['incoming/%F0%9F%98%80+x.csv', 'incoming/😀 x.csv'],
  ])('decodes %s to %s', (raw, key) => {
    expect(decodeEventKey(raw)).toBe(key);
  });

  it('throws on a broken escape', () => {
    expect(() => decodeEventKey('incoming/%E0%A4%A.csv')).toThrow(URIError);
  });
});
