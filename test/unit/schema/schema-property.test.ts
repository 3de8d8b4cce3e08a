import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.ts';
import { ingest } from '../../../src/core/ingest.ts';
import type { AttributeValue, Item } from '../../../src/core/item.ts';
import type { TypeMode } from '../../../src/core/item-plan.ts';
import { type KeySchema, keyIdOf } from '../../../src/core/key-schema.ts';
import type { RejectedRow } from '../../../src/core/rejected-csv.ts';
import { type ColumnSpec, parseSchema, type Schema } from '../../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../../src/core/schema/schema-plan.ts';

const KEYS: KeySchema = { partition: { name: 'ID', type: 'N' } };
const CONTEXT = { bucket: 'b', key: 'incoming/f.csv', now: new Date('2024-01-01T00:00:00.000Z') };
const POOL = ['a', 'b', 'c', 'd'];
const TYPES = ['S', 'N', 'BOOL', 'JSON', 'SS', 'NS'] as const;
const FILE_ERRORS: string[] = [
  ErrorCode.CSV_DUPLICATE_ATTRIBUTE,
  ErrorCode.CSV_MISSING_REQUIRED_COLUMN,
  ErrorCode.CSV_UNLISTED_COLUMN,
  ErrorCode.CSV_MISSING_KEY_COLUMN,
];

const columnSpec = fc.oneof(
  fc.constant({}),
  fc.record({ type: fc.constantFrom(...TYPES) }),
  fc.record({ type: fc.constantFrom(...TYPES), required: fc.boolean() }),
  fc.record({ name: fc.constantFrom('x', 'y', 'a') }),
  fc.constant({ drop: true }),
  fc.constant({ type: 'N', default: '0' }),
  fc.constant({ type: 'SS', separator: ',', default: 'none' }),
  fc.constant({ default: 'n/a', required: true }),
);

const schemaJson = fc.record({
  columns: fc.dictionary(fc.constantFrom(...POOL, 'ID'), columnSpec, { maxKeys: 5 }).map((columns) => {
    // The key keeps the table's type: only a `required` may be said about it here.
    const { ID: _, ...others } = columns;
    return others;
  }),
  otherColumns: fc.constantFrom('infer', 'string', 'drop', 'reject'),
  add: fc.record({ _row: fc.constant('{row}') }).chain((base) =>
    fc
      .subarray([
        ['where', '{bucket}/{key}'],
        ['at', '{now}'],
        ['label', 'row {row}'],
      ] as const)
      .map((extra) => ({ ...base, ...Object.fromEntries(extra) })),
  ),
});

const field = fc.oneof(
  fc.constantFrom(
    '',
    '1',
    '007',
    '-2.5',
    '1E3',
    '+5',
    'true',
    'YES',
    '0',
    'null',
    'x',
    ' x ',
    ' 42',
    '1e400',
    '1,2',
  ),
  fc.constantFrom('{"k":[1,2.50,"s",null]}', '{"":1}', '[[[]]]', '"str"', 'a|b|a', '1|01|x', '|', '2|2.0'),
  fc.string({ maxLength: 8 }),
);

const file = fc
  .record({
    columns: fc.shuffledSubarray([...POOL, 'extra'], { minLength: 1 }),
    rows: fc.array(
      fc.record({
        id: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', '', 'k'),
        fields: fc.array(field, { minLength: 1, maxLength: 6 }),
        fitsHeader: fc.constantFrom(true, true, true, false),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ columns, rows }) => ({
    header: ['ID', ...columns],
    // Two fields at least: a record of one empty field would be a blank line, which is not a row.
    records: rows.map(({ id, fields, fitsHeader }, index) => [
      id === 'ok' ? String(index + 1) : id,
      ...(fitsHeader ? columns.map((_, column) => fields[column] ?? '') : fields),
    ]),
  }));

const kindOf = (value: AttributeValue): string => Object.keys(value)[0] as string;

/** What the schema says a written item holds for one column, checked without the code under test. */
const checkColumn = (
  schema: Schema,
  typeMode: TypeMode,
  item: Item,
  column: string,
  text: string,
): string[] => {
  const spec: ColumnSpec | undefined = schema.columns.get(column);
  if (spec?.drop || (!spec && schema.otherColumns === 'drop')) return [];
  const attribute = spec?.name ?? column;
  const value = item[attribute];
  const filled = text || spec?.default || '';
  if (filled === '') {
    expect(value, `empty "${column}"`).toBeUndefined();
    return [attribute];
  }
  const type = spec?.type;
  if (type === 'SS' || type === 'NS') {
    const parts = filled.split(spec?.separator ?? '|').filter((part) => part !== '');
    if (parts.length === 0) expect(value).toBeUndefined();
    else if (type === 'SS') expect(value).toEqual({ SS: [...new Set(parts)] });
    else {
      const members = (value as { NS: string[] }).NS;
      expect(new Set(members.map(Number)).size).toBe(members.length);
      expect(new Set(members.map(Number))).toEqual(new Set(parts.map(Number)));
    }
    return [attribute];
  }
  expect(value, `"${column}" = ${JSON.stringify(filled)}`).toBeDefined();
  const kind = kindOf(value as AttributeValue);
  if (type === 'JSON') expect(['M', 'L', 'S', 'N', 'BOOL', 'NULL']).toContain(kind);
  else if (type) expect(kind).toBe(type);
  else if (typeMode === 'string' || (!spec && schema.otherColumns === 'string'))
    expect(value).toEqual({ S: filled });
  else expect(['S', 'N', 'BOOL']).toContain(kind);
  if (type === 'S' || type === 'N' || (!type && kind !== 'BOOL'))
    // A typed N is sent without a leading `+`, which DynamoDB accepts and dynalite refuses.
    expect(Object.values(value as object)[0]).toBe(type === 'N' ? filled.replace(/^\+/, '') : filled);
  return [attribute];
};

describe('a file under any column schema', () => {
  it('writes each row as the schema says, or rejects it with a reason, or fails the file: never loses one', async () => {
    await fc.assert(
      fc.asyncProperty(
        schemaJson,
        file,
        fc.constantFrom<TypeMode>('infer', 'string'),
        async (json, csv, typeMode) => {
          const schema = parseSchema(json);
          const sent: Item[] = [];
          const rejected: RejectedRow[] = [];
          const result = await ingest({
            open: async () => ({
              body: Readable.from([Buffer.from(stringify([csv.header, ...csv.records]))]),
            }),
            gzip: false,
            plan: (header) => compileSchemaPlan(header, KEYS, typeMode, schema, CONTEXT),
            write: {
              send: async (items) => {
                sent.push(...items);
                return { unprocessed: [] };
              },
              keyIdOf: (item) => keyIdOf(item, KEYS),
              concurrency: 2,
              maxAttempts: 2,
            },
            rejected: { add: (_, row) => void rejected.push(row) },
          });

          if (result.outcome === 'failed') {
            expect(FILE_ERRORS).toContain(result.fileError?.code);
            expect(result.counts).toEqual({ rowsRead: 0, rowsWritten: 0, rowsRejected: 0 });
            expect(sent).toEqual([]);
            return;
          }
          expect(result.outcome).toBe('complete');
          const rows = csv.records.length;
          expect(result.counts).toEqual({
            rowsRead: rows,
            rowsWritten: sent.length,
            rowsRejected: rejected.length,
          });
          const writtenRows = sent.map((item) => Number((item._row as { N: string }).N));
          const rejectedRows = rejected.map(({ row }) => row);
          expect([...writtenRows, ...rejectedRows].sort((x, y) => x - y)).toEqual(
            Array.from({ length: rows }, (_, index) => index + 1),
          );
          for (const { reason, fields, row } of rejected) {
            expect(reason).not.toBe('');
            expect(fields).toEqual(csv.records[row - 1]);
          }
          for (const item of sent) {
            const row = Number((item._row as { N: string }).N);
            const fields = csv.records[row - 1] as string[];
            expect(fields).toHaveLength(csv.header.length);
            expect(item.ID).toEqual({ N: fields[0] });
            const attributes = csv.header
              .slice(1)
              .flatMap((column, index) =>
                checkColumn(schema, typeMode, item, column, fields[index + 1] ?? ''),
              );
            const expected = new Set(['ID', ...attributes, ...schema.add.keys()]);
            for (const name of Object.keys(item))
              expect(expected.has(name), `unexpected attribute ${name}`).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
