/**
 * What handing items to a worker thread would cost the thread that parses: the bench's CSV is read,
 * parsed and converted (as scripts/bench/parse.ts does), and each chunk's items are posted to a
 * worker (structured clone), which only counts them. Prints the parse+convert time and the time
 * spent inside postMessage, per row (the main thread's whole cost per row in a
 * "one parser, N writers" design), alternating with runs that do not post.
 *   npx tsx scripts/bench/hand-off.ts [--rows 1000000] [--runs 3]
 */
import { createReadStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { decodeInput } from '../../src/core/decode.ts';
import type { Item } from '../../src/core/item.ts';
import { compileDefaultPlan, type ItemPlan } from '../../src/core/item-plan.ts';
import { parseCsvChunks } from '../../src/core/parse-chunks.ts';
import { toItem } from '../../src/core/to-item.ts';
import { BENCH_KEY, generateCsv } from './generate.ts';
import { median } from './run.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } },
});
const ROWS = Number(values.rows);
const path = join(tmpdir(), `csv2ddb-parse-bench-${ROWS}.csv`);
if (!existsSync(path)) await generateCsv(path, ROWS);

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads'); let n = 0;
   parentPort.on('message', (m) => { if (m === 'done') parentPort.postMessage(n), n = 0; else n += (typeof m === 'string' ? JSON.parse(m) : m).length; });`,
  { eval: true },
);
const received = () =>
  new Promise<number>((resolve) => {
    worker.once('message', resolve);
    worker.postMessage('done');
  });

/** `clone`: the items as objects (structured clone); `json`: as one JSON string a chunk. */
const run = async (post: false | 'clone' | 'json') => {
  const input = decodeInput(createReadStream(path), { gzip: false });
  let plan: ItemPlan | undefined;
  let rows = 0;
  let posting = 0;
  const started = performance.now();
  for await (const records of parseCsvChunks(input)) {
    const items: { item: Item; keyId: string; row: number }[] = [];
    for (const record of records) {
      if (!plan) plan = compileDefaultPlan(record.fields, { partition: BENCH_KEY }, 'infer');
      else {
        rows++;
        items.push({ ...toItem(plan, record.fields, rows), row: rows });
      }
    }
    if (post) {
      const before = performance.now();
      worker.postMessage(post === 'json' ? JSON.stringify(items) : items);
      posting += performance.now() - before;
    }
  }
  const total = performance.now() - started;
  if (post && (await received()) !== ROWS) throw new Error('the worker did not get every item');
  return { wallMicrosPerRow: (total * 1000) / rows, postMicrosPerRow: (posting * 1000) / rows };
};

const MODES = [false, 'clone', 'json'] as const;
const results = new Map(MODES.map((mode) => [mode, [] as { wall: number; post: number }[]]));
await run(false);
for (let index = 0; index < Number(values.runs); index++) {
  for (const mode of MODES) {
    const result = await run(mode);
    results.get(mode)?.push({ wall: result.wallMicrosPerRow, post: result.postMicrosPerRow });
    process.stderr.write(
      `${mode || 'no hand-off'}: ${result.wallMicrosPerRow.toFixed(2)} µs/row, postMessage (with JSON.stringify for json) ${result.postMicrosPerRow.toFixed(2)}\n`,
    );
  }
}
for (const [mode, runs] of results) {
  console.log(
    `${mode || 'no hand-off'}: main thread wall ${median(runs.map((r) => r.wall)).toFixed(2)} µs/row (median of ${runs.length}), of which posting ${median(runs.map((r) => r.post)).toFixed(2)}`,
  );
}
await worker.terminate();
