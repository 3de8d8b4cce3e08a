import { startTask } from '../core/continuation.ts';
import type { FileJob, ProcessDeps, ProcessedFile } from './file-types.ts';
import { runToEnd } from './run-file.ts';

/**
 * One CSV object → items in the table, a report and (when rows were rejected) a rejected-rows file,
 * in one go (no time limit: see tasks.ts for files larger than one invocation).
 * Bad data ends in the report; S3 or DynamoDB failures past their retries throw, after a best-effort
 * `failed` report that says how far the file got.
 */
export const processFile = async (deps: ProcessDeps, job: FileJob): Promise<ProcessedFile> => {
  const now = deps.now ?? (() => new Date());
  return runToEnd(deps, startTask(job, now()));
};
