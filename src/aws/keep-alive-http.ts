import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type HttpAnswer = {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
};

export type KeepAliveOptions = {
  /** How long a new connection may take to open (TCP, and TLS for https). */
  readonly connectTimeoutMs: number;
  /** How long a request may go without a byte moving either way, once connected. */
  readonly requestTimeoutMs: number;
};

/** The lean path's timeouts, unless told otherwise: on the main thread and in the sender threads alike. */
export const DEFAULT_TIMEOUTS: KeepAliveOptions = { connectTimeoutMs: 3_000, requestTimeoutMs: 15_000 };

/** A timeout: named `TimeoutError`, which the SDK's error classification retries as transient. */
const timeoutError = (message: string) => Object.assign(new Error(message), { name: 'TimeoutError' });

/**
 * POSTs over a pool of kept-alive connections to one origin: the lean write path's transport.
 * Node's own client with no stream adapters around it; one socket timer per request (the socket's
 * idle timeout, re-armed by Node as bytes move) and one timer per new connection.
 */
export const keepAlivePoster = (origin: URL, options: KeepAliveOptions) => {
  const secure = origin.protocol === 'https:';
  // LIFO reuses the connection used last: a small warm set under bursts, the rest time out idle.
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, scheduling: 'lifo' })
    : new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  const send = secure ? httpsRequest : httpRequest;
  const target = {
    protocol: origin.protocol,
    hostname: origin.hostname.replace(/^\[|\]$/g, ''),
    port: origin.port || (secure ? 443 : 80),
    method: 'POST',
    agent,
  };

  const post = (path: string, headers: Record<string, string>, body: Uint8Array): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const request = send({ ...target, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('aborted', () =>
          reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
        );
        response.once('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          }),
        );
      });
      request.once('error', reject);
      request.setTimeout(options.requestTimeoutMs, () =>
        request.destroy(timeoutError(`no answer within ${options.requestTimeoutMs} ms`)),
      );
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => request.destroy(timeoutError(`no connection within ${options.connectTimeoutMs} ms`)),
          options.connectTimeoutMs,
        );
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      request.end(body);
    });

  return { post, close: () => agent.destroy() };
};
