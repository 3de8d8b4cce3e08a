/**
 * The write modes as infra/ names them (`write_modes`, "<mode>[:<condition>]"), and which of
 * them send PartiQL (docs/write-modes.md): the local stack says which will fail on dynalite.
 * infra/write_modes.tf derives the same list for the execution role.
 */
export const WRITE_MODE_PATTERN = /^(put|upsert|delete)(:(absent|newer))?$/;

/**
 * The IAM actions each mode needs on the tables, as infra/modules/execution_role/main.tf grants them
 * (`write_mode_actions`; a test keeps the two equal): put and delete go through BatchWriteItem,
 * the others are PartiQL statements in BatchExecuteStatement.
 */
export const WRITE_MODE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  put: ['dynamodb:BatchWriteItem'],
  delete: ['dynamodb:BatchWriteItem'],
  'put:absent': ['dynamodb:PartiQLInsert'],
  'upsert:absent': ['dynamodb:PartiQLInsert'],
  upsert: ['dynamodb:PartiQLUpdate', 'dynamodb:PartiQLInsert'],
  'put:newer': ['dynamodb:PartiQLUpdate', 'dynamodb:PartiQLInsert'],
  'upsert:newer': ['dynamodb:PartiQLUpdate', 'dynamodb:PartiQLInsert'],
  'delete:newer': ['dynamodb:PartiQLDelete'],
};

/** Whether a mode sends PartiQL, which dynalite lacks: every mode but put and delete. */
export const needsPartiql = (mode: string): boolean =>
  (WRITE_MODE_ACTIONS[mode] ?? []).some((action) => action.startsWith('dynamodb:PartiQL'));

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
