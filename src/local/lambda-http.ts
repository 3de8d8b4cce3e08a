import type { IncomingMessage, ServerResponse } from 'node:http';

/** Lambda's Invoke API on the wire, as far as the local emulator speaks it. */

// Lambda's payload limits: 256 KB for an async event, 6 MB for a synchronous request.
export const MAX_EVENT_BYTES = 256 * 1024;
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * `/2015-03-31/functions/{name}/invocations`, optionally after `/containers/{id}`: the path prefix
 * each emulated container's endpoint carries (the SDK keeps a custom endpoint's path), so that the
 * emulator knows which container sent an Invoke.
 */
const INVOKE_PATH = /^(?:\/containers\/([^/]+))?\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export const parseInvokePath = (
  method: string | undefined,
  url: string | undefined,
): { containerId?: string; name: string } | undefined => {
  const { pathname } = new URL(url ?? '/', 'http://localhost');
  const match = method === 'POST' ? INVOKE_PATH.exec(pathname) : null;
  if (!match) return undefined;
  return { ...(match[1] && { containerId: match[1] }), name: decodeURIComponent(match[2] as string) };
};

export const containerPath = (containerId: string) => `/containers/${containerId}`;

export const sendJson = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
};

/** An error as Lambda's REST API reports it; the SDK reads the type from the header. */
export const sendError = (response: ServerResponse, status: number, type: string, message: string) =>
  sendJson(response, status, { Type: 'User', message }, { 'x-amzn-errortype': type });

export const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** A function error as the synchronous Invoke returns it (status 200, `X-Amz-Function-Error`). */
export const functionErrorPayload = (error: Error) => ({
  errorType: error.name,
  errorMessage: error.message,
  trace: error.stack?.split('\n') ?? [],
});
