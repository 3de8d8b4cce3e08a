import { ErrorCode, RowError } from './errors.ts';
import {
  findEmptyName,
  ITEM_SIZE_LIMIT,
  type Item,
  itemSize,
  NESTING_PROBLEM,
  nestingDepth,
  newItem,
  PARTITION_KEY_SIZE_LIMIT,
  SORT_KEY_SIZE_LIMIT,
  VALUE_NESTING_LIMIT,
  valueSize,
} from './item.ts';
import type { ItemPlan, KeyColumnPlan } from './item-plan.ts';
import { joinKeyId, type KeyValue, toKeyValue } from './key-schema.ts';

export type ItemWithKey = { readonly item: Item; readonly keyId: string };

const readKey = (plan: KeyColumnPlan, fields: readonly string[], limit: number): KeyValue => {
  const text = fields[plan.index] || plan.defaultText || '';
  if (text === '') {
    throw new RowError(ErrorCode.KEY_MISSING, `column "${plan.column}": key is empty`, {
      column: plan.column,
    });
  }
  const key = toKeyValue(text, plan.key, plan.column);
  const size = valueSize(key.value);
  if (size > limit) {
    throw new RowError(
      ErrorCode.KEY_TOO_LARGE,
      `column "${plan.column}": key is ${size} bytes, over DynamoDB's ${limit}-byte limit`,
      { column: plan.column },
    );
  }
  return key;
};

/**
 * Turns one record into an item and the identity of its key, or throws a `RowError`
 * for a record DynamoDB would refuse, so that it never reaches a batch.
 */
export const toItem = (plan: ItemPlan, fields: readonly string[], row: number): ItemWithKey => {
  if (fields.length !== plan.header.length) {
    throw new RowError(
      ErrorCode.ROW_FIELD_COUNT,
      `record has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${plan.header.length}`,
    );
  }
  const partition = readKey(plan.partition, fields, PARTITION_KEY_SIZE_LIMIT);
  // Only a binary key makes a binary value (`plan.textOnly`): the request body then skips looking for one.
  const item: Item = newItem(plan.textOnly);
  item[plan.partition.key.name] = partition.value;
  let keyId = partition.id;
  if (plan.sort) {
    const sort = readKey(plan.sort, fields, SORT_KEY_SIZE_LIMIT);
    item[plan.sort.key.name] = sort.value;
    keyId = joinKeyId(partition.id, sort.id);
  }
  for (const column of plan.columns) {
    const text = fields[column.index] || column.defaultText || '';
    if (text === '') {
      if (column.required) {
        throw new RowError(ErrorCode.VALUE_REQUIRED, `column "${column.column}": a value is required`, {
          column: column.column,
        });
      }
      continue;
    }
    const value = column.convert(text);
    if (value !== undefined) item[column.attribute] = value;
  }
  for (const addition of plan.additions) item[addition.attribute] = addition.value(row);
  if (plan.mayNest) checkNesting(item);
  const size = itemSize(item);
  if (size > ITEM_SIZE_LIMIT) {
    throw new RowError(ErrorCode.ITEM_TOO_LARGE, `item is ${size} bytes, over DynamoDB's 400 KB limit`);
  }
  return { item, keyId };
};

const checkNesting = (item: Item): void => {
  for (const [name, value] of Object.entries(item)) {
    if (nestingDepth(value) > VALUE_NESTING_LIMIT) {
      throw new RowError(ErrorCode.ITEM_REFUSED, `attribute "${name}": ${NESTING_PROBLEM}`, { column: name });
    }
    const empty = findEmptyName(value, name);
    if (empty !== undefined) {
      throw new RowError(ErrorCode.ITEM_REFUSED, `attribute "${empty}": holds an empty attribute name`, {
        column: name,
      });
    }
  }
};
