/** Which object keys csv2ddb processes, and where it writes what it learns about them. */

export type Prefixes = { readonly upload: string; readonly report: string; readonly rejected: string };

const SUFFIXES = ['.csv', '.csv.gz', '.tsv', '.tsv.gz'] as const;

export type KeyDecision =
  /** `tsv`: a tab is the delimiter unless the schema's `csv` block says otherwise (`dialectFor`). */
  | { readonly process: true; readonly rest: string; readonly gzip: boolean; readonly tsv: boolean }
  | { readonly process: false; readonly reason: string };

export const classifyKey = (key: string, prefixes: Prefixes): KeyDecision => {
  if (key.startsWith(prefixes.report) || key.startsWith(prefixes.rejected)) {
    return { process: false, reason: 'key is under the report or rejected prefix' };
  }
  if (!key.startsWith(prefixes.upload))
    return { process: false, reason: 'key is not under the upload prefix' };
  const rest = key.slice(prefixes.upload.length);
  const suffix = SUFFIXES.find((candidate) => rest.endsWith(candidate));
  if (!suffix) {
    return { process: false, reason: 'key does not name a .csv, .csv.gz, .tsv or .tsv.gz file' };
  }
  return { process: true, rest, gzip: suffix.endsWith('.gz'), tsv: suffix.startsWith('.tsv') };
};

export const reportKeyFor = (rest: string, prefixes: Prefixes): string => `${prefixes.report}${rest}.json`;

/** The upload's own name under the rejected prefix, `.gz` kept (the file is gzip-compressed then): `a.csv` and `a.csv.gz` never share one. */
export const rejectedKeyFor = (rest: string, prefixes: Prefixes): string => `${prefixes.rejected}${rest}`;

/** S3 event keys are form-encoded: `+` is a space, `%C3%BC` is `ü`. */
export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));
