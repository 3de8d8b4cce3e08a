import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoDBClient } from '../../aws/dynamodb-client.ts';
import { createS3Client } from '../../aws/s3-client.ts';
import { decodeInput, readHead } from '../../core/decode.ts';
import { type CsvDialect, dialectFor } from '../../core/dialect.ts';
import { parseCsv } from '../../core/parse.ts';
import { type ColumnStats, detectDialect, inferSchema } from '../../core/schema/infer-schema.ts';
import { badArgument, checkFileExists, parseS3Url, readTable } from '../args.ts';
import type { InferOptions } from '../program.ts';
import { schemaFormatRef } from '../schema-location.ts';

/** A record that could not be parsed, left out of the sample: its data row and why. */
type Unparsed = { readonly row: number; readonly problem: string };

/** The bytes of a local file or an `s3://bucket/key` object; a missing one is a bad argument. */
const openInput = async (input: string): Promise<Readable> => {
  if (!input.startsWith('s3://')) {
    await checkFileExists(input);
    return createReadStream(input);
  }
  const { bucket, key } = parseS3Url(input);
  const response = await createS3Client()
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .catch((error: Error) => {
      if (error.name !== 'NoSuchKey' && error.name !== 'NoSuchBucket') throw error;
      throw badArgument(`${input}: no such ${error.name === 'NoSuchKey' ? 'object' : 'bucket'}`);
    });
  return response.Body as Readable;
};

/** How much of a file's start `schema infer` looks at to detect its delimiter and encoding. */
const DIALECT_SAMPLE_BYTES = 64 * 1024;

/** The first bytes of a file, gunzipped for `.gz`. */
const readStart = async (source: Readable, gzip: boolean): Promise<Buffer> => {
  if (!gzip) return readHead(source, DIALECT_SAMPLE_BYTES);
  try {
    return await readHead(source.pipe(createGunzip()), DIALECT_SAMPLE_BYTES);
  } finally {
    source.destroy();
  }
};

/** The fields of each well-formed record of a `.csv`, `.tsv` or gzip'd file, streamed, in its dialect; the others go to `unparsed`. */
async function* readRecords(
  body: Readable,
  gzip: boolean,
  dialect: CsvDialect,
  unparsed: Unparsed[],
): AsyncGenerator<string[]> {
  const input = decodeInput(body, { gzip, encoding: dialect.encoding });
  let row = -1;
  for await (const record of parseCsv(input, { delimiter: dialect.delimiter })) {
    row++;
    if (record.problem === undefined) yield record.fields;
    else unparsed.push({ row, problem: record.problem });
  }
}

/** The rows left out, said next to the sample's size, so that "sampled 8 rows" of a 9-row file is explained. */
export const formatUnparsed = (unparsed: readonly Unparsed[]): string => {
  if (unparsed.length === 0) return '';
  const [first] = unparsed as [Unparsed];
  const more = unparsed.length > 1 ? ` (and ${unparsed.length - 1} more)` : '';
  return `${unparsed.length} row${unparsed.length === 1 ? '' : 's'} could not be parsed and ${unparsed.length === 1 ? 'was' : 'were'} left out: row ${first.row}: ${first.problem}${more}`;
};

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

/**
 * `csv2ddb schema infer FILE`: a proposed schema to stdout, what each column's values fit to stderr.
 * With `--table`, the key columns and their types come from the table (`DescribeTable`).
 */
export const runInfer = async (file: string, options: InferOptions): Promise<void> => {
  const sample = parseSample(options.sample);
  const keys = (options.key ?? '').split(',').flatMap((name) => (name.trim() === '' ? [] : [name.trim()]));
  const table =
    options.table === undefined ? undefined : await readTable(createDynamoDBClient(), options.table);
  const keyAttributes = table
    ? [table.keySchema.partition, ...(table.keySchema.sort ? [table.keySchema.sort] : [])]
    : [];
  const unparsed: Unparsed[] = [];
  const $schema = schemaFormatRef();
  // SPEC "CSV dialect": the delimiter and encoding are detected and proposed in the `csv` block.
  const gzip = file.endsWith('.gz');
  const tsv = /\.tsv(\.gz)?$/.test(file);
  const { csv, reasons } = detectDialect(await readStart(await openInput(file), gzip), { tsv });
  const { schema, columns, rows } = await inferSchema(
    readRecords(await openInput(file), gzip, dialectFor(csv, tsv), unparsed),
    {
      sample,
      keys,
      csv,
      keyTypes: Object.fromEntries(keyAttributes.map(({ name, type }) => [name, type])),
      ...($schema !== undefined && { $schema }),
    },
  );
  if (reasons.length > 0)
    process.stderr.write(`proposed csv ${JSON.stringify(csv)}: ${reasons.join('; ')}\n`);
  const notes = [
    formatUnparsed(unparsed),
    ...keyAttributes
      .filter(({ name }) => !columns.some(({ column }) => column === name))
      .map(
        ({ name }) =>
          `table ${options.table} is keyed by "${name}", which is not a column of ${file}: every row would be rejected (rename a column to it with "name")`,
      ),
    ...(table === undefined && keys.length === 0
      ? [
          'no --table: key columns are proposed like any other; --table T reads them and their types from the table',
        ]
      : []),
  ].filter((note) => note !== '');
  process.stderr.write(`${formatStats(columns, rows)}\n${notes.map((note) => `note: ${note}\n`).join('')}`);
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
};
