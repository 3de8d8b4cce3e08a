import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ContinuationPayload } from '../core/continuation.ts';
import { DependencyError, ErrorCode } from '../core/errors.ts';

/** Hands a payload to a new invocation of this function; resolves once Lambda has queued it. */
export type InvokeSelf = (payload: ContinuationPayload) => Promise<void>;

/**
 * Invokes `functionName` asynchronously (`Event`) with `payload`: Lambda queues it and answers 202;
 * any other answer is a `DependencyError` that says what was not queued (`what`).
 */
export const invokeAsync = async (
  lambda: LambdaClient,
  functionName: string,
  payload: unknown,
  what: string,
): Promise<void> => {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  if (response.StatusCode !== 202) {
    throw new DependencyError(
      ErrorCode.WRITE_FAILED,
      `Lambda did not queue ${what} (status ${response.StatusCode})`,
    );
  }
};

/** Continues a file in a new invocation of `functionName`. */
export const createInvokeSelf =
  (lambda: LambdaClient, functionName: string): InvokeSelf =>
  (payload) =>
    invokeAsync(lambda, functionName, payload, `the continuation of ${payload.file.key}`);
