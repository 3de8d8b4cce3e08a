// The Lambda runtime inside one emulated container (a worker thread): it loads the handler module
// once (the init phase), then runs one invocation at a time as the emulator sends them. Plain
// JavaScript, because a worker thread loads its entry file without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';

const { moduleUrl, exportName, functionName, memoryMb } = workerData;

const serializeError = (error) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: String(error) };

const contextFor = ({ requestId, deadline }) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: String(memoryMb),
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

let handler;
try {
  const module = await import(moduleUrl);
  handler = module[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${moduleUrl} does not export ${exportName}()`);
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: serializeError(error) });
}

parentPort.on('message', async (invocation) => {
  try {
    const result = await handler(JSON.parse(invocation.event), contextFor(invocation));
    parentPort.postMessage({ type: 'result', id: invocation.id, result: JSON.stringify(result ?? null) });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: invocation.id, error: serializeError(error) });
  }
});
