/**
 * The write modes as infra/ names them (`write_modes`, "<mode>[:<condition>]"), and which of
 * them send PartiQL (docs/write-modes.md): the local stack says which will fail on dynalite.
 * infra/write_modes.tf derives the same list for the execution role.
 */
export const WRITE_MODE_PATTERN = /^(put|upsert|delete)(:(absent|newer))?$/;

/** put and delete without a condition go through BatchWriteItem; every other mode is PartiQL. */
export const needsPartiql = (mode: string): boolean => mode !== 'put' && mode !== 'delete';

const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);

/** The modes a column schema's `write` block asks for (an `op` column: put, upsert and delete). */
export const schemaWriteModes = (schema: unknown): string[] => {
  const write = (schema as { write?: unknown } | null)?.write;
  if (write === null || typeof write !== 'object') return [];
  const { mode, condition, op } = write as Record<string, unknown>;
  const when = text(condition, 'none');
  const modes = op == null ? [text(mode, 'put')] : ['put', 'upsert', 'delete'];
  return modes
    .filter((m) => !(m === 'delete' && when === 'absent'))
    .map((m) => (when === 'none' ? m : `${m}:${when}`));
};
