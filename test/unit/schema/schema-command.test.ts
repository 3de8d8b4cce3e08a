import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../../src/cli/program.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';

const SAMPLE = 'test/fixtures/schema/ec2-sample.csv';

const run = async (...rawArgs: string[]) => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  try {
    await createProgram().parseAsync(['schema', ...rawArgs], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout: stdout.join(''), stderr: stderr.join('') };
};

afterEach(() => vi.restoreAllMocks());

describe('csv2ddb schema infer', () => {
  it('prints a proposed schema for the sample data to stdout', async () => {
    const { stdout } = await run('infer', SAMPLE, '--key', 'ID');
    const schema = JSON.parse(stdout);
    expect(schema).toEqual({
      // For editors: the format's JSON Schema, from where the proposal is saved (here, the clone's root).
      $schema: './schema/csv2ddb-schema.json',
      columns: {
        ID: {},
        'Instance ID': { name: 'InstanceId', type: 'S' },
        'Instance Type': { name: 'InstanceType', type: 'S' },
        vCPUs: { type: 'N' },
        'Memory GiB': { name: 'MemoryGiB', type: 'N' },
        Zip: { type: 'S' },
        Tags: { type: 'SS' },
        Specs: { type: 'JSON' },
        Notes: { type: 'S' },
        Region: { type: 'S' },
      },
      otherColumns: 'infer',
    });
    expect(() => parseSchema(schema)).not.toThrow();
  });

  it('prints per-column statistics to stderr', async () => {
    const { stderr } = await run('infer', SAMPLE);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('sampled 5 rows');
    expect(lines[1]).toMatch(/^column\s+values\s+empty\s+N\s+BOOL\s+JSON\s+SS\s+S\s+proposed$/);
    expect(lines.find((line) => line.startsWith('Zip '))).toMatch(
      /^Zip\s+5\s+0\s+5\s+0\s+0\s+0\s+5\s+type S \(3 value\(s\) with leading zeros \(like 007\): kept as text\)$/,
    );
    expect(lines.find((line) => line.startsWith('Notes '))).toMatch(/^Notes\s+3\s+2\s/);
  });

  it('reads only --sample rows', async () => {
    const { stderr, stdout } = await run('infer', SAMPLE, '--sample', '1');
    expect(stderr.split('\n')[0]).toBe('sampled 1 row');
    // The first row's Zip (60601) has no leading zero.
    expect(JSON.parse(stdout).columns.Zip).toEqual({ type: 'N' });
  });

  it('reads gzip files', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv2ddb-infer-')), 'sample.csv.gz');
    writeFileSync(path, gzipSync(readFileSync(SAMPLE)));
    const { stdout } = await run('infer', path);
    expect(JSON.parse(stdout).columns.Specs).toEqual({ type: 'JSON' });
  });

  it.each([
    ['semicolon.csv', { delimiter: ';' }, 'the header line is `;`-separated'],
    [
      'windows-1252.csv',
      { delimiter: ';', encoding: 'windows-1252' },
      'the file is not UTF-8, but reads as windows-1252; the header line is `;`-separated',
    ],
    ['utf16le-bom.csv', { encoding: 'utf-16le' }, 'the file starts with a UTF-16LE byte order mark'],
    // A tab is what a .tsv key gets anyway: nothing to propose.
    ['tabs.tsv', undefined, undefined],
  ])('detects the dialect of %s, proposes it, and reads the file in it', async (name, csv, reasons) => {
    const { stdout, stderr } = await run('infer', `test/fixtures/${name}`, '--key', 'ID');
    const schema = JSON.parse(stdout);
    expect(schema.csv).toEqual(csv);
    expect(Object.keys(schema.columns)).toEqual(['ID', 'Name', 'City', 'Price']);
    expect(stderr).toContain('sampled 3 rows');
    if (reasons) expect(stderr.split('\n')[0]).toBe(`proposed csv ${JSON.stringify(csv)}: ${reasons}`);
    else expect(stderr).not.toContain('proposed csv');
    expect(() => parseSchema(schema)).not.toThrow();
  });

  it('detects the dialect of a gzip file from its decompressed start', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv2ddb-infer-')), 'cp1252.csv.gz');
    writeFileSync(path, gzipSync(readFileSync('test/fixtures/windows-1252.csv')));
    const { stdout } = await run('infer', path);
    expect(JSON.parse(stdout).csv).toEqual({ delimiter: ';', encoding: 'windows-1252' });
  });

  it.each(['0', 'x', '-1', '1.5'])('refuses --sample %s', async (sample) => {
    await expect(run('infer', SAMPLE, '--sample', sample)).rejects.toThrow(
      `--sample must be a whole number of rows, 1 or more (got "${sample}")`,
    );
  });

  it('fails on a file that does not exist', async () => {
    await expect(run('infer', 'test/fixtures/schema/missing.csv')).rejects.toThrow(
      'test/fixtures/schema/missing.csv: no such file',
    );
  });

  it('counts the rows it could not parse next to the sample, naming the first', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv2ddb-infer-')), 'nine.csv');
    // Nine data rows; the fifth has a quote inside a quoted field that is not doubled.
    const rows = Array.from({ length: 9 }, (_, i) => (i === 4 ? '5,"un"closed",x' : `${i + 1},a,b`));
    writeFileSync(path, `ID,A,B\n${rows.join('\n')}\n`);
    const { stderr } = await run('infer', path);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('sampled 8 rows');
    expect(lines).toContainEqual(
      expect.stringMatching(/^note: 1 row could not be parsed and was left out: row 5: /),
    );
  });
});
