import { randomUUID } from 'node:crypto';

/** A Lambda context for running the handler outside Lambda, with a deadline like Lambda's timeout. */
export const lambdaContext = (
  options: { functionName?: string; timeoutMs?: number; now?: () => number } = {},
) => {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 900_000);
  const functionName = options.functionName ?? 'csv2ddb-local';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
