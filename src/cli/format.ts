import type { Report } from '../core/report.ts';
import { countsLine } from '../core/report.ts';
import { describeWarning } from '../core/type-tally.ts';

const MAX_CELL = 60;

const cell = (text: string, max: number) => {
  const flat = text.replace(/\r?\n/g, '⏎');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A plain-text table: padded columns, multi-line cells on one line, long ones shortened. */
export const formatTable = (
  head: readonly string[],
  rows: readonly (readonly string[])[],
  maxCell = MAX_CELL,
): string => {
  const cells = [head, ...rows].map((row) => head.map((_, index) => cell(row[index] ?? '', maxCell)));
  const widths = head.map((_, index) => Math.max(...cells.map((row) => (row[index] as string).length)));
  return cells
    .map((row) =>
      row
        .map((text, index) => (index === row.length - 1 ? text : text.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

/** The counts line (`countsLine` in the core, as the local stack prints it too). */
export const formatCounts = countsLine;

/** The speed line: rows/s and how long the file took. */
export const formatSpeed = (report: Report): string =>
  `${report.rowsPerSecond} rows/s, ${(report.durationMs / 1000).toFixed(1)} s` +
  (report.invocations > 1 ? `, ${report.invocations} invocations` : '');

/** The report's errors as a table of row, code and message. */
export const formatErrors = (report: Report, limit = Number.POSITIVE_INFINITY): string => {
  const shown = report.errors.slice(0, limit);
  const table = formatTable(
    ['row', 'code', 'message'],
    shown.map((error) => [
      error.row === undefined ? '-' : String(error.row),
      error.code ?? '',
      error.message,
    ]),
    Number.POSITIVE_INFINITY,
  );
  const more = report.errors.length - shown.length;
  return more > 0 ? `${table}\n… ${more} more` : table;
};

/** The report's type warnings, and what to do about them; empty when there are none. */
export const formatWarnings = (report: Report, input = 'FILE'): string => {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  return [
    ...warnings.map((warning) => `warning: ${describeWarning(warning)}`),
    `  a column typed field by field got several types: \`csv2ddb schema infer ${input}\` proposes a column schema that types each column one way`,
  ].join('\n');
};
