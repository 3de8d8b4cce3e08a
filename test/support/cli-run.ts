import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_PATH } from './built-cli.ts';

export type CliRun = { readonly code: number; readonly stdout: string; readonly stderr: string };

/**
 * Runs the csv2ddb CLI in a child process (never blocking the servers of the test's own process)
 * with `env` over the test's environment, in `cwd`; resolves with its exit code and output.
 */
export const runCli = async (
  args: readonly string[],
  options: { readonly env: Record<string, string>; readonly cwd: string },
): Promise<CliRun> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, ...options.env, NODE_NO_WARNINGS: '1' },
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
};
