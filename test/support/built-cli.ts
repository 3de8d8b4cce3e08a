import { join } from 'node:path';
import { isBuildStale, PROJECT_ROOT, runBuildScript } from '../../src/local/built-handler.ts';

/** The CLI as it ships: the bundle that package.json's `bin` names. */
export const CLI_PATH = join(PROJECT_ROOT, 'dist/cli.mjs');

/**
 * Builds dist/cli.mjs when it is missing or older than its sources (vitest's globalSetup, once per
 * run: test files that run it side by side must not build it side by side).
 */
export const ensureBuiltCli = async (): Promise<void> => {
  if (await isBuildStale(PROJECT_ROOT, { output: 'dist/cli.mjs', metafile: 'dist/cli-meta.json' })) {
    await runBuildScript(PROJECT_ROOT, 'scripts/build-cli.ts');
  }
};

export default ensureBuiltCli;
