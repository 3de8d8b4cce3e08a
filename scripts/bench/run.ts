import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export type CaseResult = {
  readonly ms: number;
  readonly cpuMs: number;
  /** The process's peak RSS, and its RSS once the handler was loaded, before the file. */
  readonly maxRssKb: number;
  readonly baselineRssKb: number;
};

const waitForExit = async (child: ChildProcess, what: string) => {
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (code !== 0) throw new Error(`${what} failed (exit ${code ?? signal})`);
};

/**
 * Runs one case in a child process, spawned asynchronously: this process hosts the servers the
 * child talks to, and they must keep answering.
 */
export const runCase = async (
  args: { handler: string; bucket: string; key: string; nodeOptions?: readonly string[] },
  env: NodeJS.ProcessEnv,
): Promise<CaseResult> => {
  const child = spawn(
    process.execPath,
    [...(args.nodeOptions ?? []), 'scripts/bench/run-case.ts', args.handler, args.bucket, args.key],
    { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  let result: CaseResult | undefined;
  child.on('message', (message) => {
    result = message as CaseResult;
  });
  await waitForExit(child, `case ${args.key}`);
  if (!result) throw new Error(`case ${args.key} reported nothing`);
  return result;
};

/** How long a fresh Node process takes to import the module (the init phase of a cold start). */
export const importTime = async (path: string): Promise<number> => {
  const script = `const t = performance.now(); await import(${JSON.stringify(path)}); process.send(performance.now() - t);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let ms = Number.NaN;
  child.on('message', (message) => {
    ms = message as number;
  });
  await waitForExit(child, `import of ${path}`);
  return ms;
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
