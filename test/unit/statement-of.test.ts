import { describe, expect, it } from 'vitest';
import { statementOf } from '../../src/aws/statement-table.ts';

describe('statementOf()', () => {
  it('puts every value in a parameter, never in the text', () => {
    const statement = statementOf('Orders', {
      kind: 'update',
      key: { id: { S: "x' OR '1'='1" } },
      set: { note: { S: '"; DROP' }, n: { N: '5' } },
      remove: ['gone'],
      newer: { attribute: 'UpdatedAt', value: { S: '2024-05-01' } },
    });
    expect(statement.text).toBe(
      'UPDATE "Orders" SET "note" = ? SET "n" = ? REMOVE "gone" WHERE "id" = ? AND "UpdatedAt" < ?',
    );
    expect(statement.parameters).toEqual([
      { S: '"; DROP' },
      { N: '5' },
      { S: "x' OR '1'='1" },
      { S: '2024-05-01' },
    ]);
  });

  it('quotes names: a double quote doubled in identifiers, a single quote in INSERT names', () => {
    expect(statementOf('t"1', { kind: 'insert', item: { "it's": { S: 'a' }, 'a"b': { N: '1' } } }).text).toBe(
      `INSERT INTO "t""1" VALUE {'it''s': ?, 'a"b': ?}`,
    );
    expect(
      statementOf('t', {
        kind: 'deleteIf',
        key: { pk: { S: 'a' }, sk: { N: '2' } },
        newer: { attribute: 'v"x', value: { N: '3' } },
      }),
    ).toEqual({
      text: 'DELETE FROM "t" WHERE "pk" = ? AND "sk" = ? AND "v""x" < ?',
      parameters: [{ S: 'a' }, { N: '2' }, { N: '3' }],
    });
  });

  it('refuses a BatchWriteItem request', () => {
    expect(() => statementOf('t', { kind: 'put', item: { id: { S: 'a' } } })).toThrow('not a statement');
  });
});
