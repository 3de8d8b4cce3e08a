/**
 * The "many files, one small table" case of `npm run bench -- --many-files` (issue 11, item 8):
 * ten files uploaded at once, their events sent together, into a table metered as provisioned
 * (test/support/capacity-proxy.ts) and run by the built handler as Lambda runs it
 * (test/support/lambda-runner.ts: killed at its deadline, two async retries, concurrent).
 * It measures whether the invocations share the table's capacity: items written a second against
 * the WCU, the share of calls throttled, whether every file ends with a succeeded report, and the
 * longest invocation against the function's timeout. Each case stops by itself after `capSeconds`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalServers } from '../../src/local/servers.ts';
import { startCapacityProxy } from '../../test/support/capacity-proxy.ts';
import { startLambdaRunner } from '../../test/support/lambda-runner.ts';
import { createTable, readText } from '../../test/support/local-tables.ts';

export type ManyFilesCase = {
  readonly label: string;
  readonly wcu: number;
  readonly files: number;
  readonly rowsPerFile: number;
  /** The function's timeout, and CONTINUATION_MARGIN_MS: scaled down so the case ends in minutes. */
  readonly timeoutMs: number;
  readonly marginMs: number;
  /** The case is stopped (its containers killed) after this long, whatever is still running. */
  readonly capSeconds: number;
};

/** 5 WCU as infra/terraform.tfvars provisions it (about 120 s of capacity), and 100 WCU. */
export const MANY_FILES_CASES: readonly ManyFilesCase[] = [
  { label: '5 WCU', wcu: 5, files: 10, rowsPerFile: 60, timeoutMs: 20_000, marginMs: 8_000, capSeconds: 180 },
  {
    label: '100 WCU',
    wcu: 100,
    files: 10,
    rowsPerFile: 1_000,
    timeoutMs: 20_000,
    marginMs: 8_000,
    capSeconds: 180,
  },
];

const BURST_SECONDS = 5;

export type ManyFilesRow = {
  case: string;
  files: number;
  rows: number;
  wcu: number;
  seconds: number;
  /** Whether the case ended by itself (false: stopped at its cap with work still running). */
  finished: boolean;
  itemsPerSecond: number;
  /** Items a second against the WCU, in percent (goal ≥ 90), less the burst the table started with. */
  capacityUsedPct: number;
  calls: number;
  throttledCalls: number;
  /** Share of the table's write calls throttled, in percent (goal ≤ 5). */
  throttledPct: number;
  succeeded: number;
  invocations: number;
  timedOut: number;
  dropped: number;
  longestMs: number;
  timeoutMs: number;
  /** Units written beyond the table's capacity in the worst stretch (0: the writers stayed within it). */
  excessUnits: number;
  load: number;
};

const csv = (file: number, rows: number): string => {
  const lines = ['ID,File,Team,Note'];
  for (let n = 0; n < rows; n++) lines.push(`f${file}-${n},${file},team-${n % 7},row ${n} of file ${file}`);
  return `${lines.join('\n')}\n`;
};

/** Runs one case on `servers` (their bucket `bucket`), with fresh tables, and gives its figures. */
export const runManyFiles = async (
  servers: LocalServers,
  bucket: string,
  spec: ManyFilesCase,
  log: (text: string) => void,
  load: () => number,
): Promise<ManyFilesRow> => {
  const tag = `many-${spec.wcu}-${Date.now().toString(36)}`;
  const table = `${tag}-items`;
  const ledger = `${tag}-ledger`;
  await createTable(servers.dynamodb, table, { name: 'ID', type: 'S' });
  await createTable(servers.dynamodb, ledger, { name: 'pk', type: 'S' });
  // Only the items table is metered; the ledger (on demand) passes through untouched. The bucket
  // holds 5 s of capacity (DynamoDB keeps up to 300 s): at 5 WCU that is one full batch of 25; a
  // smaller bucket lets a 25-item call write only part of it, which the pacer does not expect.
  const proxy = await startCapacityProxy(servers.dynamodbEndpoint, {
    table,
    wcu: spec.wcu,
    burstSeconds: BURST_SECONDS,
  });
  const runner = await startLambdaRunner({
    servers,
    bucket,
    dynamodbEndpoint: proxy.endpoint,
    timeoutMs: spec.timeoutMs,
    functionName: tag,
    env: {
      TABLE_NAME: table,
      LEDGER_TABLE: ledger,
      CONTINUATION_MARGIN_MS: String(spec.marginMs),
    },
  });
  const loadAtStart = load();
  const names = Array.from({ length: spec.files }, (_, file) => `${tag}-${file}.csv`);
  try {
    const events = [];
    for (const [file, name] of names.entries())
      events.push(await runner.upload(`incoming/${name}`, csv(file, spec.rowsPerFile)));
    const started = Date.now();
    runner.send(...events);
    let finished = true;
    await Promise.race([
      runner.idle(),
      sleep(spec.capSeconds * 1000).then(() => {
        finished = false;
      }),
    ]);
    const ms = Date.now() - started;
    if (!finished) log(`  stopped at its cap of ${spec.capSeconds} s with work still running`);
    const reports = await Promise.all(
      names.map(async (name) =>
        JSON.parse((await readText(servers.s3, bucket, `reports/${name}.json`)) ?? 'null'),
      ),
    );
    const statuses = reports.map((report) => report?.status ?? 'none');
    log(`  reports: ${statuses.join(' ')}`);
    // Which invocations Lambda killed: the first attempt of a file, a continuation, or a retry.
    for (const outcome of runner.outcomes.filter((outcome) => outcome.timedOut))
      log(
        `  killed at its deadline: request ${outcome.requestId.slice(0, 8)}, attempt ${outcome.attempt}, ` +
          `${runner.outcomes.filter((other) => other.requestId === outcome.requestId).length} attempts of it in all`,
      );
    const { counts, outcomes } = { counts: proxy.counts, outcomes: runner.outcomes };
    const itemsPerSecond = (counts.itemsWritten * 1000) / ms;
    return {
      case: `many files, one small table: ${spec.label}`,
      files: spec.files,
      rows: spec.files * spec.rowsPerFile,
      wcu: spec.wcu,
      seconds: Math.round(ms / 100) / 10,
      finished,
      itemsPerSecond: Math.round(itemsPerSecond * 10) / 10,
      capacityUsedPct: Math.round(
        (((counts.itemsWritten - spec.wcu * BURST_SECONDS) * 1000) / ms / spec.wcu) * 100,
      ),
      calls: counts.calls,
      throttledCalls: counts.throttledCalls,
      throttledPct: counts.calls === 0 ? 0 : Math.round((counts.throttledCalls / counts.calls) * 1000) / 10,
      succeeded: statuses.filter((status) => status === 'succeeded').length,
      invocations: outcomes.length,
      timedOut: outcomes.filter((outcome) => outcome.timedOut).length,
      dropped: outcomes.filter((outcome) => outcome.dropped).length,
      longestMs: Math.max(0, ...outcomes.map((outcome) => outcome.durationMs)),
      timeoutMs: spec.timeoutMs,
      excessUnits: Math.round(proxy.excess()),
      load: loadAtStart,
    };
  } finally {
    await runner.close();
    await proxy.close();
  }
};

/** The figures as a table, with the goals of issue 11 checked. */
export const printManyFiles = (rows: readonly ManyFilesRow[]) => {
  console.log('\nMany files, one small table (10 files at once, Lambda-faithful runner, metered table)');
  console.table(
    rows.map((row) => ({
      case: row.case,
      rows: row.rows,
      seconds: row.finished ? row.seconds : `${row.seconds} (cap)`,
      'items/s': row.itemsPerSecond,
      'of WCU %': row.capacityUsedPct,
      'throttled calls': `${row.throttledCalls}/${row.calls} (${row.throttledPct}%)`,
      succeeded: `${row.succeeded}/${row.files}`,
      invocations: row.invocations,
      'timed out': row.timedOut,
      'longest / budget': `${(row.longestMs / 1000).toFixed(1)} s / ${row.timeoutMs / 1000} s`,
      'excess units': row.excessUnits,
      load: row.load,
    })),
  );
  for (const row of rows) {
    const checks = [
      [`≥ 90% of ${row.wcu} WCU`, row.capacityUsedPct >= 90],
      ['≤ 5% of calls throttled', row.throttledPct <= 5],
      ['every file succeeded', row.succeeded === row.files],
      ['no invocation past its budget', row.timedOut === 0 && row.longestMs <= row.timeoutMs],
    ] as const;
    for (const [what, ok] of checks) console.log(`${ok ? 'PASS' : 'MISS'}  ${row.wcu} WCU: ${what}`);
  }
};
