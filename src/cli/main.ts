import { stripVTControlCharacters } from 'node:util';
import { defineCommand, runCommand, runMain } from 'citty';
import packageJson from '../../package.json' with { type: 'json' };
import { ExitCode } from './exit-code.ts';

export const main = defineCommand({
  meta: {
    name: 'csv2ddb',
    version: packageJson.version,
    description: 'Load CSV files into DynamoDB, and look at what the pipeline did',
  },
  subCommands: {
    ingest: () => import('./commands/ingest.ts').then((m) => m.ingestCommand),
    replay: () => import('./commands/replay.ts').then((m) => m.replayCommand),
    report: () => import('./commands/report.ts').then((m) => m.reportCommand),
    scan: () => import('./commands/scan.ts').then((m) => m.scanCommand),
    schema: () => import('./commands/schema.ts').then((m) => m.schemaCommand),
  },
});

const HELP = new Set(['--help', '-h']);
const VERSION = new Set(['--version', '-v']);

/**
 * Runs the CLI. Commands set `process.exitCode` (0, 1 rows rejected, 2 failed); a bad argument or an
 * error exits 2 with one clear line, never a stack trace.
 */
export const runCli = async (rawArgs: string[] = process.argv.slice(2)): Promise<void> => {
  const [first] = rawArgs;
  if (
    first === undefined ||
    rawArgs.some((arg) => HELP.has(arg)) ||
    (rawArgs.length === 1 && VERSION.has(first))
  ) {
    await runMain(main, { rawArgs: first === undefined ? ['--help'] : rawArgs });
    return;
  }
  try {
    await runCommand(main, { rawArgs });
  } catch (error) {
    const { name, message } = error as Error;
    const command = first in (main.subCommands as object) ? `csv2ddb ${first}` : 'csv2ddb';
    // citty colours its messages; keep a pipe or a log file clean.
    const text =
      message === 'Region is missing'
        ? 'no AWS region: set AWS_REGION or a profile with a region'
        : process.stderr.isTTY
          ? message
          : stripVTControlCharacters(message);
    if (name === 'CLIError') {
      console.error(`${command}: ${text}\nRun "${command} --help" for usage.`);
    } else {
      console.error(`${command}: ${name === 'ConfigError' || name === 'Error' ? '' : `${name}: `}${text}`);
    }
    process.exitCode = ExitCode.failed;
  }
};
