import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_PATH } from './built-cli.ts';

export type CliRun = { readonly code: number; readonly stdout: string; readonly stderr: string };

/**
 * Runs the CLI as it ships (dist/cli.mjs) in a child process, never blocking the servers in this one,
 * and returns what it did.
 */
export const runCli = async (
  args: readonly string[],
  options: { readonly env: NodeJS.ProcessEnv; readonly cwd: string },
): Promise<CliRun> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_PATH, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as CliRun;
    return { code, stdout, stderr };
  }
};
