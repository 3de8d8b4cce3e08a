import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type S3rver from 's3rver';

/**
 * s3rver stores an object at `path.join(folder, bucket, ...key.split('/'))`, so a key with a `..`
 * segment is written outside its folder (`incoming/../../../../x.csv`), and keys with `.`, `..`
 * or empty segments alias other keys on disk (`incoming/../incoming/y.csv` *is* `incoming/y.csv`).
 * S3 keeps such keys apart; the local stack refuses them instead of corrupting its data.
 */
export const unsafeKeyReason = (key: string): string | undefined => {
  const segments = key.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'a "." or ".." path segment';
  // A trailing `/` (a "folder" marker) maps to a file of its own; any other empty segment is dropped by path.join.
  if (segments.slice(0, -1).includes('')) return 'an empty path segment ("//" or a leading "/")';
  if (key.includes('\0')) return 'a NUL character';
  return undefined;
};

/** The bucket and key of a path-style request (`/bucket/key…`), decoded; undefined for a bucket-level one. */
const keyOfPath = (url: string): string | undefined => {
  const path = url.split('?')[0] ?? '';
  const slash = path.indexOf('/', 1);
  if (slash < 0) return undefined;
  try {
    return decodeURIComponent(path.slice(slash + 1));
  } catch {
    return undefined;
  }
};

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Makes s3rver answer 400 to any request on an unsafe key, before its store touches the disk: its
 * server's request listener is wrapped (s3rver offers no hook, and Koa copies its middleware list
 * when it starts listening).
 */
export const refuseUnsafeKeys = (s3rver: S3rver, onRefused?: (key: string, reason: string) => void): void => {
  const server = (s3rver as unknown as { httpServer: Server }).httpServer;
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const key = keyOfPath(request.url ?? '/');
    const reason = key === undefined || key === '' ? undefined : unsafeKeyReason(key);
    if (reason === undefined) {
      for (const listener of listeners) listener(request, response);
      return;
    }
    onRefused?.(key as string, reason);
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>' +
      `<Message>The local stack refuses keys with ${escapeXml(reason)}: s3rver would store them elsewhere on disk</Message></Error>`;
    // The request body is not read: the connection closes after the answer.
    response.writeHead(400, { 'content-type': 'application/xml', connection: 'close' });
    response.end(body);
  });
};

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
