import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/servers.ts';
import { BENCH_KEY } from './generate.ts';

type Message = { port?: number; usage?: NodeJS.CpuUsage };

/**
 * Starts dynalite in a child process (scripts/bench/dynalite-server.ts), spawned asynchronously:
 * this process hosts s3rver, which must keep answering meanwhile. On a machine of few cores,
 * dynalite in this process would run a case at the speed of one thread shared with s3rver.
 */
export const startDynalite = async () => {
  const child = spawn(process.execPath, ['scripts/bench/dynalite-server.ts'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  /** Why the process ended, once it has. */
  const ended = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`));
    child.on('error', (error) => resolve(error.message));
  });
  const next = async (): Promise<Message> => {
    const [message] = (await Promise.race([
      once(child, 'message'),
      ended.then((why) => {
        throw new Error(`dynalite's process ended (${why})`);
      }),
    ])) as [Message];
    return message;
  };
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await ended;
  };
  try {
    const { port } = await next();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    return {
      endpoint,
      /** Creates an on-demand table keyed as the benchmark's files are. */
      createTable: async (table: string) => {
        await client.send(
          new CreateTableCommand({
            TableName: table,
            AttributeDefinitions: [{ AttributeName: BENCH_KEY.name, AttributeType: BENCH_KEY.type }],
            KeySchema: [{ AttributeName: BENCH_KEY.name, KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      },
      /** The CPU time dynalite's process has spent so far, in milliseconds. */
      cpuMs: async () => {
        const reply = next();
        child.send('usage', (error) => error && child.emit('error', error));
        const { usage } = await reply;
        return usage ? (usage.user + usage.system) / 1000 : Number.NaN;
      },
      close: async () => {
        client.destroy();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
};
