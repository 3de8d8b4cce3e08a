import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEMA_FILE = join('schema', 'csv2ddb-schema.json');

/**
 * The JSON Schema of the column schema format, as a `$schema` value: its path from `from` (where the
 * proposal is likely saved: the current folder), found by walking up from this module to the package
 * that holds it (the clone, or the installed package). Unset when it is not there.
 */
export const schemaFormatRef = (from: string = process.cwd()): string | undefined => {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, SCHEMA_FILE);
    if (existsSync(candidate)) {
      const path = relative(from, candidate).split(sep).join('/');
      return path.startsWith('.') || path.startsWith('/') ? path : `./${path}`;
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
};
