/**
 * `add` templates: literal text with `{bucket}`, `{key}`, `{row}` and `{now}` in it.
 * Any other `{…}` is a mistake worth catching (a typo like `{Key}` or `{ row }`), so it is refused;
 * a lone `{` or `}` is literal text.
 */

export const PLACEHOLDERS = ['bucket', 'key', 'row', 'now'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export type TemplatePart = { readonly literal: string } | { readonly placeholder: Placeholder };

const PLACEHOLDER = /\{([^{}]*)\}/g;

const isPlaceholder = (word: string): word is Placeholder =>
  (PLACEHOLDERS as readonly string[]).includes(word);

/** The parts of a template, or the first unknown placeholder in it (as written, braces included). */
export const parseTemplate = (template: string): TemplatePart[] | { readonly unknown: string } => {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const word = match[1] as string;
    if (!isPlaceholder(word)) return { unknown: match[0] };
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    parts.push({ placeholder: word });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  return parts;
};

export const describeUnknownPlaceholder = (unknown: string): string =>
  `has unknown placeholder ${JSON.stringify(unknown)} (use ${PLACEHOLDERS.map((word) => `{${word}}`).join(', ')})`;
