import { ItemRefusedError } from './errors.ts';
import {
  type AttributeValue,
  findEmptyName,
  ITEM_SIZE_LIMIT,
  type Item,
  itemSize,
  NESTING_PROBLEM,
  nestingDepth,
  PARTITION_KEY_SIZE_LIMIT,
  SORT_KEY_SIZE_LIMIT,
  VALUE_NESTING_LIMIT,
  valueSize,
} from './item.ts';
import type { KeyAttribute, KeySchema } from './key-schema.ts';
import { parseDynamoNumber } from './number.ts';
import type { SendBatch } from './write-contract.ts';
import { writeUnits } from './write-units.ts';

/**
 * `--dry-run`: a `SendBatch` that writes nothing. Each item is held to the rules DynamoDB applies to a
 * put (the key attributes and their types, numbers, sets, sizes, nesting, empty names) and refused as
 * DynamoDB would refuse it, so that the writer rejects that row alone, as in a real run. What a real
 * run would consume is counted from the items' sizes (`consumedCapacity`, in write units).
 * Rules DynamoDB checks against the table's contents (conditions) cannot be checked without it.
 */
export const createDryRunSend =
  (keySchema: KeySchema): SendBatch =>
  async (items) => {
    let units = 0;
    for (const item of items) {
      const problem = itemProblem(item, keySchema);
      if (problem !== undefined)
        throw new ItemRefusedError(`One or more parameter values were invalid: ${problem}`);
      units += writeUnits(item);
    }
    return { unprocessed: [], consumedCapacity: units };
  };

const keyProblem = (item: Item, key: KeyAttribute, limit: number, role: string): string | undefined => {
  const value = item[key.name];
  if (value === undefined) return `Missing the key ${key.name} in the item`;
  if (!(key.type in value)) return `Type mismatch for key ${key.name} expected: ${key.type}`;
  if (valueSize(value) === 0) return `The ${role} key attribute ${key.name} is empty`;
  if (valueSize(value) > limit) return `Size of ${role} key ${key.name} is over ${limit} bytes`;
  return undefined;
};

const numberProblem = (text: string): string | undefined =>
  typeof parseDynamoNumber(text) === 'string'
    ? `${JSON.stringify(text)} is not a number DynamoDB stores`
    : undefined;

/** What DynamoDB would say about one value, or undefined. */
const valueProblem = (value: AttributeValue, path: string): string | undefined => {
  if ('N' in value) {
    const problem = numberProblem(value.N);
    return problem && `${problem} (${path})`;
  }
  if ('SS' in value || 'NS' in value) {
    const members = 'SS' in value ? value.SS : value.NS;
    if (members.length === 0) return `A string set or number set may not be empty (${path})`;
    const seen = new Set<string>();
    for (const member of members) {
      const problem = 'NS' in value ? numberProblem(member) : undefined;
      if (problem) return `${problem} (${path})`;
      const id = 'NS' in value ? (parseDynamoNumber(member) as { canonical: string }).canonical : member;
      if (seen.has(id)) return `Input collection contains duplicates (${path})`;
      seen.add(id);
    }
  }
  const members =
    'M' in value
      ? Object.entries(value.M)
      : 'L' in value
        ? value.L.map((v, i) => [`[${i}]`, v] as const)
        : [];
  for (const [name, member] of members) {
    const problem = valueProblem(member, 'M' in value ? `${path}.${name}` : `${path}${name}`);
    if (problem) return problem;
  }
  return undefined;
};

const itemProblem = (item: Item, keySchema: KeySchema): string | undefined => {
  const key =
    keyProblem(item, keySchema.partition, PARTITION_KEY_SIZE_LIMIT, 'partition') ??
    (keySchema.sort && keyProblem(item, keySchema.sort, SORT_KEY_SIZE_LIMIT, 'sort'));
  if (key) return key;
  for (const [name, value] of Object.entries(item)) {
    if (name === '') return 'An attribute name is empty';
    if (nestingDepth(value) > VALUE_NESTING_LIMIT)
      return `attribute ${JSON.stringify(name)} ${NESTING_PROBLEM}`;
    const empty = findEmptyName(value, name);
    if (empty !== undefined) return `attribute ${JSON.stringify(empty)} holds an empty attribute name`;
    const problem = valueProblem(value, name);
    if (problem) return problem;
  }
  const size = itemSize(item);
  return size > ITEM_SIZE_LIMIT
    ? `Item size has exceeded the maximum allowed size (${size} bytes)`
    : undefined;
};
