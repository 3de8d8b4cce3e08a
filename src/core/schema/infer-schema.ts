import { isUtf8 } from 'node:buffer';
import { codecFor, fromWindows1252 } from '../codecs.ts';
import { type DialectSpec, describeDelimiter, type Encoding, likelyDelimiter } from '../dialect.ts';
import { readHeader } from '../header.ts';
import type { ColumnSpec } from './schema.ts';
import { DEFAULT_SEPARATOR, readTyped } from './typed-value.ts';

export const DEFAULT_SAMPLE_ROWS = 1000;

export type InferOptions = {
  /** Data rows to look at; the default is the first 1000. */
  readonly sample?: number;
  /** Header names of the table's key attributes: listed without a type, since the table types them. */
  readonly keys?: readonly string[];
  /** The key attributes' types, when the table was read (`DescribeTable`): the proposal says which values will not fit. */
  readonly keyTypes?: Readonly<Record<string, 'S' | 'N' | 'B'>>;
  /** Where the format's JSON Schema is, for editors: the proposal's `$schema`. */
  readonly $schema?: string;
  /** The set separator to look for. */
  readonly separator?: string;
  /** The dialect to propose (`detectDialect`): it goes into the schema's `csv` block. */
  readonly csv?: DialectSpec;
};

/** How many of a column's non-empty values in the sample fit each type. */
export type Fits = { N: number; BOOL: number; JSON: number; S: number; SS: number; NS: number };

export type ColumnStats = {
  readonly column: string;
  readonly values: number;
  readonly empty: number;
  readonly fits: Readonly<Fits>;
  /** Numbers written with a leading zero (`007`, `02134`): codes, not quantities. */
  readonly leadingZeros: number;
  readonly proposed: ColumnSpec;
  readonly reason: string;
};

/** The proposal in the file format, ready for `JSON.stringify`. */
export type SchemaJson = {
  $schema?: string;
  csv?: DialectSpec;
  columns: Record<string, ColumnSpec>;
  otherColumns: 'infer';
};

export type InferredSchema = {
  readonly schema: SchemaJson;
  readonly columns: ColumnStats[];
  readonly rows: number;
};

const CLEAN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LEADING_ZERO = /^-?0[0-9]/;

/** `Instance ID` → `InstanceId`, `Memory GiB` → `MemoryGiB`: words joined, an all-capitals word (`ID`) tamed. */
export const suggestAttributeName = (column: string): string =>
  column
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => {
      const rest = /^[A-Z0-9]+$/.test(word) ? word.slice(1).toLowerCase() : word.slice(1);
      return `${word.charAt(0).toUpperCase()}${rest}`;
    })
    .join('');

const emptyFits = (): Fits => ({ N: 0, BOOL: 0, JSON: 0, S: 0, SS: 0, NS: 0 });

const count = (fits: Fits, text: string, separator: string): boolean => {
  fits.S++;
  if (!('problem' in readTyped('N', text))) fits.N++;
  if (!('problem' in readTyped('BOOL', text))) fits.BOOL++;
  if ((text.startsWith('{') || text.startsWith('[')) && !('problem' in readTyped('JSON', text))) fits.JSON++;
  const parts = text.split(separator);
  if (parts.length > 1 && parts.every((part) => part !== '')) {
    fits.SS++;
    if (parts.every((part) => !('problem' in readTyped('N', part)))) fits.NS++;
  }
  return LEADING_ZERO.test(text);
};

/** Why a key column is listed without a type, and which of its values the table's type will refuse. */
const keyReason = (values: number, fits: Fits, type: string | undefined): string => {
  if (type === undefined) return 'key attribute: the table gives its type';
  const misfits = type === 'N' ? values - fits.N : 0;
  return `key attribute: the table types it ${type}${misfits > 0 ? `; ${misfits} value(s) are not numbers: their rows will be rejected` : ''}`;
};

const propose = (
  stats: Omit<ColumnStats, 'proposed' | 'reason'>,
  isKey: boolean,
  separator: string,
  keyType?: string,
): { type?: ColumnSpec['type']; separator?: string; reason: string } => {
  const { values, fits, leadingZeros } = stats;
  if (isKey) return { reason: keyReason(values, fits, keyType) };
  if (values === 0) return { reason: 'no values in the sample' };
  if (leadingZeros > 0)
    return { type: 'S', reason: `${leadingZeros} value(s) with leading zeros (like 007): kept as text` };
  if (fits.N === values) return { type: 'N', reason: 'every value is a number' };
  if (fits.BOOL === values) return { type: 'BOOL', reason: 'every value is a boolean' };
  if (fits.JSON === values) return { type: 'JSON', reason: 'every value is a JSON object or array' };
  if (fits.SS * 2 >= values) {
    const sep = separator === DEFAULT_SEPARATOR ? {} : { separator };
    return fits.NS === fits.SS
      ? {
          type: 'NS',
          ...sep,
          reason: `${fits.NS} value(s) are ${JSON.stringify(separator)}-separated numbers`,
        }
      : {
          type: 'SS',
          ...sep,
          reason: `${fits.SS} value(s) are ${JSON.stringify(separator)}-separated lists`,
        };
  }
  if (fits.N > 0 || fits.BOOL > 0)
    return { type: 'S', reason: 'mixed values: kept as text so that they agree' };
  return { type: 'S', reason: 'text' };
};

/**
 * Proposes a column schema from the first records of a file (the header first): per column the types
 * its values fit, and a type that every sampled value fits, keeping codes like `007` as text.
 */
export const inferSchema = async (
  records: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  options: InferOptions = {},
): Promise<InferredSchema> => {
  const sample = options.sample ?? DEFAULT_SAMPLE_ROWS;
  const separator = options.separator ?? DEFAULT_SEPARATOR;
  let header: string[] | undefined;
  let tallies: { values: number; empty: number; fits: Fits; leadingZeros: number }[] = [];
  let rows = 0;
  for await (const fields of records) {
    if (!header) {
      header = readHeader(fields);
      tallies = header.map(() => ({ values: 0, empty: 0, fits: emptyFits(), leadingZeros: 0 }));
      if (sample === 0) break;
      continue;
    }
    rows++;
    for (const [index, tally] of tallies.entries()) {
      const text = fields[index] ?? '';
      if (text === '') {
        tally.empty++;
        continue;
      }
      tally.values++;
      if (count(tally.fits, text, separator)) tally.leadingZeros++;
    }
    if (rows >= sample) break;
  }
  if (!header) throw new Error('the file is empty: it has no header');

  const keys = new Set([...(options.keys ?? []), ...Object.keys(options.keyTypes ?? {})]);
  const taken = new Set(header);
  const columns: ColumnStats[] = header.map((column, index) => {
    const tally = tallies[index] as (typeof tallies)[number];
    const isKey = keys.has(column);
    const { reason, ...typing } = propose({ column, ...tally }, isKey, separator, options.keyTypes?.[column]);
    const suggested = isKey || CLEAN_NAME.test(column) ? '' : suggestAttributeName(column);
    const rename = suggested !== '' && !taken.has(suggested);
    if (rename) taken.add(suggested);
    return { column, ...tally, proposed: { ...(rename && { name: suggested }), ...typing }, reason };
  });
  const csv = options.csv && Object.keys(options.csv).length > 0 ? { csv: options.csv } : {};
  return {
    schema: {
      ...(options.$schema !== undefined && { $schema: options.$schema }),
      ...csv,
      columns: Object.fromEntries(columns.map(({ column, proposed }) => [column, proposed])),
      otherColumns: 'infer',
    },
    columns,
    rows,
  };
};

/** The five bytes windows-1252 leaves unassigned: a file holding one is not windows-1252. */
const NOT_WINDOWS_1252 = /[\x81\x8d\x8f\x90\x9d]/;

/** A sample's bytes may end in the middle of a UTF-8 character: up to 3 of them are not held against it. */
const isUtf8Sample = (bytes: Buffer): boolean =>
  [0, 1, 2, 3].some((cut) => cut < bytes.length && isUtf8(bytes.subarray(0, bytes.length - cut))) ||
  bytes.length === 0;

/**
 * Proposes the `csv` block from the first bytes of a file: the encoding (a UTF-16 byte order mark;
 * bytes that are not UTF-8 but are windows-1252, else Latin-1) and the delimiter (the most frequent
 * of `,` `;` `|` tab in the header line, outside quotes). What the defaults already give is left out
 * (a tab for a `.tsv` key: `tsv`). `reasons` says why, for the user.
 */
export const detectDialect = (
  head: Buffer,
  options: { readonly tsv?: boolean } = {},
): { readonly csv: DialectSpec; readonly reasons: readonly string[] } => {
  const reasons: string[] = [];
  const codec = codecFor('utf-8', head);
  let encoding: Encoding | undefined;
  let text: string;
  if (codec.parse === 'utf16le') {
    encoding = codec.name === 'UTF-16LE' ? 'utf-16le' : 'utf-16be';
    reasons.push(`the file starts with a ${codec.name} byte order mark`);
    text = codec
      .check(head.subarray(0, head.length - (head.length % 2)))
      .out.toString('utf16le')
      .slice(1);
  } else if (isUtf8Sample(head)) {
    text = head.toString('utf8');
  } else {
    const latin1 = head.toString('latin1');
    encoding = NOT_WINDOWS_1252.test(latin1) ? 'latin1' : 'windows-1252';
    reasons.push(`the file is not UTF-8, but reads as ${encoding}`);
    text = encoding === 'windows-1252' ? fromWindows1252(latin1) : latin1;
  }
  const headerLine = (/^\uFEFF?([^\r\n]*)/.exec(text)?.[1] ?? '') as string;
  const looks = likelyDelimiter(headerLine);
  const fallback = options.tsv ? '\t' : ',';
  const delimiter = looks !== undefined && looks !== fallback ? looks : undefined;
  if (delimiter) reasons.push(`the header line is ${describeDelimiter(delimiter)}-separated`);
  return { csv: { ...(delimiter && { delimiter }), ...(encoding && { encoding }) }, reasons };
};
