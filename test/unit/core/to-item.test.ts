import { describe, expect, it } from 'vitest';
import { ErrorCode, RowError } from '../../../src/core/errors.ts';
import type { AttributeValue } from '../../../src/core/item.ts';
import { compileDefaultPlan, type ItemPlan, type TypeMode } from '../../../src/core/item-plan.ts';
import { type KeySchema, keyIdOf } from '../../../src/core/key-schema.ts';
import { toItem } from '../../../src/core/to-item.ts';

const NUMBER_KEY: KeySchema = { partition: { name: 'ID', type: 'N' } };
const STRING_KEY: KeySchema = { partition: { name: 'ID', type: 'S' } };
const BINARY_KEY: KeySchema = { partition: { name: 'ID', type: 'B' } };
const COMPOSITE_KEY: KeySchema = { partition: { name: 'PK', type: 'S' }, sort: { name: 'SK', type: 'N' } };

/** The item for one `ID,Value` record, or the `RowError` that rejects it. */
const convert = (
  keySchema: KeySchema,
  fields: string[],
  typeMode: TypeMode = 'infer',
  header = ['ID', 'Value'],
) => toItem(compileDefaultPlan(header, keySchema, typeMode), fields, 1);

const rejection = (run: () => unknown): { code: string; message: string; column?: string } => {
  try {
    run();
  } catch (error) {
    if (error instanceof RowError) return { code: error.code, message: error.message, ...error.context };
    throw error;
  }
  throw new Error('the record was not rejected');
};

describe('toItem() with TYPE_MODE=infer', () => {
  it.each([
    ['42', { N: '42' }],
    ['-3.25', { N: '-3.25' }],
    ['-0', { N: '-0' }],
    ['0.000', { N: '0.000' }],
    ['12345678901234567890', { N: '12345678901234567890' }],
    ['007', { S: '007' }],
    ['1e5', { S: '1e5' }],
    ['+5', { S: '+5' }],
    ['.5', { S: '.5' }],
    ['1,000', { S: '1,000' }],
    [' 42', { S: ' 42' }],
    ['NaN', { S: 'NaN' }],
    ['1'.repeat(39), { S: '1'.repeat(39) }],
    ['true', { BOOL: true }],
    ['TRUE', { BOOL: true }],
    ['True', { BOOL: true }],
    ['false', { BOOL: false }],
    ['fAlSe', { BOOL: false }],
    ['yes', { S: 'yes' }],
    ['1', { N: '1' }],
    [' true', { S: ' true' }],
    ['  padded  ', { S: '  padded  ' }],
    ['line\nbreak', { S: 'line\nbreak' }],
    ['Müller 😀', { S: 'Müller 😀' }],
  ])('turns %j into %j', (text, value) => {
    expect(convert(NUMBER_KEY, ['1', text]).item).toEqual({ ID: { N: '1' }, Value: value });
  });

  it('leaves an empty field out of the item', () => {
    expect(convert(NUMBER_KEY, ['1', '']).item).toEqual({ ID: { N: '1' } });
  });

  it('keeps a field of spaces as a string: values are not trimmed', () => {
    expect(convert(NUMBER_KEY, ['1', '   ']).item).toEqual({ ID: { N: '1' }, Value: { S: '   ' } });
  });
});

describe('toItem() with TYPE_MODE=string', () => {
  it.each(['42', 'true', '12345678901234567890', '007', ' x '])('keeps %j a string', (text) => {
    expect(convert(NUMBER_KEY, ['1', text], 'string').item).toEqual({ ID: { N: '1' }, Value: { S: text } });
  });

  it('still types the key by the table and leaves empty fields out', () => {
    expect(convert(NUMBER_KEY, ['7', ''], 'string').item).toEqual({ ID: { N: '7' } });
  });
});

describe('toItem() key attributes', () => {
  it.each([
    ['an S key as it is, spaces included', STRING_KEY, ' a b ', { S: ' a b ' }],
    ['an S key that looks like a number', STRING_KEY, '007', { S: '007' }],
    ['an N key with leading zeros', NUMBER_KEY, '007', { N: '007' }],
    ['an N key in exponent notation', NUMBER_KEY, '1e3', { N: '1e3' }],
    ['a negative decimal N key', NUMBER_KEY, '-1.5', { N: '-1.5' }],
    // DynamoDB accepts the sign and stores 7; dynalite refuses it, so it is not sent.
    ['an N key with a plus sign, without the sign', NUMBER_KEY, '+7', { N: '7' }],
    ['a B key from base64', BINARY_KEY, 'AQID', { B: new Uint8Array([1, 2, 3]) }],
  ])('converts %s', (_what, keySchema, text, value) => {
    expect(convert(keySchema, [text, 'x']).item).toEqual({ ID: value, Value: { S: 'x' } });
  });

  it('gives 7, 007, 7.0 and +7 the same key identity, as DynamoDB compares N keys', () => {
    const ids = ['7', '007', '7.0', '+7'].map((text) => convert(NUMBER_KEY, [text, 'x']).keyId);
    expect(new Set(ids).size).toBe(1);
    expect(convert(NUMBER_KEY, ['8', 'x']).keyId).not.toBe(ids[0]);
  });

  it('gives the same identity as keyIdOf() on the item it built', () => {
    const { item, keyId } = toItem(compileDefaultPlan(['PK', 'SK'], COMPOSITE_KEY, 'infer'), ['a', '010'], 1);
    expect(keyIdOf(item, COMPOSITE_KEY)).toBe(keyId);
    // The two encode ids apart: each key type must agree, or an unprocessed item would count as written.
    for (const [keySchema, text] of [
      [STRING_KEY, 'a b'],
      [NUMBER_KEY, '007.50'],
      [BINARY_KEY, 'AAH6/w=='],
    ] as const) {
      const built = convert(keySchema, [text, 'x']);
      expect(keyIdOf(built.item, keySchema)).toBe(built.keyId);
    }
  });

  it('keeps S keys that differ only in case or spaces apart', () => {
    const ids = ['a', 'A', 'a '].map((text) => convert(STRING_KEY, [text, 'x']).keyId);
    expect(new Set(ids).size).toBe(3);
  });

  it('builds a composite key from the partition and sort columns, wherever they are', () => {
    const plan = compileDefaultPlan(['Note', 'SK', 'PK'], COMPOSITE_KEY, 'infer');
    expect(toItem(plan, ['hi', '2', 'a'], 1).item).toEqual({
      PK: { S: 'a' },
      SK: { N: '2' },
      Note: { S: 'hi' },
    });
  });

  it.each([
    ['an empty N key', NUMBER_KEY, '', ErrorCode.KEY_MISSING, 'column "ID": key is empty'],
    ['an empty S key', STRING_KEY, '', ErrorCode.KEY_MISSING, 'column "ID": key is empty'],
    [
      'an N key that is not a number',
      NUMBER_KEY,
      'abc',
      ErrorCode.KEY_INVALID,
      'column "ID": key "abc" is not a number',
    ],
    [
      'an N key with a space',
      NUMBER_KEY,
      ' 7',
      ErrorCode.KEY_INVALID,
      'column "ID": key " 7" is not a number',
    ],
    [
      'an N key with two signs',
      NUMBER_KEY,
      '+-7',
      ErrorCode.KEY_INVALID,
      'column "ID": key "+-7" is not a number',
    ],
    [
      'an N key DynamoDB cannot store',
      NUMBER_KEY,
      '1E126',
      ErrorCode.KEY_INVALID,
      'column "ID": key "1E126" is too large for DynamoDB (1E126 or more)',
    ],
    [
      'an N key with 39 digits',
      NUMBER_KEY,
      '1'.repeat(39),
      ErrorCode.KEY_INVALID,
      `column "ID": key "${'1'.repeat(39)}" has more than 38 significant digits`,
    ],
    [
      'a B key that is not base64',
      BINARY_KEY,
      'not base64!',
      ErrorCode.KEY_INVALID,
      'column "ID": key is not base64',
    ],
    [
      'a B key without its padding',
      BINARY_KEY,
      'AQI',
      ErrorCode.KEY_INVALID,
      'column "ID": key is not base64',
    ],
  ])('rejects %s', (_what, keySchema, text, code, message) => {
    expect(rejection(() => convert(keySchema, [text, 'x']))).toEqual({ code, message, column: 'ID' });
  });

  it('rejects an empty sort key, naming its column', () => {
    const plan = compileDefaultPlan(['PK', 'SK'], COMPOSITE_KEY, 'infer');
    expect(rejection(() => toItem(plan, ['a', ''], 1))).toMatchObject({
      code: ErrorCode.KEY_MISSING,
      column: 'SK',
    });
  });
});

describe('toItem() limits', () => {
  it.each([
    ['fewer', ['1'], 'record has 1 field, the header has 2'],
    ['more', ['1', 'a', 'b'], 'record has 3 fields, the header has 2'],
  ])('rejects a record with %s fields than the header', (_what, fields, message) => {
    expect(rejection(() => convert(NUMBER_KEY, fields))).toEqual({
      code: ErrorCode.ROW_FIELD_COUNT,
      message,
    });
  });

  // ID (2) + N "1" (2) + Value (5): the string may take the rest of 400 KB.
  const room = 400 * 1024 - 9;

  it('writes an item of exactly 400 KB', () => {
    expect(convert(NUMBER_KEY, ['1', 'x'.repeat(room)]).item.Value).toEqual({ S: 'x'.repeat(room) });
  });

  it('rejects an item one byte over 400 KB', () => {
    expect(rejection(() => convert(NUMBER_KEY, ['1', 'x'.repeat(room + 1)]))).toEqual({
      code: ErrorCode.ITEM_TOO_LARGE,
      message: `item is ${400 * 1024 + 1} bytes, over DynamoDB's 400 KB limit`,
    });
  });

  it('counts multi-byte characters in bytes', () => {
    const half = Math.floor(room / 2) + 1;
    expect(rejection(() => convert(NUMBER_KEY, ['1', 'ü'.repeat(half)]))).toMatchObject({
      code: ErrorCode.ITEM_TOO_LARGE,
    });
  });

  it.each([
    ['a 2048-byte partition key', STRING_KEY, 'k'.repeat(2048)],
    ['a partition key of 1024 two-byte characters', STRING_KEY, 'ü'.repeat(1024)],
    ['a 2048-byte binary partition key', BINARY_KEY, Buffer.alloc(2048, 7).toString('base64')],
  ])('accepts %s', (_what, keySchema, text) => {
    expect(() => convert(keySchema, [text, 'x'])).not.toThrow();
  });

  it.each([
    ['a 2049-byte partition key', STRING_KEY, 'k'.repeat(2049), 2049],
    ['a partition key of 1025 two-byte characters', STRING_KEY, 'ü'.repeat(1025), 2050],
    ['a 2049-byte binary partition key', BINARY_KEY, Buffer.alloc(2049, 7).toString('base64'), 2049],
  ])('rejects %s', (_what, keySchema, text, size) => {
    expect(rejection(() => convert(keySchema, [text, 'x']))).toEqual({
      code: ErrorCode.KEY_TOO_LARGE,
      message: `column "ID": key is ${size} bytes, over DynamoDB's 2048-byte limit`,
      column: 'ID',
    });
  });

  const sortKeyPlan = compileDefaultPlan(
    ['PK', 'SK'],
    { ...COMPOSITE_KEY, sort: { name: 'SK', type: 'S' } },
    'infer',
  );

  it('accepts a 1024-byte sort key', () => {
    expect(() => toItem(sortKeyPlan, ['a', 's'.repeat(1024)], 1)).not.toThrow();
  });

  it('rejects a 1025-byte sort key', () => {
    expect(rejection(() => toItem(sortKeyPlan, ['a', 's'.repeat(1025)], 1))).toEqual({
      code: ErrorCode.KEY_TOO_LARGE,
      message: `column "SK": key is 1025 bytes, over DynamoDB's 1024-byte limit`,
      column: 'SK',
    });
  });
});

describe('toItem() nesting and attribute names, as DynamoDB Local refuses them', () => {
  const wrap = (depth: number, inner: AttributeValue, kind: 'M' | 'L'): AttributeValue =>
    depth === 0
      ? inner
      : kind === 'M'
        ? { M: { a: wrap(depth - 1, inner, kind) } }
        : { L: [wrap(depth - 1, inner, kind)] };
  /** A plan whose Value column yields `value` as it is, as a JSON column would. */
  const nestingPlan = (value: AttributeValue): ItemPlan => {
    const plan = compileDefaultPlan(['ID', 'Value'], NUMBER_KEY, 'infer');
    return {
      ...plan,
      mayNest: true,
      columns: plan.columns.map((column) => ({ ...column, convert: () => value })),
    };
  };
  const item = (value: AttributeValue) => toItem(nestingPlan(value), ['1', 'x'], 1);

  // Each value went to DynamoDB Local 3.3.0 in a PutItem beside a key: these it stored.
  it.each([
    ['31 maps around a string', wrap(31, { S: 'x' }, 'M')],
    ['31 lists around a number', wrap(31, { N: '1' }, 'L')],
    ['30 maps around an empty map', wrap(30, { M: {} }, 'M')],
    ['31 maps around a string set', wrap(31, { SS: ['a'] }, 'M')],
  ])('writes %s', (_what, value) => {
    expect(item(value).item.Value).toEqual(value);
  });

  // …and these it refused ("Nesting Levels have exceeded supported limits", "Empty attribute name").
  it.each([
    ['32 maps around a string', wrap(32, { S: 'x' }, 'M')],
    ['32 lists around a string', wrap(32, { S: 'x' }, 'L')],
    ['31 maps around an empty map', wrap(31, { M: {} }, 'M')],
    ['31 maps around an empty list', wrap(31, { L: [] }, 'M')],
  ])('rejects %s with ITEM_REFUSED', (_what, value) => {
    expect(rejection(() => item(value))).toEqual({
      code: ErrorCode.ITEM_REFUSED,
      message:
        'attribute "Value": nests more than 31 maps and lists (DynamoDB allows 32 levels, the item being the first)',
      column: 'Value',
    });
  });

  it.each<[string, AttributeValue, string]>([
    ['in the value', { M: { '': { S: 'x' } } }, 'Value'],
    ['deep in the value', { M: { a: { L: [{ M: { '': { S: 'x' } } }] } } }, 'Value.a[0]'],
  ])('rejects an empty attribute name %s with ITEM_REFUSED', (_what, value, path) => {
    expect(rejection(() => item(value))).toEqual({
      code: ErrorCode.ITEM_REFUSED,
      message: `attribute "${path}": holds an empty attribute name`,
      column: 'Value',
    });
  });
});

describe('toItem() attribute names that are Object.prototype members (issue 11)', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'writes a column named %s as an attribute of its own',
    (name) => {
      const { item } = convert(NUMBER_KEY, ['1', 'x'], 'infer', ['ID', name]);
      expect(Object.hasOwn(item, name)).toBe(true);
      expect(item[name]).toEqual({ S: 'x' });
      expect(Object.keys(item).sort()).toEqual(['ID', name].sort());
      expect(JSON.parse(JSON.stringify(item))).toEqual({ ID: { N: '1' }, [name]: { S: 'x' } });
    },
  );

  it('writes a key attribute named __proto__', () => {
    const { item } = convert({ partition: { name: '__proto__', type: 'S' } }, ['a', 'x'], 'infer', [
      '__proto__',
      'Value',
    ]);
    expect(JSON.stringify(item)).toBe('{"__proto__":{"S":"a"},"Value":{"S":"x"}}');
  });
});
