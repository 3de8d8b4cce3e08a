import type { BuildOptions } from 'esbuild';

/**
 * How the handler is bundled, for dist/lambda.zip and for the benchmark's profile build alike.
 * `module` before `main`: the AWS SDK's ES module builds let esbuild drop what the handler never
 * uses (its CommonJS builds cannot be tree-shaken), a quarter less code for Lambda to compile at
 * a cold start. Names are not kept (esbuild's keepNames wraps every function in a call that
 * costs at start-up and in hot loops): error classes name themselves (src/core/errors.ts).
 */
export const bundleOptions = {
  // The handler, and the sender threads' script beside it (THREADS > 1: src/aws/sender-pool.ts).
  entryPoints: { index: 'src/handler.ts', sender: 'src/aws/sender-thread.ts' },
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
} as const satisfies BuildOptions;
