import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalServers } from '../../src/local/servers.ts';
import { runCase } from './run.ts';
import type { startStandIn } from './stand-in.ts';

/**
 * `npm run bench -- --modes`: each write mode (docs/write-modes.md) on one file against the stand-in
 * at 10 ms per call, as put's rows/s and CPU µs/row. Every key of the file is new, so that the
 * stand-in can answer each statement as a table would without keeping items: into an empty table
 * ("new items": an UPDATE finds no item and an INSERT follows, two round trips) or one that holds
 * every key ("items exist": one round trip; an INSERT is a duplicate, the row skipped).
 */
export type ModeCase = {
  readonly label: string;
  readonly write?: object;
  readonly existing: boolean;
  /** The file with an `_op` column (put, upsert, delete in turn) instead of the plain one. */
  readonly ops?: boolean;
  /** Which count holds every row: rowsWritten, rowsDeleted or rowsSkipped. */
  readonly counted: 'rowsWritten' | 'rowsDeleted' | 'rowsSkipped' | 'mixed';
};

export const MODE_CASES: readonly ModeCase[] = [
  { label: 'put', existing: false, counted: 'rowsWritten' },
  { label: 'upsert (new items)', write: { mode: 'upsert' }, existing: false, counted: 'rowsWritten' },
  { label: 'upsert (items exist)', write: { mode: 'upsert' }, existing: true, counted: 'rowsWritten' },
  {
    label: 'put:absent (new items)',
    write: { condition: 'absent' },
    existing: false,
    counted: 'rowsWritten',
  },
  {
    label: 'upsert:newer (items exist)',
    write: { mode: 'upsert', condition: 'newer', version: 'LaunchTime' },
    existing: true,
    counted: 'rowsWritten',
  },
  { label: 'delete', write: { mode: 'delete' }, existing: false, counted: 'rowsDeleted' },
  {
    label: 'op mix (put, upsert, delete)',
    write: { op: '_op' },
    existing: true,
    ops: true,
    counted: 'mixed',
  },
];

const OPS = ['put', 'upsert', 'delete'] as const;

/** The file with an `_op` column: put, upsert and delete in turn. */
export const withOps = async (from: string, to: string): Promise<number> => {
  const out = createWriteStream(to);
  let bytes = 0;
  let index = -1;
  for await (const line of createInterface({ input: createReadStream(from) })) {
    if (line === '') continue;
    const text = `${line},${index < 0 ? '_op' : OPS[index % 3]}\n`;
    index++;
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
};

export type ModeRow = {
  case: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
  calls: number;
  /** The most calls the stand-in held at once. */
  mostOpen: number;
  load: number;
};

/** Runs one mode case once and checks that every row was counted where it belongs. */
export const runModeCase = async (
  setup: {
    servers: LocalServers;
    bucket: string;
    handler: string;
    standIn: Awaited<ReturnType<typeof startStandIn>>;
    env: NodeJS.ProcessEnv;
    load: () => number;
  },
  spec: ModeCase,
  file: { name: string; key: string; size: number },
): Promise<ModeRow> => {
  const { servers, bucket, standIn } = setup;
  standIn.take();
  standIn.holdEveryKey(spec.existing);
  const load = setup.load();
  const env = { ...setup.env, ...(spec.write && { SCHEMA: JSON.stringify({ write: spec.write }) }) };
  const result = await runCase({ handler: setup.handler, bucket, key: file.key }, env);
  const { calls, mostOpen } = standIn.take();
  const response = await servers.s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: `reports/${file.name}.json` }),
  );
  const report = JSON.parse((await response.Body?.transformToString()) ?? '{}') as {
    rowsRead: number;
    rowsWritten: number;
    rowsDeleted: number;
    rowsSkipped: number;
    rowsRejected: number;
  };
  const settled = report.rowsWritten + report.rowsDeleted + report.rowsSkipped;
  const counted = spec.counted === 'mixed' ? settled : report[spec.counted];
  if (report.rowsRead !== file.size || counted !== file.size || report.rowsRejected !== 0)
    throw new Error(`${spec.label}: report ${JSON.stringify(report)}`);
  return {
    case: spec.label,
    rows: file.size,
    seconds: Math.round(result.ms / 10) / 100,
    rowsPerSecond: Math.round((file.size * 1000) / result.ms),
    cpuMicrosPerRow: Math.round((result.cpuMs * 1000) / file.size),
    calls,
    mostOpen,
    load,
  };
};

/** Uploads a file for the mode cases. */
export const uploadFile = async (
  servers: LocalServers,
  bucket: string,
  key: string,
  path: string,
  bytes: number,
) =>
  servers.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: bytes }),
  );
