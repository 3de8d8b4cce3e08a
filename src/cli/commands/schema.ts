import { createReadStream } from 'node:fs';
import { decodeInput } from '../../core/decode.ts';
import { parseCsv } from '../../core/parse.ts';
import { type ColumnStats, inferSchema } from '../../core/schema/infer-schema.ts';
import type { InferOptions } from '../program.ts';

/** The fields of each well-formed record of a local `.csv` or `.csv.gz` file, streamed. */
async function* readRecords(path: string): AsyncGenerator<string[]> {
  const input = decodeInput(createReadStream(path), { gzip: path.endsWith('.gz') });
  for await (const record of parseCsv(input)) {
    if (record.problem === undefined) yield record.fields;
  }
}

const parseSample = (text: string): number => {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`--sample must be a whole number of rows, 1 or more (got ${JSON.stringify(text)})`);
  }
  return Number(text);
};

const describeProposal = ({ proposed, reason }: ColumnStats): string => {
  const parts = [
    ...(proposed.name ? [`name ${proposed.name}`] : []),
    ...(proposed.type ? [`type ${proposed.type}`] : []),
    ...(proposed.separator ? [`separator ${JSON.stringify(proposed.separator)}`] : []),
  ];
  return `${parts.length > 0 ? parts.join(', ') : 'as is'} (${reason})`;
};

/** A plain-text table of what each column's sampled values fit. */
export const formatStats = (columns: readonly ColumnStats[], rows: number): string => {
  const head = ['column', 'values', 'empty', 'N', 'BOOL', 'JSON', 'SS', 'S', 'proposed'];
  const body = columns.map((stats) => [
    stats.column,
    ...[
      stats.values,
      stats.empty,
      stats.fits.N,
      stats.fits.BOOL,
      stats.fits.JSON,
      stats.fits.SS,
      stats.fits.S,
    ].map(String),
    describeProposal(stats),
  ]);
  const widths = head.map((title, index) =>
    Math.max(title.length, ...body.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ');
  return [`sampled ${rows} row${rows === 1 ? '' : 's'}`, line(head), ...body.map(line)].join('\n');
};

/** `csv2ddb schema infer FILE`: a proposed schema to stdout, what each column's values fit to stderr. */
export const runInfer = async (file: string, options: InferOptions): Promise<void> => {
  const sample = parseSample(options.sample);
  const keys = (options.key ?? '').split(',').flatMap((name) => (name.trim() === '' ? [] : [name.trim()]));
  const { schema, columns, rows } = await inferSchema(readRecords(file), { sample, keys });
  process.stderr.write(`${formatStats(columns, rows)}\n`);
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
};
