import { describe, expect, it } from 'vitest';
import { createExportPlanner, toJsonText, toRecord } from '../../../src/core/export-csv.ts';
import type { Item } from '../../../src/core/item.ts';

const planOf = (items: Item[]) => {
  const planner = createExportPlanner({ partition: { name: 'ID', type: 'B' } });
  for (const item of items) planner.observe(item);
  const plan = planner.plan();
  return { plan, records: items.map((item) => toRecord(plan, item)) };
};

const id = (n: number) => ({ ID: { B: Uint8Array.of(n) } });

describe('createExportPlanner()', () => {
  it('types a column by what its items hold: one type as itself, empty strings, nulls and mixes as JSON', () => {
    const { plan, records } = planOf([
      {
        ...id(1),
        Text: { S: 'a' },
        Maybe: { S: '' },
        Null: { NULL: true },
        Mix: { N: '7' },
        Flag: { BOOL: true },
      },
      { ...id(2), Text: { S: '007' }, Maybe: { S: 'x' }, Mix: { S: '7' } },
    ]);
    expect(plan.schema.columns).toEqual({
      ID: {},
      Flag: { type: 'BOOL' },
      Maybe: { type: 'JSON' },
      Mix: { type: 'JSON' },
      Null: { type: 'JSON' },
      Text: { type: 'S' },
    });
    expect(records).toEqual([
      ['AQ==', 'true', '""', '7', 'null', 'a'],
      ['Ag==', '', '"x"', '"7"', '', '007'],
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('says what CSV cannot carry back: binary outside the key, sets inside maps', () => {
    const { plan, records } = planOf([
      { ...id(1), Blob: { B: Uint8Array.of(255) }, Map: { M: { s: { SS: ['a'] } } } },
    ]);
    expect(records).toEqual([['AQ==', '/w==', '{"s":["a"]}']]);
    expect(plan.warnings).toEqual([
      expect.stringContaining('attribute "Blob": binary is written as base64'),
      expect.stringContaining('attribute "Map": sets and binary inside maps'),
    ]);
  });

  it('gives an attribute with spaces around its name a header of its own, and its name in the schema', () => {
    const { plan } = planOf([{ ...id(1), ' padded ': { S: 'x' } }]);
    expect(plan.schema.columns).toEqual({ ID: {}, attribute_2: { name: ' padded ', type: 'S' } });
  });

  it('writes JSON numbers digit for digit, and as JSON spells them', () => {
    expect(toJsonText({ L: [{ N: '12345678901234567890.000001' }, { N: '.5' }, { N: '-5.' }] })).toBe(
      '[12345678901234567890.000001,0.5,-5]',
    );
  });
});
