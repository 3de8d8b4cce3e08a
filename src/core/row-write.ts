import { ErrorCode, RowError } from './errors.ts';
import { type Item, newItem } from './item.ts';
import type { ItemPlan, WritePlan } from './item-plan.ts';
import type { ModeEntry } from './mode-contract.ts';
import { quote } from './schema/typed-value.ts';
import { readOp, WriteOp } from './schema/write-block.ts';
import { toItem } from './to-item.ts';

/**
 * Turns a record into a row for the mode writer under the plan's `write`, or throws a `RowError`:
 * an `op` that is no operation, a delete under `absent`, a row with no version under `newer`.
 * A delete reads only its key (and version); an upsert with `"emptyFields": "remove"`, and a put
 * under `newer`, name the attributes of the header's empty fields, which the UPDATE removes.
 */
export const toModeEntry = (plan: ItemPlan, write: WritePlan, fields: string[], row: number): ModeEntry => {
  const { spec } = write;
  const opText = write.opIndex === undefined ? '' : (fields[write.opIndex] ?? '').trim();
  const op = readOp(opText, spec.mode);
  if (op === undefined) {
    throw new RowError(
      ErrorCode.OP_INVALID,
      `column "${spec.op}": ${quote(opText)} is not an operation (put, upsert or delete)`,
      { column: spec.op as string },
    );
  }
  if (op === WriteOp.delete && spec.condition === 'absent') {
    throw new RowError(
      ErrorCode.OP_INVALID,
      `column "${spec.op}": a delete cannot go with condition "absent" (insert only)`,
      { column: spec.op as string },
    );
  }
  const { item, keyId } = toItem(op === WriteOp.delete ? write.deletePlan : plan, fields, row);
  if (spec.condition === 'newer' && spec.version !== undefined) checkVersion(item, spec.version);
  const key: Item = newItem();
  key[plan.partition.key.name] = item[plan.partition.key.name] as Item[string];
  if (plan.sort) key[plan.sort.key.name] = item[plan.sort.key.name] as Item[string];
  const removing =
    (op === WriteOp.upsert && spec.emptyFields === 'remove') ||
    (op === WriteOp.put && spec.condition === 'newer');
  const remove = removing
    ? plan.columns.flatMap(({ attribute }) => (attribute in item ? [] : [attribute]))
    : [];
  return { item, keyId, row, fields, op, key, remove };
};

const checkVersion = (item: Item, version: string): void => {
  const value = item[version];
  if (value === undefined) {
    throw new RowError(
      ErrorCode.VERSION_MISSING,
      `attribute "${version}": the row has no version value (condition "newer")`,
      { column: version },
    );
  }
  if (!('N' in value) && !('S' in value)) {
    throw new RowError(
      ErrorCode.VALUE_INVALID,
      `attribute "${version}": a version must be a number or a string (got ${Object.keys(value)[0]})`,
      { column: version },
    );
  }
};
