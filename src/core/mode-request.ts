import type { Item } from './item.ts';
import type { ModeEntry, ModeRequest } from './mode-contract.ts';
import type { WriteCondition } from './schema/write-block.ts';

/** Where a row is in its exchange with the table: the request it sends next (`ensure`: an INSERT whose duplicate is done). */
export type Step = 'put' | 'delete' | 'insert' | 'update' | 'deleteIf' | 'ensure';

/** Whether an UPDATE of the row would set and remove nothing (a row of only its key). */
export const isEmptyUpdate = (entry: ModeEntry): boolean => {
  if (entry.remove.length > 0) return false;
  for (const name in entry.item) if (!(name in entry.key)) return false;
  return true;
};

/** The request a row sends at a step; under `newer` it carries the row's version. */
export const requestFor = (
  entry: ModeEntry,
  step: Step,
  options: { readonly condition: WriteCondition; readonly version?: string },
): ModeRequest => {
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
      const set: Item = Object.create(null);
      for (const name in entry.item) if (!(name in entry.key)) set[name] = entry.item[name] as Item[string];
      return { kind: 'update', key: entry.key, set, remove: entry.remove, ...(newer && { newer }) };
    }
  }
};
