/** The CSV dialect of a file: its delimiter and its character encoding (SPEC, "CSV dialect"). */

export const DELIMITERS = [',', ';', '|', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export type CsvDialect = { readonly delimiter: Delimiter; readonly encoding: Encoding };

export const DEFAULT_DIALECT: CsvDialect = { delimiter: ',', encoding: 'utf-8' };

/** The schema's `csv` block, as written: either property may be left out. */
export type DialectSpec = { readonly delimiter?: Delimiter; readonly encoding?: Encoding };

/**
 * The dialect of one file: what the schema's `csv` block says, else a tab for a `.tsv` key
 * (classifyKey's `tsv`) and a comma for the rest, and UTF-8.
 */
export const dialectFor = (spec: DialectSpec | undefined, tsv: boolean): CsvDialect => ({
  delimiter: spec?.delimiter ?? (tsv ? '\t' : ','),
  encoding: spec?.encoding ?? 'utf-8',
});

/** How a delimiter is shown in messages: a tab is invisible. */
export const describeDelimiter = (delimiter: string): string =>
  delimiter === '\t' ? 'tab' : `\`${delimiter}\``;

/**
 * The delimiter a header line most likely uses: the most frequent of `,` `;` `|` tab outside quotes
 * (the first of them on a tie), or undefined when it holds none.
 */
export const likelyDelimiter = (line: string): Delimiter | undefined => {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(char)) {
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }
  }
  let best: Delimiter | undefined;
  for (const delimiter of DELIMITERS) {
    if ((counts.get(delimiter) ?? 0) > (best === undefined ? 0 : (counts.get(best) ?? 0))) best = delimiter;
  }
  return best;
};

/**
 * For a header without its key column: " (the header looks `;`-separated: set `csv.delimiter`)"
 * when its names hold another delimiter at least once per column (a name may hold one, quoted,
 * but not that many), else nothing.
 */
export const delimiterHint = (header: readonly string[]): string => {
  const looks = likelyDelimiter(header.join('').replaceAll('"', ''));
  if (looks === undefined) return '';
  const count = header.join('').split(looks).length - 1;
  if (count < header.length) return '';
  return ` (the header looks ${describeDelimiter(looks)}-separated: set \`csv.delimiter\`)`;
};
