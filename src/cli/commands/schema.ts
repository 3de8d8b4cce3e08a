import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { defineCommand } from 'citty';
import { decodeInput } from '../../core/decode.ts';
import { type CsvDialect, dialectFor } from '../../core/dialect.ts';
import { parseCsv } from '../../core/parse.ts';
import {
  type ColumnStats,
  DEFAULT_SAMPLE_ROWS,
  detectDialect,
  inferSchema,
} from '../../core/schema/infer-schema.ts';

/** How much of a file's start `schema infer` looks at to detect its delimiter and encoding. */
const DIALECT_SAMPLE_BYTES = 64 * 1024;

/** The first bytes of a local file, gunzipped for `.gz`. */
const readStart = async (path: string): Promise<Buffer> => {
  const file = createReadStream(path);
  const body: Readable = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= DIALECT_SAMPLE_BYTES) break;
    }
  } finally {
    file.destroy();
    body.destroy();
  }
  return Buffer.concat(parts).subarray(0, DIALECT_SAMPLE_BYTES);
};

/** The fields of each well-formed record of a local `.csv`, `.tsv` or gzip'd file, streamed, in its dialect. */
async function* readRecords(path: string, dialect: CsvDialect): AsyncGenerator<string[]> {
  const input = decodeInput(createReadStream(path), {
    gzip: path.endsWith('.gz'),
    encoding: dialect.encoding,
  });
  for await (const record of parseCsv(input, { delimiter: dialect.delimiter })) {
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
    file: {
      type: 'positional',
      description: 'a .csv, .tsv, .csv.gz or .tsv.gz file (its delimiter and encoding are detected)',
      required: true,
    },
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
    // SPEC "CSV dialect": the delimiter and encoding are detected and proposed in the `csv` block.
    const tsv = /\.tsv(\.gz)?$/.test(args.file);
    const { csv, reasons } = detectDialect(await readStart(args.file), { tsv });
    const records = readRecords(args.file, dialectFor(csv, tsv));
    const { schema, columns, rows } = await inferSchema(records, { sample, keys, csv });
    if (reasons.length > 0)
      process.stderr.write(`proposed csv ${JSON.stringify(csv)}: ${reasons.join('; ')}\n`);
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
