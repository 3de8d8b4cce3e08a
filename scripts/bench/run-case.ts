/**
 * One benchmark case, in a process of its own (so that its peak RSS is its own): loads the built
 * handler as a Lambda container would, hands it the S3 event for one object and reports the time
 * the invocation took and the process's peak RSS. Settings come from the environment.
 *   node scripts/bench/run-case.ts <handler.mjs> <bucket> <key>
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { s3Event } from '../../src/core/s3-event.ts';
import { lambdaContext } from '../../src/local/lambda-context.ts';

const [handlerPath, bucket, key] = process.argv.slice(2);
if (!handlerPath || !bucket || !key) throw new Error('usage: run-case.ts <handler.mjs> <bucket> <key>');

type Handler = (event: unknown, context: unknown) => Promise<void>;
const { handler } = (await import(pathToFileURL(handlerPath).href)) as { handler: Handler };

const baseline = process.memoryUsage().rss;
const started = performance.now();
const cpu = process.cpuUsage();
await handler(s3Event({ bucket, key }), lambdaContext());
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);

/**
 * On Linux, ru_maxrss (process.resourceUsage().maxRSS) of a spawned process counts the parent's RSS
 * at fork: with a parent that hosts dynalite's million items it reports the parent, not this case.
 * VmHWM is the high-water mark of this process's own memory.
 */
const peakRssKb = async (): Promise<number> => {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return hwm === undefined ? process.resourceUsage().maxRSS : Number(hwm);
};

// CPU time tells this process's cost apart from a busy machine's; wall time is what a user waits.
const result = {
  ms,
  cpuMs: (user + system) / 1000,
  maxRssKb: await peakRssKb(),
  baselineRssKb: baseline / 1024,
};
if (process.send) process.send(result);
else console.log(JSON.stringify(result));
