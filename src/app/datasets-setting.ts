import * as z from '../core/zod.ts';

/** How a file finds its column schema: inline JSON text, an object in the bucket, or a setting already known to be bad. */
export type SchemaSetting =
  | { readonly inline: string }
  | { readonly s3Key: string }
  | { readonly invalid: string };

/** One feed of DATASETS: keys under `UPLOAD_PREFIX + prefix` go to `table`, read with `schema`. */
export type Dataset = {
  /** The sub-prefix as DATASETS writes it (relative to UPLOAD_PREFIX, ending in "/"). */
  readonly prefix: string;
  readonly table: string;
  readonly schema?: SchemaSetting;
};

/**
 * A dataset's value. Its schema is only carried here, not checked: SPEC has an invalid dataset
 * schema fail that dataset's files (like SCHEMA), while an invalid DATASETS fails the invocation.
 */
const DatasetValue = z.strictObject({
  table: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'has no "table": name the table its files go to'
          : '"table" must be a table name',
    })
    .check(z.minLength(1, '"table" must not be empty')),
  schema: z.optional(z.unknown()),
  schemaKey: z.optional(z.string({ error: '"schemaKey" must be an object key' })),
});

const problemOf = (error: z.core.$ZodError): string => {
  const issue = error.issues[0] as z.core.$ZodIssue;
  if (issue.code === 'unrecognized_keys') {
    return `has an unknown member ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (it takes "table" and "schema" or "schemaKey")`;
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return 'must be an object such as { "table": "Orders" }';
  }
  return issue.message;
};

const schemaOf = (value: z.infer<typeof DatasetValue>, prefix: string): SchemaSetting | undefined => {
  // JSON text, so an inline dataset schema takes the same path as SCHEMA (and fails its files the same way).
  if (value.schema !== undefined) return { inline: JSON.stringify(value.schema) };
  if (value.schemaKey === '') {
    return { invalid: `invalid schema: DATASETS ${JSON.stringify(prefix)} has an empty "schemaKey"` };
  }
  return value.schemaKey === undefined ? undefined : { s3Key: value.schemaKey };
};

/**
 * Parses DATASETS (SPEC "Datasets"). Returns the datasets longest sub-prefix first, so the first
 * whose `UPLOAD_PREFIX + prefix` starts a key is the one that key belongs to; or the problems,
 * each naming its dataset. `outputs` are the report and rejected prefixes that are set.
 */
export const parseDatasets = (
  text: string,
  upload: string,
  outputs: readonly (readonly [name: string, prefix: string])[],
): { readonly datasets: readonly Dataset[] } | { readonly problems: readonly string[] } => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problems: [`is not JSON (${(error as Error).message})`] };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return {
      problems: [
        'must be a JSON object of sub-prefix to { "table": … }, such as {"orders/":{"table":"Orders"}}',
      ],
    };
  }
  const entries = Object.entries(json);
  if (entries.length === 0) return { problems: ['names no dataset (unset it for none)'] };
  const problems: string[] = [];
  const datasets: Dataset[] = [];
  for (const [prefix, raw] of entries) {
    const named = (problem: string) => problems.push(`dataset ${JSON.stringify(prefix)} ${problem}`);
    if (!prefix.endsWith('/')) named('must be a sub-prefix ending in "/"');
    else if (upload !== '' && prefix.startsWith(upload)) {
      named(
        `repeats UPLOAD_PREFIX ${JSON.stringify(upload)}: write the sub-prefix after it (${JSON.stringify(prefix.slice(upload.length) || '…/')})`,
      );
    }
    for (const [name, output] of outputs) {
      // Such a feed could never load a file: keys under an output prefix are never processed.
      if (`${upload}${prefix}`.startsWith(output)) named(`lies under ${name} ${JSON.stringify(output)}`);
    }
    const result = DatasetValue.safeParse(raw);
    if (!result.success) {
      named(problemOf(result.error));
      continue;
    }
    if (result.data.schema !== undefined && result.data.schemaKey !== undefined) {
      named('sets both "schema" and "schemaKey": set one');
      continue;
    }
    const schema = schemaOf(result.data, prefix);
    datasets.push({ prefix, table: result.data.table, ...(schema && { schema }) });
  }
  if (problems.length > 0) return { problems };
  return { datasets: datasets.sort((a, b) => b.prefix.length - a.prefix.length) };
};
