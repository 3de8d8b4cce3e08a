/**
 * Bundles the Lambda handler into dist/lambda.zip: index.mjs at the root, everything inlined, and
 * sender.mjs (the sender threads' script) beside it. The zip is reproducible (fixed timestamps),
 * so Terraform redeploys only on real changes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { bundleOptions } from './bundle-options.ts';

const ZIP_TIME = new Date('2020-01-01T00:00:00Z');

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;
await mkdir(outdir, { recursive: true });
const result = await build({
  ...bundleOptions,
  outdir,
  minify: true,
  legalComments: 'none',
  metafile: true,
});
const code = await readFile(join(outdir, 'index.mjs'));
const sender = await readFile(join(outdir, 'sender.mjs'));
const zip = zipSync({
  'index.mjs': [code, { mtime: ZIP_TIME, level: 9 }],
  'sender.mjs': [sender, { mtime: ZIP_TIME, level: 9 }],
});
await writeFile(join(outdir, 'lambda.zip'), zip);
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
console.log(`${join(outdir, 'lambda.zip')}: ${zip.byteLength} bytes (index.mjs ${code.byteLength} bytes)`);
