import type { ObjectRef } from '../aws/s3-source.ts';
import type { FileStore } from '../core/file-store.ts';
import type { IngestOptions } from '../core/ingest.ts';
import type { ItemPlan } from '../core/item-plan.ts';
import type { Report } from '../core/report.ts';
import type { FileDialect } from './schema-source.ts';

/** The types every step of a file's path shares (select-jobs, tasks, run-file, process-file, schema-source). */

export type FileContext = {
  readonly bucket: string;
  readonly key: string;
  readonly now: Date;
  /** The version of the column schema a continued file started with: the rest of the file keeps to it. */
  readonly schemaVersion?: string;
};

/** What processing a file needs, built by `createProcessDeps` (process-deps.ts). */
export type ProcessDeps = {
  /** Where files are read and their outputs go (S3, or the local disk for the CLI). */
  readonly store: FileStore;
  /** How items are written: the table's BatchWriteItem, its key identity, concurrency, retries, pacer. */
  readonly write: IngestOptions['write'];
  /** Builds the item plan for a header (the default rules, or the column schema). */
  readonly plan: (header: readonly string[], context: FileContext) => ItemPlan | Promise<ItemPlan>;
  /** A file's delimiter and encoding, before its header is read (`createDialectFactory`); unset: `,` and UTF-8. */
  readonly dialect?: (key: string, schemaVersion?: string) => Promise<FileDialect>;
  readonly now?: () => Date;
  /** CSV_PARSER (`IngestOptions.parser`); unset: `chunked`. */
  readonly csvParser?: IngestOptions['parser'];
};

export type FileJob = ObjectRef & {
  readonly rest: string;
  readonly gzip: boolean;
  /** The S3 event's `sequencer`: orders the uploads of one key in the file ledger. */
  readonly sequencer?: string;
};

/** A file's report, and where it was written (unset when the store keeps no reports: the local CLI). */
export type ProcessedFile = { readonly report: Report; readonly reportKey?: string };
