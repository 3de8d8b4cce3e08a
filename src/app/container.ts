import { LambdaClient } from '@aws-sdk/client-lambda';
import { createInvokeSelf, type InvokeSelf } from '../aws/continuation.ts';
import { createDynamoDBClient } from '../aws/dynamodb-client.ts';
import type { TurnSetup } from '../aws/file-turn.ts';
import { createLedger } from '../aws/ledger.ts';
import { createS3Client } from '../aws/s3-client.ts';
import { createS3FileStore } from '../aws/s3-file-store.ts';
import { createSenderPool, threadsFor } from '../aws/sender-pool.ts';
import type { FileTask } from '../core/continuation.ts';
import { createDestinations, type Destination, NO_ROUTE, routeOf, routesOf } from './routes.ts';
import { MAX_THREADS, readSettings, type Settings } from './settings.ts';

export type Container = {
  readonly settings: Settings;
  /** A file's destination (SPEC "Datasets"): its route's table, dependencies and capacity share. */
  readonly destinationOf: (task: FileTask) => Promise<Destination>;
  /** Continues a file in a new invocation of this function; unset outside Lambda. */
  readonly invoke?: InvokeSelf;
  /** The file ledger (LEDGER_TABLE); each file's share of its table's capacity comes with its destination. */
  readonly ledger?: TurnSetup;
};

/**
 * What a Lambda container keeps between invocations: settings, clients and, per table, its key schema
 * (read once, as the container starts, or by the first file routed to it when that failed) and pacer.
 * Invalid settings (DATASETS among them) throw here, before any record is processed.
 */
export const createContainer = async (env: NodeJS.ProcessEnv): Promise<Container> => {
  const settings = readSettings(env);
  const { functionName, ledgerTable } = settings;
  const s3 = createS3Client(env);
  const dynamodb = createDynamoDBClient();
  // Every vCPU: with more than one, sender threads sign and send the writes (sender-pool.ts).
  const threads = threadsFor(settings.threads, env, MAX_THREADS);
  const destinations = createDestinations({
    s3,
    dynamodb,
    bucket: settings.sourceBucket,
    store: createS3FileStore(s3, settings.prefixes),
    writeConcurrency: settings.writeConcurrency,
    marginMs: settings.continuationMarginMs,
    maxWriteAttempts: settings.maxWriteAttempts,
    typeMode: settings.typeMode,
    writePath: settings.writePath,
    csvParser: settings.csvParser,
    ...(threads > 1 && { senders: createSenderPool(threads - 1) }),
  });
  // Every table is described as the container starts, side by side, so that a file's time goes to its rows.
  // One that fails is asked for again by its first file: a missing table fails only the invocations of its files.
  await Promise.allSettled(routesOf(settings).map(destinations));
  return {
    settings,
    destinationOf: (task) => {
      const route = routeOf(task.rest, settings);
      // selectTasks skips these; a file that gets here without a route is a bug, not bad data.
      if (!route) throw new Error(`${task.key}: ${NO_ROUTE}`);
      return destinations(route);
    },
    ...(ledgerTable !== undefined && { ledger: { ledger: createLedger(dynamodb, ledgerTable) } }),
    ...(functionName !== undefined && { invoke: createInvokeSelf(new LambdaClient({}), functionName) }),
  };
};
