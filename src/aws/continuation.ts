import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ContinuationPayload } from '../core/continuation.ts';
import { DependencyError, ErrorCode } from '../core/errors.ts';

/** Hands a payload to a new invocation of this function; resolves once Lambda has queued it. */
export type InvokeSelf = (payload: ContinuationPayload) => Promise<void>;

/** Invokes `functionName` asynchronously (`Event`): Lambda queues the payload and answers 202. */
export const createInvokeSelf =
  (lambda: LambdaClient, functionName: string): InvokeSelf =>
  async (payload) => {
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
        `Lambda did not queue the continuation of ${payload.file.key} (status ${response.StatusCode})`,
      );
    }
  };
