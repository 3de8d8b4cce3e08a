import { type DynamoDbLocal, startDynamoDbLocal } from '../../src/local/dynamodb-local.ts';

/**
 * One DynamoDB Local per test file (vitest runs each file in a process of its own), shared by the
 * servers its suites start: a JVM takes seconds to start, dynalite milliseconds. Kept apart from
 * servers.ts so that the setup file, loaded before every test file, imports no SDK.
 */
let shared: Promise<DynamoDbLocal> | undefined;

export const sharedDynamoDbLocal = (): Promise<DynamoDbLocal> => {
  shared ??= startDynamoDbLocal();
  return shared;
};

/** Stops this file's DynamoDB Local, if it started one. */
export const stopSharedDynamoDbLocal = async (): Promise<void> => {
  const running = shared;
  shared = undefined;
  if (running) await (await running.catch(() => undefined))?.close();
};
