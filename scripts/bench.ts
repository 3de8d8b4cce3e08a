/**
 * `npm run bench [-- --quick] [-- --profile]`: how fast and how lean csv2ddb is.
 * (`npm run bench -- --many-files`: only the "many files, one small table" case, see bench/many-files.ts.)
 * (`npm run bench -- --modes`: only the write modes at 10 ms per call, see bench/modes.ts.)
 * Generates EC2-inventory-like CSV files (100k and 1M rows; 100k only with --quick), puts them in
 * s3rver, and runs the built handler on each in a child process of its own, writing to (a) dynalite
 * (in a process of its own too), (b) a DynamoDB stand-in answering each BatchWriteItem after 10 ms,
 * (c) the same at 0 ms.
 * Also measures dist/lambda.zip and the cold-start import of dist/index.mjs. --profile adds a CPU
 * profile of the 0 ms case and says where the time goes. --runs N runs each case N times and shows
 * the median run. Prints a table; writes bench/results/latest.json.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CSV_PARSERS, type CsvParser } from '../src/core/parse-chunks.ts';
import { buildHandler } from '../src/local/built-handler.ts';
import { startLocalServers } from '../src/local/servers.ts';
import { costPerMillion, costTable, PRICES } from './bench/cost.ts';
import { startDynalite } from './bench/dynalite.ts';
import { generateCsv } from './bench/generate.ts';
import { MANY_FILES_CASES, type ManyFilesRow, printManyFiles, runManyFiles } from './bench/many-files.ts';
import { benchModes } from './bench/modes-run.ts';
import { buildForProfile, summariseProfile } from './bench/profile.ts';
import { importTime, median, runCase } from './bench/run.ts';
import { startStandIn } from './bench/stand-in.ts';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** One file of this many rows instead of the standard sizes. */
    rows: { type: 'string' },
    /** Runs each case this many times: the table shows the median run, and the highest peak RSS. */
    runs: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    /** Runs only the cases whose name contains this text (e.g. `--only 10ms`). */
    only: { type: 'string' },
    /** Node options for the cases' processes (as NODE_OPTIONS on Lambda), e.g. `--max-semi-space-size=32`. */
    'node-options': { type: 'string' },
    out: { type: 'string', default: 'bench/results/latest.json' },
    /**
     * Which BatchWriteItem path the cases take (WRITE_PATH): `lean`, `sdk`, or `both` (each case
     * on both, alternating run by run: this VM's speed moves, so A/B runs are interleaved).
     */
    'write-path': { type: 'string', default: 'both' },
    /**
     * WRITE_CONCURRENCY for the stand-in cases; a list (`16,64`) runs each case at each, alternating
     * too. 64 by default: at 10 ms a call, 16 calls in flight cap a file at 16 × 25 / 0.01 = 40,000 rows/s.
     */
    concurrency: { type: 'string', default: '64' },
    /** THREADS for the stand-in cases, a list: `1,2` runs each case with one thread and with two, alternating. */
    threads: { type: 'string', default: '1,2' },
    /** CSV_PARSER for the cases: `chunked`, `csv-parse`, or `both` (alternating run by run). */
    'csv-parser': { type: 'string', default: 'chunked' },
    /**
     * Runs only the "many files, one small table" case (scripts/bench/many-files.ts: 10 files at
     * once into a metered 5-WCU and 100-WCU table; minutes); `--only 5WCU` picks one of the two.
     */
    'many-files': { type: 'boolean', default: false },
    /** Runs only the write modes (scripts/bench/modes.ts): each mode at 10 ms per call, 1M rows (--rows N). */
    modes: { type: 'boolean', default: false },
  },
});
const WRITE_PATHS = options['write-path'] === 'both' ? ['lean', 'sdk'] : [options['write-path'] as string];
if (!WRITE_PATHS.every((path) => path === 'lean' || path === 'sdk'))
  throw new Error(`--write-path must be lean, sdk or both, not ${options['write-path']}`);
const CONCURRENCIES = options.concurrency.split(',').map(Number);
const THREAD_COUNTS = options.threads.split(',').map(Number);
if (!THREAD_COUNTS.every((threads) => Number.isInteger(threads) && threads >= 1 && threads <= 4))
  throw new Error(`--threads must list whole numbers from 1 to 4, not ${options.threads}`);
const PARSERS = options['csv-parser'] === 'both' ? CSV_PARSERS : [options['csv-parser'] as CsvParser];
if (!PARSERS.every((parser) => CSV_PARSERS.includes(parser)))
  throw new Error(`--csv-parser must be chunked, csv-parse or both, not ${options['csv-parser']}`);
type Variant = {
  path: string;
  concurrency?: number | undefined;
  parser?: CsvParser;
  threads?: number;
  suffix: string;
};
/** The variants of each stand-in case: every write path at every concurrency, with every parser, on 1 and 2 threads. */
const VARIANTS: Variant[] = WRITE_PATHS.flatMap((path) =>
  CONCURRENCIES.flatMap((concurrency) =>
    PARSERS.flatMap((parser) =>
      THREAD_COUNTS.map((threads) => ({
        path,
        concurrency,
        parser,
        threads,
        suffix: [
          ...(WRITE_PATHS.length > 1 || path !== 'lean' ? [path] : []),
          `${concurrency} in flight`,
          ...(PARSERS.length > 1 || parser !== 'chunked' ? [parser] : []),
          `${threads} thread${threads > 1 ? 's' : ''}`,
        ].join(', '),
      })),
    ),
  ),
);
/** dynalite, whose own process is the limit, runs the first variant only, with the function's defaults otherwise. */
const DYNALITE_VARIANT: Variant = { path: 'lean', threads: 1, suffix: '' };
const RUNS = Number(options.runs);
if (!Number.isInteger(RUNS) || RUNS < 1)
  throw new Error(`--runs must be a whole number from 1, not ${options.runs}`);
const SIZES = options.rows ? [Number(options.rows)] : options.quick ? [100_000] : [100_000, 1_000_000];
const BUCKET = 'bench';
const HANDLER = resolve('dist/index.mjs');
const MB = 1024 * 1024;

const log = (text: string) => process.stderr.write(`${text}\n`);

log('building dist/lambda.zip …');
await buildHandler();
const work = await mkdtemp(join(tmpdir(), 'csv2ddb-bench-'));
const servers = await startLocalServers({ buckets: [BUCKET] });
if (options['many-files']) {
  const manyRows: ManyFilesRow[] = [];
  try {
    for (const spec of MANY_FILES_CASES.filter(({ label }) =>
      label.replace(/ /g, '').includes(options.only ?? ''),
    )) {
      log(`many files, one small table: ${spec.files} files × ${spec.rowsPerFile} rows at ${spec.label} …`);
      manyRows.push(
        await runManyFiles(servers, BUCKET, spec, log, () => Math.round((loadavg()[0] ?? 0) * 100) / 100),
      );
    }
  } finally {
    await servers.close();
    await rm(work, { recursive: true, force: true });
  }
  printManyFiles(manyRows);
  await mkdir('bench/results', { recursive: true });
  const out = 'bench/results/many-files.json';
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), cases: manyRows }, null, 2)}\n`);
  log(`written ${out}`);
  process.exit(0);
}
const slow = await startStandIn(10);
if (options.modes) {
  await benchModes({
    servers,
    bucket: BUCKET,
    handler: HANDLER,
    standIn: slow,
    work,
    rows: SIZES.at(-1) as number,
    runs: RUNS,
    only: options.only,
    log,
  });
  await slow.close();
  await servers.close();
  await rm(work, { recursive: true, force: true });
  process.exit(0);
}
const instant = await startStandIn(0);

type Row = {
  case: string;
  rows: number;
  fileMb: number;
  seconds: number;
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
  peakRssMb: number;
  loadedRssMb: number;
  /** The machine's 1-minute load average as the run started (other work on it slows the case). */
  load: number;
  /** Every run's rows/s, when the case ran more than once. */
  runsRowsPerSecond?: number[];
};
const rows: Row[] = [];

const readReport = async (key: string) => {
  const response = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse((await response.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
};

/**
 * Where a case writes, how many items arrived there (when the target can tell), and what to do once
 * the case is over (whether it went well or not).
 */
type Target = {
  endpoint: string;
  table: string;
  received: () => number | undefined;
  finish?: () => Promise<void>;
};
const TARGETS: { label: string; prepare: () => Promise<Target> }[] = [
  {
    // A fresh dynalite for each case, in a process of its own (not the one startLocalServers
    // started in this process, which stays idle): single-threaded, it would share a thread with s3rver.
    label: 'dynalite',
    prepare: async () => {
      const dynalite = await startDynalite();
      let cpuBefore: number;
      try {
        await dynalite.createTable('bench');
        cpuBefore = await dynalite.cpuMs();
      } catch (error) {
        await dynalite.close();
        throw error;
      }
      return {
        endpoint: dynalite.endpoint,
        table: 'bench',
        received: () => undefined,
        finish: async () => {
          const cpu = await dynalite.cpuMs().catch(() => Number.NaN);
          log(`  dynalite's process spent ${Math.round(cpu - cpuBefore)} ms on CPU meanwhile`);
          await dynalite.close();
        },
      };
    },
  },
  ...[
    { label: 'stand-in, 10 ms per call', standIn: slow, latent: true },
    { label: 'stand-in, 0 ms per call', standIn: instant, latent: false },
  ].map(({ label, standIn, latent }) => ({
    label,
    prepare: async () => {
      standIn.take();
      return {
        endpoint: standIn.endpoint,
        table: 'bench',
        received: () => {
          const { items, mostOpen } = standIn.take();
          if (latent) log(`  the stand-in held up to ${mostOpen} calls at once`);
          return items;
        },
      };
    },
  })),
];

const baseEnv = (dynamodbEndpoint: string, table: string, variant?: Variant): NodeJS.ProcessEnv => {
  const { AWS_LAMBDA_FUNCTION_NAME: _none, ...inherited } = process.env;
  return {
    ...inherited,
    ...servers.env,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    TABLE_NAME: table,
    SOURCE_BUCKET: BUCKET,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...(variant && { WRITE_PATH: variant.path }),
    ...(variant?.concurrency !== undefined && { WRITE_CONCURRENCY: String(variant.concurrency) }),
    ...(variant?.parser && { CSV_PARSER: variant.parser }),
    ...(variant?.threads !== undefined && { THREADS: String(variant.threads) }),
  };
};

/** Runs one case once on a fresh target, checks that every row arrived, and gives its figures. */
const measure = async (
  label: string,
  prepare: () => Promise<Target>,
  file: { name: string; key: string; size: number; bytes: number },
  variant: Variant,
): Promise<Row> => {
  const { name, key, size, bytes } = file;
  const target = await prepare();
  const nodeOptions = options['node-options']?.split(' ').filter(Boolean) ?? [];
  // On a machine of few cores, this process's CPU (s3rver, the stand-ins) slows the case's down.
  const hostCpu = process.cpuUsage();
  const load = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const result = await runCase(
    { handler: HANDLER, bucket: BUCKET, key, nodeOptions },
    baseEnv(target.endpoint, target.table, variant),
  ).finally(async () => {
    const { user, system } = process.cpuUsage(hostCpu);
    log(`  this process spent ${Math.round((user + system) / 1000)} ms on CPU meanwhile`);
    await target.finish?.();
  });
  const report = await readReport(`reports/${name}.csv.json`);
  const received = target.received();
  if (
    report.status !== 'succeeded' ||
    report.rowsWritten !== size ||
    (received !== undefined && received !== size)
  ) {
    throw new Error(`${label} ${name}: report ${JSON.stringify(report)}, stand-in received ${received}`);
  }
  return {
    case: variant.suffix ? `${label} (${variant.suffix})` : label,
    rows: size,
    fileMb: Math.round((bytes / MB) * 10) / 10,
    seconds: Math.round(result.ms / 10) / 100,
    rowsPerSecond: Math.round((size * 1000) / result.ms),
    cpuMicrosPerRow: Math.round((result.cpuMs * 1000) / size),
    peakRssMb: Math.round(result.maxRssKb / 1024),
    loadedRssMb: Math.round(result.baselineRssKb / 1024),
    load,
  };
};

try {
  for (const size of SIZES) {
    const name = size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`;
    const path = join(work, `${name}.csv`);
    log(`generating ${name}.csv …`);
    const bytes = await generateCsv(path, size);
    const key = `incoming/${name}.csv`;
    await servers.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: createReadStream(path), ContentLength: bytes }),
    );
    for (const { label, prepare } of TARGETS.filter(({ label }) =>
      label.replace(/ /g, '').includes(options.only ?? ''),
    )) {
      // Variants alternate within each run, so that a slow spell of the machine hits them alike.
      const variants = label === 'dynalite' ? [DYNALITE_VARIANT] : VARIANTS;
      const measured: Row[][] = variants.map(() => []);
      for (let run = 1; run <= RUNS; run++) {
        for (const [index, variant] of variants.entries()) {
          const what = variant.suffix ? `${label} (${variant.suffix})` : label;
          log(`${what}: ${name} rows${RUNS > 1 ? ` (run ${run} of ${RUNS})` : ''} …`);
          const row = await measure(label, prepare, { name, key, size, bytes }, variant);
          log(
            `  ${row.rowsPerSecond} rows/s, ${row.cpuMicrosPerRow} µs/row, ${row.peakRssMb} MB, load ${row.load}`,
          );
          measured[index]?.push(row);
        }
      }
      // The median run stands for the case (this machine's speed moves from run to run); memory is the worst run's.
      for (const runs of measured) {
        const byspeed = [...runs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond);
        rows.push({
          ...(byspeed[Math.floor(byspeed.length / 2)] as Row),
          peakRssMb: Math.max(...runs.map((row) => row.peakRssMb)),
          ...(RUNS > 1 && { runsRowsPerSecond: runs.map((row) => row.rowsPerSecond) }),
        });
      }
    }
    if (options.profile && size === SIZES[0]) {
      log('profiling the 0 ms case …');
      const bundle = await buildForProfile(join(work, 'profile'));
      const profiles = join(work, 'profiles');
      await runCase(
        { handler: bundle, bucket: BUCKET, key, nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profiles}`] },
        baseEnv(instant.endpoint, 'bench', VARIANTS[0]),
      );
      const [profile] = await readdir(profiles);
      const summary = await summariseProfile(join(profiles, profile as string), bundle);
      // Kept for a closer look: the profile opens in Chrome DevTools (Performance tab).
      await mkdir('bench/results', { recursive: true });
      await copyFile(join(profiles, profile as string), 'bench/results/profile.cpuprofile');
      await copyFile(bundle, 'bench/results/profile-bundle.mjs');
      await writeFile('bench/results/profile.json', `${JSON.stringify(summary, null, 2)}\n`);
      console.log(`\nWhere the time goes (0 ms stand-in, ${name} rows, ${summary.busyMs} ms on CPU):`);
      console.table(summary.categories.map(({ name, ms, share }) => ({ 'spent on': name, ms, '%': share })));
      console.table(summary.functions.map(({ name, ms, share }) => ({ function: name, ms, '%': share })));
    }
  }
} finally {
  await Promise.all([slow.close(), instant.close()]);
  await servers.close();
  await rm(work, { recursive: true, force: true });
}

const zipBytes = (await stat('dist/lambda.zip')).size;
const imports: number[] = [];
for (let run = 0; run < 5; run++) imports.push(await importTime(HANDLER));
const importMs = Math.round(median(imports));

/** The fastest variant of a case at a size (the case's label, less the variant in brackets). */
const find = (label: string, size: number) =>
  rows
    .filter((row) => row.case.replace(/ \(.*\)$/, '') === label.replace(/ \(.*\)$/, '') && row.rows === size)
    .sort((a, b) => b.rowsPerSecond - a.rowsPerSecond)[0];
const largest = SIZES.at(-1) as number;
const rss = rows.map((row) => row.peakRssMb);
const checks = [
  [
    '≥ 40,000 rows/s at 10 ms per call (the fastest variant)',
    (find('stand-in, 10 ms per call', largest)?.rowsPerSecond ?? 0) >= 40_000,
  ],
  ['≥ 10,000 rows/s into dynalite', (find('dynalite', largest)?.rowsPerSecond ?? 0) >= 10_000],
  ['peak RSS under 256 MB', Math.max(...rss) < 256],
  [
    'peak RSS flat in file size (largest file within 1.5× of the smallest, per case)',
    rows.every(
      (row) => row.peakRssMb <= 1.5 * (find(row.case, SIZES[0] as number)?.peakRssMb ?? row.peakRssMb),
    ),
  ],
  ['zip under 1 MB', zipBytes < MB],
  ['import under 300 ms', importMs < 300],
] as const;

console.log(
  `\ncsv2ddb benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GB, Node ${process.version}`,
);
console.table(
  rows.map((row) => ({
    case: row.case,
    rows: row.rows,
    'file MB': row.fileMb,
    seconds: row.seconds,
    'rows/s': row.rowsPerSecond,
    'CPU µs/row': row.cpuMicrosPerRow,
    'peak RSS MB': row.peakRssMb,
    'RSS MB once loaded': row.loadedRssMb,
    load: row.load,
    ...(row.runsRowsPerSecond && { 'rows/s of each run': row.runsRowsPerSecond.join(' ') }),
  })),
);
console.log(
  `dist/lambda.zip: ${(zipBytes / 1024).toFixed(0)} KB; cold-start import of dist/index.mjs: ${importMs} ms (median of 5)`,
);
console.log(
  `\nCost per million rows (Lambda arm64 at $${PRICES.lambdaArmGbSecond}/GB-s and DynamoDB on-demand at $${PRICES.dynamodbMillionWrites}/million writes, us-east-1, prices assumed current on ${PRICES.date}; one thread: below 1,769 MB the function's CPU share stretches its time, above it one thread is no faster):`,
);
console.table(costTable(rows.filter((row) => !row.case.startsWith('dynalite'))));
/** Each stand-in case with more than one thread against the same case with one (medians of the runs). */
const threadRatios = rows.flatMap((row) => {
  const match = / (\d) threads\)$/.exec(row.case);
  if (!match) return [];
  const single = rows.find(
    (other) => other.rows === row.rows && other.case === row.case.replace(/ \d threads\)$/, ' 1 thread)'),
  );
  return single
    ? [{ case: row.case, rows: row.rows, 'against 1 thread': row.rowsPerSecond / single.rowsPerSecond }]
    : [];
});
if (threadRatios.length > 0) {
  console.log('Threads (THREADS): rows/s against one thread, same case, same runs:');
  console.table(
    threadRatios.map((ratio) => ({
      ...ratio,
      'against 1 thread': `${ratio['against 1 thread'].toFixed(2)}×`,
    })),
  );
}
const best = Math.max(0, ...threadRatios.map((ratio) => ratio['against 1 thread']));
const allChecks = [
  ...checks,
  ...(threadRatios.length > 0
    ? ([['≥ 1.6× one thread with two (the best stand-in case)', best >= 1.6]] as const)
    : []),
];
for (const [what, ok] of allChecks) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}`);

await mkdir('bench/results', { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
  },
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  cases: rows.map((row) => ({ ...row, costPerMillionRows: costPerMillion(row) })),
  prices: PRICES,
  zipBytes,
  importMs,
  importRunsMs: imports.map(Math.round),
  checks: Object.fromEntries(allChecks),
  threads: threadRatios,
};
await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
log(`written ${options.out}`);
