import { execFile } from 'node:child_process';

/** The Java that DynamoDB Local needs (its 3.x releases run on Java 17 or later). */
export const MIN_JAVA = 17;

export type JavaCheck =
  | { readonly ok: true; readonly command: string; readonly version: string }
  | { readonly ok: false; readonly command: string; readonly reason: string };

/** `java -version` prints `openjdk version "17.0.15" …` (or `"1.8.0_402"` before Java 9) on stderr. */
export const javaMajor = (versionOutput: string): { major: number; version: string } | undefined => {
  const match = /version "((\d+)(?:\.(\d+))?[^"]*)"/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[2]);
  return { major: first === 1 ? Number(match[3] ?? 0) : first, version: match[1] as string };
};

/**
 * Whether `java` (or `JAVA`, as startDynamoDbLocal runs it) is Java 17 or later, by its `-version`
 * output; never throws.
 */
export const checkJava = (command = process.env.JAVA ?? 'java', timeoutMs = 10_000): Promise<JavaCheck> =>
  new Promise((resolve) => {
    execFile(command, ['-version'], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const found = javaMajor(`${stderr}\n${stdout}`);
      if (error && !found) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : error.message;
        resolve({ ok: false, command, reason: `${command}: ${why}` });
      } else if (!found) {
        resolve({ ok: false, command, reason: `${command} -version printed no version` });
      } else if (found.major < MIN_JAVA) {
        resolve({ ok: false, command, reason: `${command} is Java ${found.version}` });
      } else {
        resolve({ ok: true, command, version: found.version });
      }
    });
  });
