/**
 * The write path alone: ready-made batches of 25 EC2-like items sent by `createSendBatch` to the
 * stand-in (0 ms), `--calls` calls with `--concurrency` in flight, after a warm-up. Prints CPU µs
 * per call and calls/s for each path, alternating paths run by run (this VM's speed moves).
 *   npx tsx scripts/bench/write-path.ts [--calls 20000] [--concurrency 16] [--runs 3] [--paths lean,sdk]
 * The stand-in runs in this process: its CPU is counted too, alike for both paths.
 */
import { parseArgs } from 'node:util';
import { createDynamoDBClient } from '../../src/aws/dynamodb-client.ts';
import { createSendBatch, type WritePath } from '../../src/aws/dynamodb-table.ts';
import type { Item } from '../../src/core/item.ts';
import { median } from './run.ts';
import { startStandIn } from './stand-in.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    runs: { type: 'string', default: '3' },
    paths: { type: 'string', default: 'lean,sdk' },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const paths = values.paths.split(',');

const standIn = await startStandIn(0);
const item = (index: number): Item => ({
  InstanceId: { S: `i-${index.toString(16).padStart(17, '0')}` },
  InstanceType: { S: 'm5.large' },
  State: { S: 'running' },
  vCPUs: { N: '2' },
  MemoryGiB: { N: '8' },
  LaunchTime: { S: '2024-05-01T12:00:00Z' },
  PrivateIp: { S: '10.0.12.34' },
  AvailabilityZone: { S: 'eu-west-1a' },
  Tags: { M: { team: { S: 'data' } } },
  Monthly: { N: '70.08' },
});
const batches = Array.from({ length: 64 }, (_, batch) =>
  Array.from({ length: 25 }, (_, index) => item(batch * 25 + index)),
);

const run = async (variant: string, calls: number) => {
  const path = variant as WritePath;
  const dynamodb = createDynamoDBClient({
    endpoint: standIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const send = createSendBatch(dynamodb, 'bench', {
    path,
  });
  let next = 0;
  const round = async (limit: number) => {
    next = 0;
    const worker = async () => {
      while (next < limit) await send(batches[next++ % batches.length] as Item[]);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await round(Math.min(calls, 5000)); // warm-up: the hot paths compiled
  const cpu = process.cpuUsage();
  const started = performance.now();
  await round(calls);
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  dynamodb.destroy();
  return { cpuMicrosPerCall: (user + system) / calls, callsPerSecond: (calls * 1000) / ms };
};

const results: Record<string, { cpu: number[]; rate: number[] }> = {};
for (let round = 0; round < Number(values.runs); round++) {
  for (const path of paths) {
    const { cpuMicrosPerCall, callsPerSecond } = await run(path, CALLS);
    const entry = results[path] ?? { cpu: [], rate: [] };
    results[path] = entry;
    entry.cpu.push(Math.round(cpuMicrosPerCall));
    entry.rate.push(Math.round(callsPerSecond));
    process.stderr.write(
      `${path}: ${Math.round(cpuMicrosPerCall)} µs/call, ${Math.round(callsPerSecond)} calls/s\n`,
    );
  }
}
console.table(
  Object.entries(results).map(([path, { cpu, rate }]) => ({
    path,
    'CPU µs/call (median)': median(cpu),
    'calls/s (median)': median(rate),
    runs: cpu.join(' '),
  })),
);
await standIn.close();
