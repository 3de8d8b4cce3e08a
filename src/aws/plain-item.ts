import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NumberValueImpl, unmarshall } from '@aws-sdk/util-dynamodb';
import { isNumber, LosslessNumber, stringify } from 'lossless-json';

/** JSON has no sets or bytes: sets become arrays, bytes base64; numbers keep every digit. */
const plain = (_key: string, value: unknown): unknown => {
  if (value instanceof NumberValueImpl)
    return isNumber(value.value) ? new LosslessNumber(value.value) : value.value;
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
};

/** An item as plain JSON, with DynamoDB numbers written digit for digit (`12345678901234567890`, not `1.2e19`). */
export const itemToJson = (item: Record<string, AttributeValue>, space?: number): string =>
  stringify(unmarshall(item, { wrapNumbers: true }), plain, space) ?? '{}';

/** One attribute as short text for a table cell. */
export const attributeToText = (value: AttributeValue | undefined): string => {
  if (value === undefined) return '';
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return value.N;
  if (value.BOOL !== undefined) return String(value.BOOL);
  return itemToJson({ v: value }).slice('{"v":'.length, -1);
};
