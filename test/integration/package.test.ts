import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import type { LocalServers } from '../../src/local/servers.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// What a user gets from `npm pack` and `npm install -g`: the bundled CLI alone, run from elsewhere.

const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: { ...process.env } });

let work: string;
let prefix: string;
let tarball: string;
let servers: LocalServers;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'csv2ddb-package-'));
  prefix = join(work, 'global');
  // dist/cli.mjs is fresh (vitest's globalSetup); --ignore-scripts: `prepare` would rebuild it under
  // the feet of the other test files that run it.
  const { stdout } = await npm(
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    PROJECT_ROOT,
  );
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed?.filename ?? '');
  // From another folder, as a user would: no repository, no node_modules around it.
  await npm(['install', '--global', '--offline', '--prefix', prefix, tarball], work);
  servers = await startTestServers();
}, 60_000);
afterAll(async () => {
  await servers?.close();
  await rm(work, { recursive: true, force: true });
});

describe('the package (npm pack, npm install -g)', () => {
  it('ships the bundled CLI and nothing else to run: no tests, infra, CI, sources or dependencies', async () => {
    const { stdout } = await npm(['pack', '--ignore-scripts', '--dry-run', '--json'], PROJECT_ROOT);
    const [{ files = [] } = {}] = JSON.parse(stdout) as { files?: { path: string }[] }[];
    const paths = files.map(({ path }) => path);
    expect(paths).toContain('dist/cli.mjs');
    expect(
      paths.filter(
        (path) => !/^(dist\/cli\.mjs|dist\/cli\/[\w-]+\.mjs|package\.json|README\.md)$/.test(path),
      ),
    ).toEqual([]);
    const installed = join(prefix, 'lib/node_modules/csv2ddb');
    expect((await readdir(installed)).sort()).toEqual(['README.md', 'dist', 'package.json']);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('runs csv2ddb --help from the installed bin', async () => {
    const { stdout } = await run(join(prefix, 'bin/csv2ddb'), ['--help'], { cwd: work });
    expect(stdout).toMatch(/^Usage: csv2ddb \[options\] \[command\]/);
    expect(stdout).toMatch(/\n {2}ingest \[options\] <input>/);
  });

  it('loads a file into a table with the installed csv2ddb', async () => {
    await createTable(servers.dynamodb, 'installed');
    const csv = join(work, 'bad-rows.csv');
    await copyFile(join(PROJECT_ROOT, 'test/fixtures/cli/bad-rows.csv'), csv);
    const result = await run(join(prefix, 'bin/csv2ddb'), ['ingest', csv, '--table', 'installed'], {
      cwd: work,
      env: { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('partial: 5 rows read, 2 written, 3 rejected');
    expect(result.stdout).toContain(`rejected rows: ${csv}.rejected.csv`);
    const { Item } = await servers.dynamodb.send(
      new GetItemCommand({ TableName: 'installed', Key: { ID: { N: '5' } } }),
    );
    expect(Item?.Name).toEqual({ S: 'epsilon' });
  });
});
