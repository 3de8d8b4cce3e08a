/** Which object keys csv2ddb processes, and where it writes what it learns about them. */

export type Prefixes = { readonly upload: string; readonly report: string; readonly rejected: string };

const SUFFIXES = ['.csv', '.csv.gz'] as const;

export type KeyDecision =
  | { readonly process: true; readonly rest: string; readonly gzip: boolean }
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
    return { process: false, reason: 'key does not name a .csv or .csv.gz file' };
  }
  return { process: true, rest, gzip: suffix === '.csv.gz' };
};

export const reportKeyFor = (rest: string, prefixes: Prefixes): string => `${prefixes.report}${rest}.json`;

export const rejectedKeyFor = (rest: string, prefixes: Prefixes): string =>
  `${prefixes.rejected}${rest.replace(/\.gz$/, '')}`;

/** S3 event keys are form-encoded: `+` is a space, `%C3%BC` is `ü`. */
export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));
