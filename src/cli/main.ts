import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-code.ts';
import { commandPath, createProgram } from './program.ts';

const CREDENTIALS_HINT = `
The AWS SDK found no credentials. Set AWS_PROFILE to a profile of ~/.aws/config (after
\`aws configure\`, or \`aws sso login --profile NAME\` for IAM Identity Center), or set
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones).`;

/**
 * Runs the CLI. Commands set `process.exitCode` (0, 1 rows rejected, 2 failed); a bad argument or an
 * error exits 2 with one clear line, never a stack trace.
 */
export const runCli = async (rawArgs: string[] = process.argv.slice(2)): Promise<void> => {
  const program = createProgram();
  if (rawArgs.length === 0) {
    program.outputHelp();
    return;
  }
  let running: Command = program;
  program.hook('preAction', (_program, command) => {
    running = command;
  });
  try {
    await program.parseAsync(rawArgs, { from: 'user' });
  } catch (error) {
    // Commander has written its message (a parse error) or the help / version asked for.
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.failed;
      return;
    }
    const { name, message } = error as Error;
    const text =
      message === 'Region is missing' ? 'no AWS region: set AWS_REGION or a profile with a region' : message;
    const shown = name === 'ConfigError' || name === 'Error' ? '' : `${name}: `;
    console.error(
      `${commandPath(running)}: ${shown}${text}${name === 'CredentialsProviderError' ? CREDENTIALS_HINT : ''}`,
    );
    process.exitCode = ExitCode.failed;
  }
};
