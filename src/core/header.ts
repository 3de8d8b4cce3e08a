import { ErrorCode, FileError } from './errors.ts';

/** Checks the header record: names are trimmed, and must be non-empty and unique. */
export const readHeader = (fields: readonly string[]): string[] => {
  const names = fields.map((field) => field.trim());
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name === '') {
      throw new FileError(ErrorCode.CSV_EMPTY_HEADER, `header column ${index + 1} has no name`, {
        row: 0,
      });
    }
    if (seen.has(name)) {
      throw new FileError(ErrorCode.CSV_DUPLICATE_HEADER, `header column "${name}" appears more than once`, {
        row: 0,
        column: name,
      });
    }
    seen.add(name);
  }
  return names;
};

/** The columns a rejected-rows file puts first (rejected-csv.ts): such a file, uploaded again, is read without them. */
export const REJECTED_COLUMNS = ['_row', '_error'] as const;

/** How many leading columns of a header (as `readHeader` returns it) to leave out: 2 for a rejected-rows file, else 0. */
export const rejectedColumnsIn = (names: readonly string[]): number =>
  names[0] === REJECTED_COLUMNS[0] && names[1] === REJECTED_COLUMNS[1] ? REJECTED_COLUMNS.length : 0;
