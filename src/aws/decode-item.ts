import { type AttributeValue, type Item, newItem } from '../core/item.ts';

/** Base64 to bytes as the SDK's decoder gives them: a plain Uint8Array over the decoded buffer. */
const bytes = (base64: string): Uint8Array => {
  const buffer = Buffer.from(base64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
};

/**
 * An attribute value from DynamoDB's JSON as the SDK's deserializer gives it: binary (B, BS) as
 * bytes, maps and lists decoded inside, everything else as it is (numbers stay strings).
 */
const decodeValue = (value: Record<string, unknown>): AttributeValue => {
  if (typeof value.B === 'string') return { B: bytes(value.B) };
  if (Array.isArray(value.BS)) return { BS: (value.BS as string[]).map(bytes) } as unknown as AttributeValue;
  if (value.M !== undefined && value.M !== null) return { M: decodeItem(value.M as Record<string, unknown>) };
  if (Array.isArray(value.L)) return { L: (value.L as Record<string, unknown>[]).map(decodeValue) };
  return value as AttributeValue;
};

export const decodeItem = (item: Record<string, unknown>): Item => {
  // No prototype, as in toItem: an attribute named `__proto__` stays an attribute (issue 11).
  const decoded: Item = newItem();
  for (const name in item) decoded[name] = decodeValue(item[name] as Record<string, unknown>);
  return decoded;
};
