import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { LocalServers } from '../../src/local/servers.ts';
import { generateCsv } from './generate.ts';
import { MODE_CASES, type ModeRow, runModeCase, uploadFile, withOps } from './modes.ts';
import type { startStandIn } from './stand-in.ts';

/**
 * The write-mode cases, each run `runs` times in turn (so that a slow spell of this shared machine
 * hits them alike); the median run stands for a case. Prints a table and writes bench/results/modes.json.
 */
export const benchModes = async (setup: {
  servers: LocalServers;
  bucket: string;
  handler: string;
  standIn: Awaited<ReturnType<typeof startStandIn>>;
  work: string;
  rows: number;
  runs: number;
  only: string | undefined;
  log: (text: string) => void;
}): Promise<void> => {
  const { servers, bucket, work, rows, log } = setup;
  const name = rows >= 1_000_000 ? `${rows / 1_000_000}m` : `${rows / 1000}k`;
  const plain = join(work, `modes-${name}.csv`);
  const ops = join(work, `modes-${name}-ops.csv`);
  log(`generating ${name} rows for the write modes …`);
  const plainBytes = await generateCsv(plain, rows);
  const opsBytes = await withOps(plain, ops);
  const files = {
    plain: { name: `modes-${name}.csv`, key: `incoming/modes-${name}.csv`, size: rows },
    ops: { name: `modes-${name}-ops.csv`, key: `incoming/modes-${name}-ops.csv`, size: rows },
  };
  await uploadFile(servers, bucket, files.plain.key, plain, plainBytes);
  await uploadFile(servers, bucket, files.ops.key, ops, opsBytes);
  const { AWS_LAMBDA_FUNCTION_NAME: _none, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...servers.env,
    AWS_ENDPOINT_URL_DYNAMODB: setup.standIn.endpoint,
    TABLE_NAME: 'bench',
    SOURCE_BUCKET: bucket,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const cases = MODE_CASES.filter(({ label }) => label.replace(/ /g, '').includes(setup.only ?? ''));
  const measured: ModeRow[][] = cases.map(() => []);
  const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;
  for (let run = 1; run <= setup.runs; run++) {
    for (const [index, spec] of cases.entries()) {
      log(
        `${spec.label}: ${name} rows at 10 ms per call${setup.runs > 1 ? ` (run ${run} of ${setup.runs})` : ''} …`,
      );
      const row = await runModeCase(
        { servers, bucket, handler: setup.handler, standIn: setup.standIn, env, load },
        spec,
        spec.ops ? files.ops : files.plain,
      );
      log(
        `  ${row.rowsPerSecond} rows/s, ${row.cpuMicrosPerRow} µs/row, ${row.calls} calls, up to ${row.mostOpen} at once, load ${row.load}`,
      );
      measured[index]?.push(row);
    }
  }
  const medians = measured.map((runs) => {
    const bySpeed = [...runs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond);
    return {
      ...(bySpeed[Math.floor(bySpeed.length / 2)] as ModeRow),
      runs: runs.map((row) => row.rowsPerSecond),
    };
  });
  const put = medians.find((row) => row.case === 'put')?.rowsPerSecond;
  console.log(
    `\ncsv2ddb write modes — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
  );
  console.table(
    medians.map((row) => ({
      case: row.case,
      rows: row.rows,
      seconds: row.seconds,
      'rows/s': row.rowsPerSecond,
      '% of put': put ? Math.round((row.rowsPerSecond * 100) / put) : '',
      'CPU µs/row': row.cpuMicrosPerRow,
      calls: row.calls,
      'most in flight': row.mostOpen,
      load: row.load,
      ...(setup.runs > 1 && { 'rows/s of each run': row.runs.join(' ') }),
    })),
  );
  if (put) {
    const slowest = Math.min(...medians.map((row) => row.rowsPerSecond));
    console.log(`${slowest >= put / 2 ? 'PASS' : 'MISS'}  every mode ≥ 50% of put's rows/s`);
  }
  await mkdir('bench/results', { recursive: true });
  const out = 'bench/results/modes.json';
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), cases: medians }, null, 2)}\n`);
  log(`written ${out}`);
};
