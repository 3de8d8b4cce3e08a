import { ErrorCode, RowError } from './errors.ts';
import type { AttributeValue, Item } from './item.ts';
import { describeNumberProblem, parseDynamoNumber } from './number.ts';

export type KeyType = 'S' | 'N' | 'B';
export type KeyAttribute = { readonly name: string; readonly type: KeyType };
/** The table's primary key, as `DescribeTable` reports it. */
export type KeySchema = { readonly partition: KeyAttribute; readonly sort?: KeyAttribute };

export type KeyValue = {
  readonly value: AttributeValue;
  /** Equal for keys DynamoDB treats as equal (`7` and `007` as `N`). */
  readonly id: string;
};

/**
 * The one encoding of a key attribute's identity: its type and its value as DynamoDB compares it
 * (an N key by its canonical number, a B key by its bytes). `toKeyValue` and `keyIdOf` both use it.
 */
const attributeIdOf = (type: KeyType, canonical: string): string => `${type}${canonical}`;

/**
 * A key's identity from its attributes' ones. The partition part is length-prefixed, so that no two
 * keys share one (joined by a separator, ("x", "\0Sy") and ("x\0S", "y") would).
 */
export const joinKeyId = (partition: string, sort?: string): string =>
  sort === undefined ? partition : `${partition.length}:${partition}${sort}`;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Converts a non-empty key field to the table's key type, or throws a `RowError` naming the column. */
export const toKeyValue = (text: string, attribute: KeyAttribute, column: string): KeyValue => {
  switch (attribute.type) {
    case 'S':
      return { value: { S: text }, id: attributeIdOf('S', text) };
    case 'N': {
      const parsed = parseDynamoNumber(text);
      if (typeof parsed === 'string') {
        throw new RowError(
          ErrorCode.KEY_INVALID,
          `column "${column}": key ${JSON.stringify(text)} ${describeNumberProblem(parsed)}`,
          { column },
        );
      }
      return { value: { N: parsed.text }, id: attributeIdOf('N', parsed.canonical) };
    }
    case 'B': {
      if (!BASE64.test(text)) {
        throw new RowError(ErrorCode.KEY_INVALID, `column "${column}": key is not base64`, { column });
      }
      const bytes = Buffer.from(text, 'base64');
      if (bytes.byteLength === 0) {
        throw new RowError(ErrorCode.KEY_INVALID, `column "${column}": key is empty binary`, { column });
      }
      return { value: { B: new Uint8Array(bytes) }, id: attributeIdOf('B', bytes.toString('base64')) };
    }
  }
};

/** The identity of an item's key, equal to `joinKeyId` of the `id`s that `toKeyValue` gave its fields. */
export const keyIdOf = (item: Item, keySchema: KeySchema): string =>
  joinKeyId(
    attributeId(item[keySchema.partition.name]),
    keySchema.sort && attributeId(item[keySchema.sort.name]),
  );

const attributeId = (value: AttributeValue | undefined): string => {
  if (value && 'S' in value) return attributeIdOf('S', value.S);
  if (value && 'N' in value) {
    const parsed = parseDynamoNumber(value.N);
    return attributeIdOf('N', typeof parsed === 'string' ? value.N : parsed.canonical);
  }
  if (value && 'B' in value) return attributeIdOf('B', Buffer.from(value.B).toString('base64'));
  throw new TypeError('item has no key attribute of type S, N or B');
};
