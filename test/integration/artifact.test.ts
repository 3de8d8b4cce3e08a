import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Builds into a folder of its own: other tests load dist/index.mjs meanwhile. */
const build = async () => {
  const outdir = await mkdtemp(join(tmpdir(), 'csv2ddb-build-'));
  try {
    await run('npx', ['tsx', 'scripts/build.ts', '--outdir', outdir]);
    return await readFile(join(outdir, 'lambda.zip'));
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
};

describe('dist/lambda.zip', () => {
  it('holds index.mjs, which exports handler, and sender.mjs, which sends, without node_modules', async () => {
    const entries = unzipSync(await build());
    expect(Object.keys(entries).sort()).toEqual(['index.mjs', 'sender.mjs']);
    // Lambda compiles all of it at each cold start (1.5 MB before the SDK's ES modules and zod/mini).
    expect((entries['index.mjs'] as Uint8Array).byteLength).toBeLessThan(800_000);
    // Load them from a folder with no node_modules anywhere above it, as Lambda does.
    const folder = await mkdtemp(join(tmpdir(), 'csv2ddb-zip-'));
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end(JSON.stringify({ target: request.headers['x-amz-target'] })));
    });
    try {
      for (const name of ['index.mjs', 'sender.mjs'])
        await writeFile(join(folder, name), entries[name] as Uint8Array);
      const module = (await import(pathToFileURL(join(folder, 'index.mjs')).href)) as Record<string, unknown>;
      expect(Object.keys(module)).toEqual(['handler']);
      expect(typeof module.handler).toBe('function');
      // The sender thread's script starts on its own and answers a request (THREADS > 1).
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const worker = new Worker(join(folder, 'sender.mjs'));
      try {
        worker.postMessage({
          id: 1,
          origin,
          path: '/',
          headers: { 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem' },
          body: '{}',
          timeouts: { connectTimeoutMs: 3_000, requestTimeoutMs: 5_000 },
        });
        const [answer] = (await once(worker, 'message')) as [
          { id: number; status: number; body: Uint8Array },
        ];
        expect(answer.id).toBe(1);
        expect(answer.status).toBe(200);
        expect(Buffer.from(answer.body).toString()).toBe('{"target":"DynamoDB_20120810.BatchWriteItem"}');
      } finally {
        await worker.terminate();
      }
    } finally {
      server.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('is byte-identical across two builds of the same commit', async () => {
    const first = sha256(await build());
    const second = sha256(await build());
    expect(second).toBe(first);
  });
});
