import type { ReportStatus } from '../core/report.ts';

/** The CLI's exit codes: scripts can tell a clean load from rejected rows from a failure. */
export const ExitCode = { ok: 0, rowsRejected: 1, failed: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeFor = (status: ReportStatus): ExitCode =>
  status === 'succeeded' ? ExitCode.ok : status === 'partial' ? ExitCode.rowsRejected : ExitCode.failed;

/** The worst of several outcomes. */
export const worst = (codes: readonly ExitCode[]): ExitCode => Math.max(ExitCode.ok, ...codes) as ExitCode;
