import { ErrorCode, FileError, type WriteDeniedError } from './errors.ts';
import { type Item, newItem } from './item.ts';
import { ACTION_OF, type ModeEntry, type ModeRequest } from './mode-contract.ts';
import { modeName, type WriteCondition, WriteOp } from './schema/write-block.ts';

/** Where a row is in its exchange with the table: the request it sends next (`ensure`: an INSERT whose duplicate is done). */
export type Step = 'put' | 'delete' | 'insert' | 'update' | 'deleteIf' | 'ensure';

/** Whether an UPDATE of the row would set and remove nothing (a row of only its key). */
export const isEmptyUpdate = (entry: ModeEntry): boolean => {
  if (entry.remove.length > 0) return false;
  for (const name in entry.item) if (!(name in entry.key)) return false;
  return true;
};

/** The request a row sends at a step; under `newer` it carries the row's version. */
export const requestFor = (entry: ModeEntry, step: Step, options: Options): ModeRequest => {
  const { version } = options;
  // The row's version is there under `newer`: a row without one is rejected before it gets here.
  const value = version === undefined ? undefined : entry.item[version];
  const newer =
    options.condition === 'newer' && version !== undefined && value !== undefined
      ? { attribute: version, value }
      : undefined;
  switch (step) {
    case 'put':
      return { kind: 'put', item: entry.item };
    case 'delete':
      return { kind: 'delete', key: entry.key };
    case 'insert':
    case 'ensure':
      return { kind: 'insert', item: entry.item };
    case 'deleteIf':
      return { kind: 'deleteIf', key: entry.key, newer: newer as NonNullable<typeof newer> };
    case 'update': {
      const set: Item = newItem();
      for (const name in entry.item) if (!(name in entry.key)) set[name] = entry.item[name] as Item[string];
      return { kind: 'update', key: entry.key, set, remove: entry.remove, ...(newer && { newer }) };
    }
  }
};

/** The item a request writes, or its key: what the pacer counts. */
export const itemOf = (request: ModeRequest): Item => ('item' in request ? request.item : request.key);

type Options = { readonly condition: WriteCondition; readonly version?: string };

/** SPEC: a mode the role does not allow fails the file, naming the action, the mode and the variable to set. */
export const deniedError = (
  error: WriteDeniedError,
  rows: readonly { readonly entry: ModeEntry; readonly step: Step }[],
  options: Options,
): FileError => {
  const needing =
    rows.find(({ entry, step }) => ACTION_OF[requestFor(entry, step, options).kind] === error.action) ??
    rows[0];
  const mode = modeName(needing?.entry.op ?? WriteOp.put, options.condition);
  return new FileError(
    ErrorCode.WRITE_DENIED,
    `the function may not perform ${error.action}, which write mode "${mode}" needs: add "${mode}" to write_modes in infra/terraform.tfvars (${error.message})`,
    { ...(needing && { row: needing.entry.row }) },
    { cause: error },
  );
};
