/**
 * DynamoDB items in the wire shape the SDK takes, without importing the SDK,
 * and the limits DynamoDB enforces on them.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] };

export type Item = Record<string, AttributeValue>;

/** Set on the prototype of the items `newItem(true)` makes: they hold no binary value (`mayHoldBinary`). */
const TEXT_ONLY = Symbol('csv2ddb.textOnly');

/** A constructor of objects whose prototype is `proto`. */
const objectsOf = (proto: object): (() => Item) => {
  function ItemObject() {}
  ItemObject.prototype = proto;
  return () => new (ItemObject as unknown as new () => Item)();
};
const anyItem = objectsOf(Object.create(null));
const textItem = objectsOf(Object.create(null, { [TEXT_ONLY]: { value: true } }));

/**
 * An empty item. Without Object.prototype in its chain, a column named `__proto__` or `constructor`
 * is an attribute like any other (`item['__proto__'] = value` would set a plain object's prototype,
 * issue 11), and nothing is inherited. Made by a constructor rather than `Object.create(null)`,
 * which V8 keeps as a slower dictionary: `JSON.stringify` of a batch body took about a quarter
 * longer (docs/scale.md). `textOnly`: the caller knows no value will be binary.
 */
export const newItem = (textOnly = false): Item => (textOnly ? textItem() : anyItem());

/** Whether an item may hold a binary value: false for `newItem(true)`'s items, without looking. */
export const mayHoldBinary = (item: Item): boolean => (item as { [TEXT_ONLY]?: boolean })[TEXT_ONLY] !== true;

export const ITEM_SIZE_LIMIT = 400 * 1024;
export const PARTITION_KEY_SIZE_LIMIT = 2048;
export const SORT_KEY_SIZE_LIMIT = 1024;
/** DynamoDB's nesting limit in levels, the item itself being the first (DynamoDB Local shows it). */
export const NESTING_LIMIT = 32;
/** So an attribute's value may hold at most 31 maps and lists one inside another. */
export const VALUE_NESTING_LIMIT = NESTING_LIMIT - 1;
/** How a refusal for nesting reads, after "JSON" or an attribute's name. */
export const NESTING_PROBLEM = `nests more than ${VALUE_NESTING_LIMIT} maps and lists (DynamoDB allows ${NESTING_LIMIT} levels, the item being the first)`;

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** One byte per two significant digits (leading and trailing zeros trimmed), one more, one for a minus sign. */
const numberSize = (text: string): number => {
  let significant = 0;
  let zeros = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 101 || code === 69) break; // e, E: the exponent adds nothing
    if (code === 48) {
      if (significant > 0) zeros++;
    } else if (code > 48 && code <= 57) {
      significant += zeros + 1;
      zeros = 0;
    }
  }
  return Math.ceil(Math.max(significant, 1) / 2) + 1 + (text.charCodeAt(0) === 45 ? 1 : 0);
};

/** The size DynamoDB charges for a value, by its published rules (numbers rounded up). */
export const valueSize = (value: AttributeValue): number => {
  if ('S' in value) return utf8Length(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return value.B.byteLength;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, member) => sum + utf8Length(member), 0);
  if ('NS' in value) return value.NS.reduce((sum, member) => sum + numberSize(member), 0);
  if ('L' in value) return value.L.reduce((sum, member) => sum + 1 + valueSize(member), 3);
  return Object.entries(value.M).reduce(
    (sum, [name, member]) => sum + 1 + utf8Length(name) + valueSize(member),
    3,
  );
};

export const itemSize = (item: Item): number => {
  let size = 0;
  for (const name in item) size += utf8Length(name) + valueSize(item[name] as AttributeValue);
  return size;
};

/** How deeply maps and lists nest: a scalar is 0, `{ M: { a: { S } } }` and `{ M: {} }` are 1. */
export const nestingDepth = (value: AttributeValue): number => {
  const members = 'M' in value ? Object.values(value.M) : 'L' in value ? value.L : undefined;
  if (members === undefined) return 0;
  // A loop, not Math.max(...members): a list of some 100 000 members would overflow the call stack.
  let deepest = 0;
  for (const member of members) deepest = Math.max(deepest, nestingDepth(member));
  return 1 + deepest;
};

/** The first empty attribute name inside nested maps, as a path, or undefined. */
export const findEmptyName = (value: AttributeValue, path: string): string | undefined => {
  if ('M' in value) {
    for (const [name, member] of Object.entries(value.M)) {
      if (name === '') return path;
      const found = findEmptyName(member, `${path}.${name}`);
      if (found !== undefined) return found;
    }
  }
  if ('L' in value) {
    for (const [index, member] of value.L.entries()) {
      const found = findEmptyName(member, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
};
