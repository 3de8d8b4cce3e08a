/**
 * Bundles the Lambda handler into dist/lambda.zip: index.mjs at the root, everything inlined.
 * The zip is reproducible (fixed timestamps, one file), so Terraform redeploys only on real changes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const ZIP_TIME = new Date('2020-01-01T00:00:00Z');

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: ['src/handler.ts'],
  outfile: join(outdir, 'index.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  // Error class names appear in reports and logs (`DependencyError: …`): minifying must keep them.
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  // Some CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
const code = await readFile(join(outdir, 'index.mjs'));
const zip = zipSync({ 'index.mjs': [code, { mtime: ZIP_TIME, level: 9 }] });
await writeFile(join(outdir, 'lambda.zip'), zip);
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
console.log(`${join(outdir, 'lambda.zip')}: ${zip.byteLength} bytes (index.mjs ${code.byteLength} bytes)`);
