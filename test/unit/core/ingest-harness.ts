/** Runs ingest() over bytes in memory, with an in-memory table and rejected-rows sink: injected functions, no mocks. */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { CsvDialect } from '../../../src/core/dialect.ts';
import { ItemRefusedError } from '../../../src/core/errors.ts';
import { type IngestResult, ingest, type ResumePoint } from '../../../src/core/ingest.ts';
import type { Item } from '../../../src/core/item.ts';
import { compileDefaultPlan } from '../../../src/core/item-plan.ts';
import { type KeySchema, keyIdOf } from '../../../src/core/key-schema.ts';
import type { CsvParser } from '../../../src/core/parse-chunks.ts';
import type { RejectedRow } from '../../../src/core/rejected-csv.ts';
import type { SendBatch } from '../../../src/core/write-contract.ts';

export const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
export const NUMBER_KEY: KeySchema = { partition: { name: 'ID', type: 'N' } };

/**
 * An in-memory table behind a `send` function: it keeps the last item per key, as puts do,
 * answers after a varying delay so that calls overlap, and refuses any call holding a `Refuse` attribute.
 */
export const createTable = (keySchema: KeySchema) => {
  const items = new Map<string, Item>();
  let calls = 0;
  const send: SendBatch = async (batch) => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, (calls * 7) % 5));
    if (batch.some((item) => 'Refuse' in item)) {
      throw new ItemRefusedError('One or more parameter values were invalid');
    }
    for (const item of batch) items.set(keyIdOf(item, keySchema), item);
    return { unprocessed: [] };
  };
  return { items, send, calls: () => calls };
};

export type Run = {
  keySchema?: KeySchema;
  gzip?: boolean;
  dialect?: CsvDialect;
  /** Sends these bytes as they are, even when `gzip` is set. */
  raw?: boolean;
  chunk?: number;
  resume?: ResumePoint;
  shouldStop?: () => boolean;
  table?: ReturnType<typeof createTable>;
  rejected?: { header: readonly string[]; row: RejectedRow }[];
  parser?: CsvParser;
};

export const runIngest = async (
  input: string | Buffer,
  options: Run = {},
): Promise<
  IngestResult & { table: ReturnType<typeof createTable>; rejected: NonNullable<Run['rejected']> }
> => {
  const keySchema = options.keySchema ?? NUMBER_KEY;
  const table = options.table ?? createTable(keySchema);
  const rejected = options.rejected ?? [];
  const plain = Buffer.from(input);
  const bytes = options.gzip && !options.raw ? gzipSync(plain) : plain;
  const result = await ingest({
    open: async (offset) => {
      const from = options.gzip ? bytes : bytes.subarray(offset);
      const size = options.chunk ?? 64;
      const chunks: Buffer[] = [];
      for (let at = 0; at < from.length; at += size) chunks.push(from.subarray(at, at + size));
      return { body: Readable.from(chunks) };
    },
    gzip: options.gzip ?? false,
    ...(options.dialect && { dialect: options.dialect }),
    plan: (header) => compileDefaultPlan(header, keySchema, 'infer'),
    write: {
      send: table.send,
      keyIdOf: (item) => keyIdOf(item, keySchema),
      concurrency: 8,
      maxAttempts: 3,
      sleep: async () => undefined,
    },
    rejected: { add: (header, row) => void rejected.push({ header, row }) },
    ...(options.resume && { resume: options.resume }),
    ...(options.parser && { parser: options.parser }),
    ...(options.shouldStop && { shouldStop: options.shouldStop }),
  });
  return { ...result, table, rejected };
};

export const half = (bytes: Buffer) => bytes.subarray(0, bytes.length / 2);

export const rowsOf = (count: number, line: (index: number) => string) =>
  Array.from({ length: count }, (_, index) => `${line(index + 1)}\n`).join('');
