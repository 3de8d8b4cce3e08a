import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type FileTask, readContinuation, rejectedPartKey, toContinuation } from '../core/continuation.ts';
import { badArgument } from './args.ts';

/**
 * How far an interrupted `csv2ddb ingest data.csv` got, kept next to it in `data.csv.resume.json`: the
 * function's own continuation payload (the task: where to read on, the header, the counts and errors
 * so far, the rejected-rows parts), and the size and time of the file it belongs to.
 */
export const resumePathFor = (path: string): string => `${path}.resume.json`;

const KIND = 'csv2ddb interrupted ingest';

type Saved = { kind: typeof KIND; size: number; mtimeMs: number; continuation: unknown };

const identity = async (path: string) => {
  const { size, mtimeMs } = await stat(path);
  return { size, mtimeMs };
};

export const saveResume = async (path: string, task: FileTask): Promise<void> => {
  const saved: Saved = { kind: KIND, ...(await identity(path)), continuation: toContinuation(task) };
  await writeFile(resumePathFor(path), `${JSON.stringify(saved)}\n`);
};

const readSaved = async (path: string): Promise<(Partial<Saved> & { task: FileTask }) | undefined> => {
  const text = await readFile(resumePathFor(path), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let saved: Partial<Saved>;
  try {
    saved = JSON.parse(text) as Partial<Saved>;
  } catch {
    throw badArgument(`${resumePathFor(path)} is not JSON: ingest the file without --resume`);
  }
  if (saved.kind !== KIND) throw badArgument(`${resumePathFor(path)} is not an interrupted ingest`);
  return { ...saved, task: readContinuation(saved.continuation) };
};

/** The task to go on with; a bad argument when there is none, or the file is not the one interrupted. */
export const loadResume = async (path: string): Promise<FileTask> => {
  const saved = await readSaved(path);
  if (!saved) throw badArgument(`--resume: no interrupted run of ${path} (no ${resumePathFor(path)})`);
  if (saved.task.key !== path) {
    throw badArgument(
      `--resume: ${resumePathFor(path)} is of ${saved.task.key}: give the path as it was given`,
    );
  }
  const now = await identity(path);
  if (now.size !== saved.size || now.mtimeMs !== saved.mtimeMs) {
    throw badArgument(`--resume: ${path} changed since it was interrupted: ingest it without --resume`);
  }
  return saved.task;
};

/** The rejected-rows parts an interrupted run keeps until the file is done. */
export const partPaths = (task: FileTask, rejectedPath: string): string[] =>
  task.parts.map((invocation) => rejectedPartKey(rejectedPath, invocation, task.chain));

/** A run from the top forgets an interrupted one: its resume file and its rejected-rows parts go. */
export const forgetResume = async (path: string, rejectedPath: string): Promise<void> => {
  const saved = await readSaved(path).catch(() => undefined);
  if (saved) await Promise.all(partPaths(saved.task, rejectedPath).map((part) => rm(part, { force: true })));
  await rm(resumePathFor(path), { force: true });
};
