import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** The benchmark table's key: EC2 instance ids are unique, so every row becomes one item. */
export const BENCH_KEY = { name: 'InstanceId', type: 'S' } as const;

const HEADER =
  'InstanceId,InstanceType,State,AvailabilityZone,PrivateIp,LaunchTime,vCPUs,MemoryGiB,HourlyPrice,EbsOptimized,Tags,ImageId';

const TYPES = [
  ['t3.micro', 2, '1', '0.0104'],
  ['t3.large', 2, '8', '0.0832'],
  ['m5.large', 2, '8', '0.096'],
  ['m5.2xlarge', 8, '32', '0.384'],
  ['c6g.xlarge', 4, '8', '0.136'],
  ['r6i.4xlarge', 16, '128', '1.008'],
  ['x2gd.medium', 1, '16', '0.0835'],
] as const;
const STATES = ['running', 'running', 'running', 'stopped', 'pending'] as const;
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'us-east-1a', 'us-east-1d'] as const;
const TEAMS = ['data', 'web', 'ml', 'platform'] as const;

/** A small seeded generator (mulberry32): the same file every run. */
const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
};

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)] as T;
const hex = (random: () => number, digits: number) =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

const row = (random: () => number, index: number): string => {
  const [type, vcpus, memory, price] = pick(random, TYPES);
  const launched = new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 3e10)).toISOString();
  const ip = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
  const tags = `env=${random() < 0.7 ? 'prod' : 'dev'}|team=${pick(random, TEAMS)}`;
  return [
    `i-${index.toString(16).padStart(8, '0')}${hex(random, 9)}`,
    type,
    pick(random, STATES),
    pick(random, ZONES),
    ip,
    launched,
    vcpus,
    memory,
    price,
    random() < 0.5 ? 'true' : 'false',
    tags,
    `ami-${hex(random, 17)}`,
  ].join(',');
};

/** Writes an EC2-inventory-like CSV of `rows` rows (about 150 bytes each), streamed to disk. */
export const generateCsv = async (path: string, rows: number): Promise<number> => {
  const random = seeded(rows);
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${HEADER}\n`);
  for (let start = 0; start < rows; start += 1000) {
    const lines: string[] = [];
    for (let index = start; index < Math.min(rows, start + 1000); index++) lines.push(row(random, index));
    await write(`${lines.join('\n')}\n`);
  }
  out.end();
  await once(out, 'finish');
  return bytes;
};
