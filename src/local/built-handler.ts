import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LambdaHandler } from './lambda-emulator.ts';

/** The repository root, where dist/, infra/ and examples/ live. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const mtimeOf = async (path: string): Promise<number | undefined> =>
  stat(path).then(
    (info) => info.mtimeMs,
    () => undefined,
  );

/**
 * Whether dist/index.mjs (or another bundle) is missing or older than one of its own sources, as
 * esbuild's metafile (dist/meta.json) lists them.
 */
export const isBuildStale = async (
  root = PROJECT_ROOT,
  bundle = { output: 'dist/index.mjs', metafile: 'dist/meta.json' },
): Promise<boolean> => {
  const built = await mtimeOf(join(root, bundle.output));
  if (built === undefined) return true;
  const meta = await readFile(join(root, bundle.metafile), 'utf8').then(
    (text) => JSON.parse(text) as { inputs?: Record<string, unknown> },
    () => undefined,
  );
  if (!meta?.inputs) return true;
  const sources = Object.keys(meta.inputs).filter((input) => !input.includes('node_modules/'));
  const times = await Promise.all(sources.map((source) => mtimeOf(join(root, source))));
  return times.some((time) => time === undefined || time > built);
};

/**
 * Runs a build script (scripts/build.ts, scripts/build-cli.ts) in a child process, asynchronously: this process may host the
 * local servers, which must keep answering meanwhile.
 */
export const runBuildScript = (root: string, script: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const errors: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${script} failed (exit ${code}):\n${Buffer.concat(errors).toString('utf8')}`));
    });
  });

/** scripts/build.ts: dist/index.mjs and dist/lambda.zip. */
export const buildHandler = (root = PROJECT_ROOT): Promise<void> => runBuildScript(root, 'scripts/build.ts');

/** The path of dist/index.mjs, built first when missing or older than its sources. */
export const builtHandlerPath = async (
  options: { root?: string; onBuild?: () => void } = {},
): Promise<string> => {
  const root = options.root ?? PROJECT_ROOT;
  if (await isBuildStale(root)) {
    options.onBuild?.();
    await buildHandler(root);
  }
  return join(root, 'dist/index.mjs');
};

let loads = 0;

/**
 * The handler exactly as it ships in dist/lambda.zip (built first when missing or stale), loaded
 * fresh as a new Lambda container would. Its settings come from process.env: set them first.
 */
export const loadBuiltHandler = async (
  options: { root?: string; onBuild?: () => void } = {},
): Promise<LambdaHandler> => {
  const url = pathToFileURL(await builtHandlerPath(options)).href;
  const module = (await import(`${url}?container=${++loads}`)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') throw new Error('dist/index.mjs does not export handler()');
  return module.handler;
};
