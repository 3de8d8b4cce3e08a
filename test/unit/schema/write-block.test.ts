import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import type { KeySchema } from '../../../src/core/key-schema.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../../src/core/schema/schema-plan.ts';

const KEYS: KeySchema = { partition: { name: 'id', type: 'S' }, sort: { name: 'at', type: 'N' } };
const CONTEXT = { bucket: 'b', key: 'k.csv', now: new Date(0) };

const planFor = (schema: object, header = ['id', 'at', 'v', '_op']) =>
  compileSchemaPlan(header, KEYS, 'infer', parseSchema(schema), CONTEXT);

describe('the schema\'s "write" block', () => {
  it('defaults to a put of every row, with no condition, keeping empty fields', () => {
    expect(parseSchema({ write: {} }).write).toEqual({ mode: 'put', condition: 'none', emptyFields: 'keep' });
    expect(parseSchema({}).write).toBeUndefined();
  });

  it('may be all a schema holds', () => {
    const write = { mode: 'upsert', condition: 'newer', version: 'v', op: '_op', emptyFields: 'remove' };
    expect(parseSchema({ write }).write).toEqual(write);
  });

  it.each([
    [{ mode: 'merge' }, 'write.mode must be one of put, upsert, delete (got "merge")'],
    [{ condition: 'older' }, 'write.condition must be one of none, absent, newer (got "older")'],
    [{ emptyFields: 'drop' }, 'write.emptyFields must be one of keep, remove (got "drop")'],
    [{ mode: 'delete', condition: 'absent' }, 'write.condition "absent" cannot go with mode "delete"'],
    [{ condition: 'newer' }, 'write.version is required with condition "newer"'],
    [{ op: '' }, 'write.op must not be empty'],
    [
      { upsert: true },
      'write has unknown property "upsert" (allowed: mode, op, condition, version, emptyFields)',
    ],
    ['upsert', 'write must be a JSON object'],
  ])('rejects %j: %s', (write, message) => {
    expect(() => parseSchema({ write })).toThrow(ConfigError);
    expect(() => parseSchema({ write })).toThrow(message);
  });

  it.each([
    [
      { columns: { v: { drop: true } } },
      'write.version "v" names column "v", which the schema drops (drop: true)',
    ],
    [{ otherColumns: 'drop' }, 'write.version "v" names no column the schema keeps (otherColumns is "drop")'],
    [
      { columns: { v: { name: 'Version' } } },
      'write.version "v" names column "v", which the schema renames to "Version"',
    ],
    [{ columns: { v: { type: 'BOOL' } } }, 'write.version "v" names column "v" of type BOOL'],
  ])('rejects a version the schema does not keep as N or S: %j', (rest, message) => {
    const schema = { ...rest, write: { condition: 'newer', version: 'v' } };
    expect(() => parseSchema(schema)).toThrow(`invalid schema: ${message}`);
  });

  it('accepts a version kept by a listed column or by add, under otherColumns "drop"', () => {
    const write = { condition: 'newer', version: 'Version' };
    expect(() =>
      parseSchema({ otherColumns: 'drop', columns: { v: { name: 'Version' } }, write }),
    ).not.toThrow();
    expect(() => parseSchema({ otherColumns: 'drop', add: { Version: '{row}' }, write })).not.toThrow();
  });

  it.each([
    [{ condition: 'newer', version: 'id' }, 'write.version "id" names key attribute "id"'],
    [{ condition: 'newer', version: 'at' }, 'write.version "at" names key attribute "at"'],
    [{ op: 'id' }, 'write.op "id" names the column of key attribute "id"'],
  ])('rejects %j against the table', (write, message) => {
    expect(() => planFor({ write })).toThrow(ConfigError);
    expect(() => planFor({ write })).toThrow(`invalid schema: ${message}`);
  });

  it('never writes the op column, nor counts it among the other columns', () => {
    const plan = planFor({ otherColumns: 'reject', columns: { v: {} }, write: { op: '_op' } });
    expect(plan.columns.map(({ attribute }) => attribute)).toEqual(['v']);
    expect(plan.write?.opIndex).toBe(3);
  });

  it('lets every row take the mode when the header lacks the op column', () => {
    const plan = planFor({ write: { mode: 'delete', op: '_op' } }, ['id', 'at', 'v']);
    expect(plan.write?.opIndex).toBeUndefined();
    expect(plan.write?.deletePlan.columns).toEqual([]);
  });
});
