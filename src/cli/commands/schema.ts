import { createReadStream } from 'node:fs';
import { defineCommand } from 'citty';
import { decodeInput } from '../../core/decode.ts';
import { parseCsv } from '../../core/parse.ts';
import { type ColumnStats, DEFAULT_SAMPLE_ROWS, inferSchema } from '../../core/schema/infer-schema.ts';

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

const inferCommand = defineCommand({
  meta: {
    name: 'infer',
    description:
      'Propose a column schema from a sample of a CSV file (schema JSON to stdout, statistics to stderr)',
  },
  args: {
    file: { type: 'positional', description: 'a .csv or .csv.gz file', required: true },
    sample: {
      type: 'string',
      description: 'how many data rows to read',
      default: String(DEFAULT_SAMPLE_ROWS),
    },
    key: {
      type: 'string',
      description: "the table's key columns, comma-separated (listed without a type: the table types keys)",
    },
  },
  async run({ args }) {
    const sample = parseSample(args.sample);
    const keys = (args.key ?? '').split(',').flatMap((name) => (name.trim() === '' ? [] : [name.trim()]));
    const { schema, columns, rows } = await inferSchema(readRecords(args.file), { sample, keys });
    process.stderr.write(`${formatStats(columns, rows)}\n`);
    process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    return schema;
  },
});

/** `csv2ddb schema …`: tools for the optional column schema. */
export const schemaCommand = defineCommand({
  meta: { name: 'schema', description: 'Work with the optional column schema' },
  subCommands: { infer: inferCommand },
});
