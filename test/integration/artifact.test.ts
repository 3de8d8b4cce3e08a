import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
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
  it('holds only index.mjs at its root, which exports handler without node_modules', async () => {
    const entries = unzipSync(await build());
    expect(Object.keys(entries)).toEqual(['index.mjs']);
    // Lambda compiles all of it at each cold start (1.5 MB before the SDK's ES modules and zod/mini).
    expect((entries['index.mjs'] as Uint8Array).byteLength).toBeLessThan(800_000);
    // Load it from a folder with no node_modules anywhere above it, as Lambda does.
    const folder = await mkdtemp(join(tmpdir(), 'csv2ddb-zip-'));
    try {
      await writeFile(join(folder, 'index.mjs'), entries['index.mjs'] as Uint8Array);
      const module = (await import(pathToFileURL(join(folder, 'index.mjs')).href)) as Record<string, unknown>;
      expect(Object.keys(module)).toEqual(['handler']);
      expect(typeof module.handler).toBe('function');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('is byte-identical across two builds of the same commit', async () => {
    const first = sha256(await build());
    const second = sha256(await build());
    expect(second).toBe(first);
  });
});
