/**
 * Parsing and conversion alone: the bench's EC2-like CSV (decodeInput → parseCsvChunks → toItem,
 * no writes), for each CSV_PARSER, alternating run by run (this VM's speed moves). Prints CPU µs
 * per row and rows/s of each run and their medians.
 *   npx tsx scripts/bench/parse.ts [--rows 1000000] [--runs 5] [--parsers chunked,csv-parse] [--quoted]
 * `--quoted` quotes every field of the file (each record then goes through csv-parse); `--stray`
 * puts a stray quote in every 10,000th row.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeInput } from '../../src/core/decode.ts';
import { compileDefaultPlan, type ItemPlan } from '../../src/core/item-plan.ts';
import { CSV_PARSERS, type CsvParser, parseCsvChunks } from '../../src/core/parse-chunks.ts';
import { toItem } from '../../src/core/to-item.ts';
import { BENCH_KEY, generateCsv } from './generate.ts';
import { median } from './run.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    parsers: { type: 'string', default: CSV_PARSERS.join(',') },
    quoted: { type: 'boolean', default: false },
    /** A stray quote (`5" screen`, malformed: the row is rejected) in every 10,000th row, the rest unquoted. */
    stray: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const parsers = values.parsers.split(',') as CsvParser[];

const plain = join(tmpdir(), `csv2ddb-parse-bench-${ROWS}.csv`);
if (!existsSync(plain)) await generateCsv(plain, ROWS);
const path = values.quoted ? `${plain}.quoted.csv` : values.stray ? `${plain}.stray.csv` : plain;
if (values.quoted && !existsSync(path)) {
  const text = await readFile(plain, 'utf8');
  await writeFile(
    path,
    text.replace(/[^,\n]*/g, (field) => (field ? `"${field.replaceAll('"', '""')}"` : '')),
  );
}
if (values.stray && !existsSync(path)) {
  const lines = (await readFile(plain, 'utf8')).split('\n');
  for (let row = 10_000; row < lines.length - 1; row += 10_000) lines[row] = `${lines[row]} 5" screen`;
  await writeFile(path, lines.join('\n'));
}

const run = async (parser: CsvParser) => {
  const input = decodeInput(createReadStream(path), { gzip: false });
  let plan: ItemPlan | undefined;
  let rows = 0;
  let size = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for await (const records of parseCsvChunks(input, { parser })) {
    for (const record of records) {
      if (!plan) plan = compileDefaultPlan(record.fields, { partition: BENCH_KEY }, 'infer');
      else {
        size += toItem(plan, record.fields, ++rows).keyId.length;
      }
    }
  }
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  if (rows !== ROWS || (size === 0 && !values.stray)) throw new Error(`read ${rows} rows, not ${ROWS}`);
  return { µsPerRow: (used.user + used.system) / rows, rowsPerSecond: rows / seconds };
};

const results = new Map<CsvParser, { µsPerRow: number; rowsPerSecond: number }[]>(
  parsers.map((p) => [p, []]),
);
await run(parsers[0] as CsvParser);
for (let index = 0; index < Number(values.runs); index++) {
  for (const parser of index % 2 === 0 ? parsers : [...parsers].reverse()) {
    const result = await run(parser);
    results.get(parser)?.push(result);
    process.stderr.write(
      `${parser}: ${result.µsPerRow.toFixed(2)} µs/row, ${Math.round(result.rowsPerSecond)} rows/s\n`,
    );
  }
}
for (const [parser, runs] of results) {
  const each = runs.map((r) => r.µsPerRow.toFixed(2)).join(', ');
  console.log(
    `${parser}${values.quoted ? ' (every field quoted)' : values.stray ? ' (a stray quote every 10,000 rows)' : ''}: median ${median(runs.map((r) => r.µsPerRow)).toFixed(2)} µs/row (${each}), ${Math.round(median(runs.map((r) => r.rowsPerSecond)))} rows/s`,
  );
}
