import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';

/** Folders this process holds: its own pid in a lock file is stale unless listed here. */
const held = new Set<string>();

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claims a data folder for this process. dynalite's LevelDB allows one process per folder, and a
 * second one would crash inside dynalite; this says who holds it instead. A lock left by a process
 * that is gone is taken over.
 */
export const lockDataDir = async (dataDir: string): Promise<() => Promise<void>> => {
  const path = join(dataDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      held.add(path);
      return async () => {
        held.delete(path);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path, 'utf8').catch(() => ''));
      const live =
        holder === process.pid ? held.has(path) : Number.isInteger(holder) && holder > 0 && isRunning(holder);
      if (live) {
        throw new ConfigError(
          `${dataDir} is in use by another local stack (process ${holder}): stop it, or pass another --data-dir`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`cannot lock ${dataDir}`);
};
