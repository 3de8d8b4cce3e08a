import { createServer } from 'node:net';

/**
 * The first of `ports` (0 = any, skipped) that another process already listens on, on 127.0.0.1.
 * Checked before the servers start: s3rver listens without an `'error'` listener, so a port in use
 * would end the process with an unhandled error instead of a message.
 */
export const findPortInUse = async (ports: readonly number[]): Promise<number | undefined> => {
  for (const port of ports) {
    if (port === 0) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) return port;
  }
  return undefined;
};
