import type { Counts, ReportedError } from './ingest.ts';
import { type ColumnTypes, type TypeWarning, typeWarnings } from './type-tally.ts';
import type { WriterStats } from './write-contract.ts';

export const ReportStatus = { succeeded: 'succeeded', partial: 'partial', failed: 'failed' } as const;
export type ReportStatus = (typeof ReportStatus)[keyof typeof ReportStatus];

export type SourceObject = {
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
  readonly versionId?: string;
};

/** The per-file report, as written to `REPORT_PREFIX + R + ".json"`. */
export type Report = {
  readonly status: ReportStatus;
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsRejected: number;
  /** Write modes (SPEC): rows whose condition did not hold, and deletes. */
  readonly rowsSkipped: number;
  readonly rowsDeleted: number;
  readonly errors: readonly ReportedError[];
  readonly rejectedRowsKey?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly invocations: number;
  readonly writes: WriterStats;
  /** Columns typed field by field that came out with more than one type, with the rows of each (unset: none). */
  readonly warnings?: readonly TypeWarning[];
};

export type ReportInput = {
  readonly source: SourceObject;
  readonly counts: Counts;
  readonly errors: readonly ReportedError[];
  readonly failed: boolean;
  readonly rejectedRowsKey?: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly invocations: number;
  readonly writes: WriterStats;
  /** Per inferred column, the rows that gave each type (`TypeTally`). */
  readonly types?: ColumnTypes;
};

export const buildReport = (input: ReportInput): Report => {
  const { source, counts } = input;
  const warnings = typeWarnings(input.types);
  const durationMs = Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime());
  const status = input.failed
    ? ReportStatus.failed
    : counts.rowsRejected > 0
      ? ReportStatus.partial
      : ReportStatus.succeeded;
  return {
    status,
    bucket: source.bucket,
    key: source.key,
    ...(source.eTag !== undefined && { eTag: source.eTag }),
    ...(source.versionId !== undefined && { versionId: source.versionId }),
    rowsRead: counts.rowsRead,
    rowsWritten: counts.rowsWritten,
    rowsRejected: counts.rowsRejected,
    rowsSkipped: counts.rowsSkipped ?? 0,
    rowsDeleted: counts.rowsDeleted ?? 0,
    errors: [...input.errors].sort((a, b) => (a.row ?? 0) - (b.row ?? 0)),
    ...(input.rejectedRowsKey !== undefined &&
      counts.rowsRejected > 0 && { rejectedRowsKey: input.rejectedRowsKey }),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((counts.rowsRead * 1000) / durationMs) : counts.rowsRead,
    invocations: input.invocations,
    writes: { ...input.writes },
    ...(warnings.length > 0 && { warnings }),
  };
};

/** Adds up the writer statistics of several invocations of one file. */
/** `60 rows read, 57 written, 3 rejected`; skipped and deleted rows (write modes) only when there are any. */
export const countsLine = (
  counts: Pick<Counts, 'rowsRead' | 'rowsWritten' | 'rowsRejected' | 'rowsDeleted' | 'rowsSkipped'>,
): string =>
  `${counts.rowsRead} rows read, ${counts.rowsWritten} written, ` +
  ((counts.rowsDeleted ?? 0) > 0 ? `${counts.rowsDeleted} deleted, ` : '') +
  ((counts.rowsSkipped ?? 0) > 0 ? `${counts.rowsSkipped} skipped, ` : '') +
  `${counts.rowsRejected} rejected`;

export const addStats = (a: WriterStats, b: WriterStats): WriterStats => ({
  calls: a.calls + b.calls,
  retries: a.retries + b.retries,
  throttles: a.throttles + b.throttles,
  consumedCapacity: a.consumedCapacity + b.consumedCapacity,
});
