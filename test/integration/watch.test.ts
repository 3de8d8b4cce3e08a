import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';

// `npm start -- --watch` as a user runs it: what it prints, and what it says about each upload.

let child: ChildProcess;
let stdout = '';
let dataDir: string;

/** Resolves once stdout matches `pattern` (the child prints as things happen). */
const printed = (pattern: RegExp, timeoutMs = 60_000) =>
  new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${stdout}`)), timeoutMs);
    const check = () => {
      const match = stdout.match(pattern);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(match);
    };
    child.stdout?.on('data', check);
    check();
  });

/** The `export NAME=value` lines of the banner. */
const exported = () =>
  Object.fromEntries(
    [...stdout.matchAll(/^ {2}export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'csv2ddb-watch-'));
  const ports = ['--s3-port', '0', '--dynamodb-port', '0', '--lambda-port', '0'];
  child = spawn('npm', ['start', '--silent', '--', '--watch', '--data-dir', dataDir, ...ports], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  await printed(/^Waiting for \.csv, \.csv\.gz, \.tsv and \.tsv\.gz files/m, 90_000);
}, 120_000);
afterAll(async () => {
  if (child.pid !== undefined && child.exitCode === null) {
    const closed = new Promise((resolve) => child.once('close', resolve));
    process.kill(-child.pid, 'SIGINT');
    await closed;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start -- --watch', () => {
  it('prints the environment to paste, AWS_DEFAULT_REGION included (AWS CLI v1 reads only that)', () => {
    const env = exported();
    expect(env.AWS_DEFAULT_REGION).toBeDefined();
    expect(env.AWS_DEFAULT_REGION).toBe(env.AWS_REGION);
    expect(env.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('prints each upload S3 would not notify, and why: the suffix, the prefix', async () => {
    const env = exported();
    const s3 = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      region: env.AWS_REGION,
      forcePathStyle: true,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });
    const bucket = /bucket (\S+)/.exec(stdout)?.[1];
    try {
      for (const key of ['incoming/ORDERS.CSV', 'x.csv']) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ID,Name\n1,a\n' }));
      }
    } finally {
      s3.destroy();
    }
    const [suffix] = await printed(/^.* skipped +incoming\/ORDERS\.CSV .*$/m);
    expect(suffix).toMatch(
      / {2}suffix: not \.csv, \.csv\.gz, \.tsv or \.tsv\.gz \(the notification's filter is case-sensitive\)$/,
    );
    const [prefix] = await printed(/^.* skipped +x\.csv .*$/m);
    expect(prefix).toMatch(/ {2}prefix: not under incoming\/$/);
  });
});
