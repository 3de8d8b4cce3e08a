import type { BatchWriter, BatchWriterOptions } from './batch-writer.ts';
import { ErrorCode, FileError, RowError } from './errors.ts';
import type { ItemPlan, WritePlan } from './item-plan.ts';
import type { ModeEntry, SendRequests } from './mode-contract.ts';
import { ModeWriter, type ModeWriterOptions } from './mode-writer.ts';
import type { RejectedRow } from './rejected-csv.ts';
import { toModeEntry } from './row-write.ts';
import { modeName } from './schema/write-block.ts';
import { toItem } from './to-item.ts';
import type { TypeTally } from './type-tally.ts';

// The writer a file's plan picks (a plain put: `BatchWriter`; a write mode: `ModeWriter`), and a row handed to it.

/** The writer's settings; `sendRequests` carries the rows of a `write` mode other than a plain put. */
export type IngestWriteOptions = Omit<BatchWriterOptions, 'onWritten' | 'onRejected'> & {
  readonly sendRequests?: SendRequests;
};

/** Turns a record into an entry for the writer, or rejects it; a promise only when the caller must wait. */
export const toEntry = (
  plan: ItemPlan,
  fields: string[],
  row: number,
  writer: RowWriter,
  reject: (row: RejectedRow, code: string) => Promise<void>,
  tally: TypeTally,
): Promise<void> | undefined => {
  if (writer instanceof ModeWriter) {
    let modeEntry: ModeEntry;
    try {
      modeEntry = toModeEntry(plan, plan.write as WritePlan, fields, row);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      return reject({ row, reason: error.message, fields }, error.code);
    }
    tally.count(plan, modeEntry.item);
    return writer.put(modeEntry);
  }
  let entry: ReturnType<typeof toItem>;
  try {
    entry = toItem(plan, fields, row);
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    return reject({ row, reason: error.message, fields }, error.code);
  }
  tally.count(plan, entry.item);
  return writer.put({ item: entry.item, keyId: entry.keyId, row, fields });
};

export type RowWriter = BatchWriter | ModeWriter;

export type Callbacks = Pick<ModeWriterOptions, 'onWritten' | 'onSkipped' | 'onDeleted' | 'onRejected'>;

export const modeWriter = (write: IngestWriteOptions, plan: WritePlan, callbacks: Callbacks): ModeWriter => {
  if (!write.sendRequests) {
    throw new FileError(
      ErrorCode.WRITE_DENIED,
      `write mode "${modeName(plan.spec.mode, plan.spec.condition)}" needs a sender of PartiQL statements, which this process was not given`,
    );
  }
  const { sendRequests, send: _send, keyIdOf: _keyIdOf, ...rest } = write;
  return new ModeWriter({
    ...rest,
    ...callbacks,
    send: sendRequests,
    condition: plan.spec.condition,
    ...(plan.spec.version !== undefined && { version: plan.spec.version }),
  });
};
