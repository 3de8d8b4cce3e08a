/**
 * A prototype of "every vCPU" by byte ranges, to measure 1 against N threads: the bench's
 * quote-free CSV is cut at line ends into N ranges, and each worker thread runs csv2ddb's own
 * `ingest` on its range (resumed at the range's start with the header, stopped at its end; chunked
 * parser, lean write path, 16 calls in flight per thread) against the stand-in (10 ms a call, in
 * this process). Not the function: a line end is a record boundary only in a file without quoted
 * newlines, and a key repeated across ranges is not ordered (the bench's keys are unique).
 *   npx tsx scripts/bench/threads.ts [--rows 1000000] [--runs 3] [--threads 1,2]
 */
import { createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch } from '../../src/aws/dynamodb-table.ts';
import { ingest } from '../../src/core/ingest.ts';
import { compileDefaultPlan } from '../../src/core/item-plan.ts';
import { keyIdOf } from '../../src/core/key-schema.ts';
import { pacerFor } from '../../src/core/pacer.ts';
import { BENCH_KEY, generateCsv } from './generate.ts';
import { median } from './run.ts';
import { startStandIn } from './stand-in.ts';

type Range = { path: string; start: number; end: number; header: string[]; endpoint: string };
const KEY_SCHEMA = { partition: BENCH_KEY };

const runRange = async ({ path, start, end, header, endpoint }: Range) => {
  const dynamodb = createDynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 3 });
  let offset = start;
  const result = await ingest({
    open: async (from) => ({ body: createReadStream(path, { start: from, end: end - 1 }) }),
    gzip: false,
    plan: (columns) => compileDefaultPlan(columns, KEY_SCHEMA, 'infer'),
    write: {
      send: createSendBatch(dynamodb, 'bench', { path: 'lean' }),
      keyIdOf: (item) => keyIdOf(item, KEY_SCHEMA),
      concurrency: 16,
      maxAttempts: 10,
      pacer: pacerFor({}, 16),
    },
    rejected: { add: () => undefined },
    resume: { header, offset: start, counts: { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 }, errors: [] },
    onProgress: (_counts, at) => {
      offset = at;
    },
    shouldStop: () => offset >= end,
  });
  dynamodb.destroy();
  return result.counts;
};

if (!isMainThread) {
  parentPort?.postMessage(await runRange(workerData as Range));
} else {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '3' },
      threads: { type: 'string', default: '1,2' },
    },
  });
  const ROWS = Number(values.rows);
  const path = join(tmpdir(), `csv2ddb-parse-bench-${ROWS}.csv`);
  if (!existsSync(path)) await generateCsv(path, ROWS);
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const standIn = await startStandIn(10);

  /** The header, and `n` ranges after it, each starting just past a line end. */
  const ranges = (n: number): { header: string[]; bounds: number[] } => {
    const fd = openSync(path, 'r');
    const probe = Buffer.alloc(64 * 1024);
    const total = statSync(path).size;
    readSync(fd, probe, 0, probe.length, 0);
    const headerEnd = probe.indexOf(0x0a) + 1;
    const header = probe.toString('utf8', 0, headerEnd - 1).split(',');
    const bounds = [headerEnd];
    for (let index = 1; index < n; index++) {
      const guess = headerEnd + Math.floor(((total - headerEnd) * index) / n);
      readSync(fd, probe, 0, probe.length, guess);
      bounds.push(guess + probe.indexOf(0x0a) + 1);
    }
    bounds.push(total);
    return { header, bounds };
  };

  const run = async (threads: number) => {
    const { header, bounds } = ranges(threads);
    standIn.take();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const counts = await Promise.all(
      bounds.slice(0, -1).map(
        (start, index) =>
          new Promise<{ rowsWritten: number }>((resolve, reject) => {
            const data: Range = {
              path,
              start,
              end: bounds[index + 1] as number,
              header,
              endpoint: standIn.endpoint,
            };
            const worker = new Worker(new URL(import.meta.url), {
              workerData: data,
              execArgv: ['--import', 'tsx'],
            });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const written = counts.reduce((sum, { rowsWritten }) => sum + rowsWritten, 0);
    const { items } = standIn.take();
    if (written !== ROWS || items !== ROWS)
      throw new Error(`${written} written, ${items} received, not ${ROWS}`);
    return { rowsPerSecond: ROWS / seconds, cpuMicrosPerRow: (used.user + used.system) / ROWS };
  };

  const variants = values.threads.split(',').map(Number);
  const results = new Map(
    variants.map((threads) => [threads, [] as { rowsPerSecond: number; cpuMicrosPerRow: number }[]]),
  );
  for (let index = 0; index < Number(values.runs); index++) {
    for (const threads of index % 2 === 0 ? variants : [...variants].reverse()) {
      const result = await run(threads);
      results.get(threads)?.push(result);
      process.stderr.write(
        `${threads} thread(s): ${Math.round(result.rowsPerSecond)} rows/s, ${result.cpuMicrosPerRow.toFixed(1)} µs/row of CPU (the stand-in's included)\n`,
      );
    }
  }
  for (const [threads, runs] of results) {
    console.log(
      `${threads} thread(s): median ${Math.round(median(runs.map((r) => r.rowsPerSecond)))} rows/s (${runs.map((r) => Math.round(r.rowsPerSecond)).join(', ')}), ${median(runs.map((r) => r.cpuMicrosPerRow)).toFixed(1)} µs/row of CPU`,
    );
  }
  await standIn.close();
}
