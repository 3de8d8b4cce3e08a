/**
 * Bundles the CLI into dist/cli.mjs (the package's `bin`) and its lazily loaded parts into dist/cli/:
 * everything inlined, so that an installed csv2ddb needs no dependency, no tsx and no build. The
 * commands' code (the AWS SDK above all) is split off and loaded only when a command runs, so that
 * `csv2ddb --help` starts fast.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.ts';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;
await rm(join(outdir, 'cli'), { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  ...bundleOptions,
  // The sender threads' script (THREADS > 1) lands beside the commands' chunks, where the pool looks for it.
  entryPoints: { cli: 'src/cli/bin.ts', 'cli/sender': 'src/aws/sender-thread.ts' },
  // package.json allows Node 20 for the CLI; the function runs on Node 22.
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'cli/[name]-[hash]',
  minify: true,
  legalComments: 'none',
  metafile: true,
});
await writeFile(join(outdir, 'cli-meta.json'), JSON.stringify(result.metafile));
const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`${join(outdir, 'cli.mjs')}: ${outputs.length} files, ${bytes} bytes`);
