import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../bundle-options.ts';

/**
 * The handler bundled as for Lambda but not minified, so that a CPU profile names its functions
 * and esbuild's `// path` comments say which module each line of the bundle came from.
 */
export const buildForProfile = async (outdir: string): Promise<string> => {
  await build({ ...bundleOptions, outdir });
  return join(outdir, 'index.mjs');
};

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Where the time of a module goes, by what the module does. */
const CATEGORIES: readonly [RegExp, string][] = [
  [/csv-parse/, 'CSV parsing (csv-parse)'],
  [/src\/core\/decode\.ts|node:zlib/, 'decoding (gunzip, UTF-8 check)'],
  [/src\/core\/(to-item|item-plan|item|number|key-schema|schema\/.*)\.ts/, 'row → item (types, keys, sizes)'],
  [/src\/core\/(ingest|batch-writer|pacer|parse)\.ts/, 'ingest loop and batching'],
  [/src\/aws\/dynamodb-client\.ts/, 'BatchWriteItem bodies (JSON.stringify)'],
  [/src\/(aws|app)\//, 'csv2ddb adapters (building each call, opening the object)'],
  [/signature-v4|aws-crypto|sha256|node:crypto|node:internal\/crypto/, 'request signing (SigV4, SHA-256)'],
  [
    /client-dynamodb|@smithy\/core|@aws-sdk\/core|smithy-client|middleware|util-|@smithy\/types/,
    'SDK: middleware stack, endpoint, (de)serialisation',
  ],
  [
    /node-http-handler|node:_http|node:http|node:net|node:stream|node:internal\/(streams|http|net)|node:buffer/,
    'HTTP and streams',
  ],
  [/client-s3|lib-storage/, 'S3 client'],
  [/^writev$/, 'socket writes (with the loopback receive, in the kernel)'],
  [/^runMicrotasks$/, 'promise jobs'],
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^\(program\)$/, 'V8 and native code (unattributed)'],
  [/^node:/, 'Node internals (timers, events, module loading)'],
  [/^\(bundle\)$/, 'bundle helpers (esbuild)'],
];

/**
 * Summarises a `--cpu-prof` profile of the unminified bundle (`bundlePath`, the file it ran or a
 * copy): self time by category and the top functions.
 */
export const summariseProfile = async (profilePath: string, bundlePath: string) => {
  const profile = JSON.parse(await readFile(profilePath, 'utf8')) as CpuProfile;
  const lines = (await readFile(bundlePath, 'utf8')).split('\n');
  const starts: { line: number; module: string }[] = [];
  for (const [index, line] of lines.entries()) {
    const match = /^\s*\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
    if (match?.[1]) starts.push({ line: index, module: match[1] });
  }
  const moduleAt = (line: number): string => {
    let low = 0;
    let high = starts.length - 1;
    let found = '(bundle)';
    while (low <= high) {
      const middle = (low + high) >> 1;
      const start = starts[middle] as { line: number; module: string };
      if (start.line <= line) {
        found = start.module;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<ProfileNode, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id) as ProfileNode;
    selfMs.set(node, (selfMs.get(node) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [node, ms] of selfMs) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    // The bundle is the one .mjs the profiled process ran (the case runner is .ts).
    const where =
      url.startsWith('file:') && url.endsWith('.mjs') ? moduleAt(lineNumber) : url || functionName;
    const category =
      CATEGORIES.find(([pattern]) => pattern.test(where))?.[1] ??
      `other (${where.split('/')[0] || 'native'})`;
    categories.set(category, (categories.get(category) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'}  ${where}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    busy += ms;
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map]
      .sort(([, a], [, b]) => b - a)
      .slice(0, count)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy), categories: top(categories, 12), functions: top(functions, 15) };
};
