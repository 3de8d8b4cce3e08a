import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, FileError } from '../../../src/core/errors.ts';
import type { KeySchema } from '../../../src/core/key-schema.ts';
import { toItem } from '../../../src/core/to-item.ts';
import { itemOf, plan, thrown } from './compile-helpers.ts';

describe('compileSchemaPlan()', () => {
  describe('the worked example', () => {
    const header = 'ID,Instance ID,Instance Type,vCPUs,Memory GiB,Zip,Tags,Specs,Notes,Region'.split(',');
    const schema = readFileSync('examples/schema.json', 'utf8');

    it('turns a row of the sample data into the documented item', () => {
      const fields = [
        '1',
        'i-032d1026706d7e805',
        't4g.small',
        '2',
        '0.5',
        '02139',
        'db|prod|db',
        '{"cpu":"Graviton2","networkGbps":12.5,"volumes":[{"device":"/dev/xvda","sizeGiB":8}]}',
        'owner: platform team',
        '',
      ];
      expect(itemOf(header, schema, fields)).toEqual({
        ID: { N: '1' },
        InstanceId: { S: 'i-032d1026706d7e805' },
        InstanceType: { S: 't4g.small' },
        vCPUs: { N: '2' },
        MemoryGiB: { N: '0.5' },
        Zip: { S: '02139' },
        Tags: { SS: ['db', 'prod'] },
        Specs: {
          M: {
            cpu: { S: 'Graviton2' },
            networkGbps: { N: '12.5' },
            volumes: { L: [{ M: { device: { S: '/dev/xvda' }, sizeGiB: { N: '8' } } }] },
          },
        },
        Region: { S: 'eu-west-1' },
        source: { S: 'source/incoming/ec2.csv' },
        ingestedAt: { S: '2024-05-01T12:00:00.000Z' },
        sourceRow: { N: '7' },
      });
    });

    it('rejects a row without vCPUs, which the schema requires', () => {
      const fields = ['2', 'i-1', 't4g.small', '', '1', '1', '', '{}', '', ''];
      expect(thrown(() => itemOf(header, schema, fields))).toMatchObject({
        code: ErrorCode.VALUE_REQUIRED,
        message: 'column "vCPUs": a value is required',
      });
    });

    it('checks nesting only because a JSON column is there', () => {
      expect(plan(header, schema).mayNest).toBe(true);
      expect(plan(['ID', 'Instance ID', 'vCPUs'], schema).mayNest).toBe(false);
    });
  });

  describe('name', () => {
    it('renames the attribute', () => {
      expect(
        itemOf(['ID', 'Instance ID'], { columns: { 'Instance ID': { name: 'InstanceId' } } }, ['1', 'i-1']),
      ).toEqual({
        ID: { N: '1' },
        InstanceId: { S: 'i-1' },
      });
    });

    it('matches key attributes after renaming, keeping the table type', () => {
      const keys: KeySchema = { partition: { name: 'pk', type: 'S' }, sort: { name: 'sk', type: 'N' } };
      const schema = { columns: { Code: { name: 'pk' }, Version: { name: 'sk' } } };
      const built = plan(['Code', 'Version', 'Other'], schema, { keys });
      expect(built.partition).toMatchObject({ index: 0, column: 'Code' });
      expect(built.sort).toMatchObject({ index: 1, column: 'Version' });
      expect(toItem(built, ['007', '007', 'x'], 1)).toEqual({
        item: { pk: { S: '007' }, sk: { N: '007' }, Other: { S: 'x' } },
        keyId: '4:S007N7e0',
      });
    });

    it('lets a renamed column take the key from an unlisted column of that name when that one is dropped', () => {
      const schema = { columns: { 'New ID': { name: 'ID' } }, otherColumns: 'drop' };
      expect(itemOf(['ID', 'New ID'], schema, ['1', '2'])).toEqual({ ID: { N: '2' } });
    });

    it('fails the file when no column holds a key attribute any more', () => {
      expect(thrown(() => plan(['ID', 'x'], { columns: { ID: { name: 'LegacyId' } } }))).toMatchObject({
        code: ErrorCode.CSV_MISSING_KEY_COLUMN,
        message: 'header has no column for key attribute "ID"',
      });
    });
  });

  describe('two columns with one attribute name', () => {
    it.each([
      [
        ['ID', 'a', 'b'],
        { columns: { a: { name: 'x' }, b: { name: 'x' } } },
        'header columns "a" and "b" both become attribute "x"',
      ],
      [
        ['ID', 'a', 'x'],
        { columns: { a: { name: 'x' } } },
        'header columns "a" and "x" both become attribute "x"',
      ],
      [
        ['ID', 'New ID'],
        { columns: { 'New ID': { name: 'ID' } } },
        'header columns "ID" and "New ID" both become attribute "ID"',
      ],
      [['ID', 'a'], { add: { a: '{row}' } }, 'header column "a" and add."a" both become attribute "a"'],
      [
        ['ID', 'a'],
        { columns: { a: { name: 'when' } }, add: { when: '{now}' } },
        'header column "a" and add."when" both become attribute "when"',
      ],
    ])('fail the file: %j with %j', (header, schema, message) => {
      const error = thrown(() => plan(header, schema));
      expect(error).toBeInstanceOf(FileError);
      expect(error).toMatchObject({ code: ErrorCode.CSV_DUPLICATE_ATTRIBUTE, message });
    });

    it('do not clash when one of them is dropped or missing from the header', () => {
      expect(() =>
        plan(['ID', 'a', 'x'], { columns: { a: { name: 'x' }, x: { drop: true } } }),
      ).not.toThrow();
      expect(() => plan(['ID', 'a'], { columns: { a: { name: 'x' }, b: { name: 'x' } } })).not.toThrow();
    });
  });

  describe('a key column', () => {
    it.each([
      [
        { columns: { ID: { type: 'S' } } },
        'invalid schema: columns."ID".type S differs from the table\'s type N for key attribute "ID" (leave type out: keys keep the table\'s type)',
      ],
      [
        { columns: { Id: { name: 'ID', type: 'JSON' } } },
        'invalid schema: columns."Id".type JSON differs from the table\'s type N for key attribute "ID" (leave type out: keys keep the table\'s type)',
      ],
      [
        { columns: { ID: { default: 'none' } } },
        'invalid schema: columns."ID".default "none" does not fit the table\'s type N for key attribute "ID"',
      ],
      [{ add: { ID: '{row}' } }, 'invalid schema: add."ID" cannot set key attribute "ID"'],
    ])('with %j is an invalid schema', (schema, message) => {
      const error = thrown(() => plan(['ID'], schema));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(message);
    });

    it('may repeat the table type and take a default', () => {
      const built = plan(['ID', 'a'], { columns: { ID: { type: 'N', default: '0' } } });
      expect(toItem(built, ['', 'x'], 1).item).toEqual({ ID: { N: '0' }, a: { S: 'x' } });
    });

    it('is never "other": kept and typed by the table under drop, reject and string', () => {
      for (const otherColumns of ['drop', 'reject', 'string']) {
        expect(itemOf(['ID', 'a'], { columns: { a: {} }, otherColumns }, ['5', '1'])).toEqual({
          ID: { N: '5' },
          a: { N: '1' },
        });
      }
    });
  });

  describe('otherColumns', () => {
    const header = ['ID', 'Listed', 'Count', 'Flag'];
    const fields = ['1', '007', '42', 'true'];
    it.each([
      ['infer', 'infer', { Count: { N: '42' }, Flag: { BOOL: true } }],
      ['infer', 'string', { Count: { S: '42' }, Flag: { S: 'true' } }],
      ['string', 'infer', { Count: { S: '42' }, Flag: { S: 'true' } }],
      ['drop', 'infer', {}],
    ] as const)('%s with TYPE_MODE=%s', (otherColumns, typeMode, others) => {
      const schema = { columns: { Listed: {} }, otherColumns };
      expect(itemOf(header, schema, fields, { typeMode })).toEqual({
        ID: { N: '1' },
        Listed: { S: '007' },
        ...others,
      });
    });

    it('leaves listed columns without a type to the default rules', () => {
      const schema = { columns: { Count: {} }, otherColumns: 'string' };
      expect(itemOf(['ID', 'Count'], schema, ['1', '42'])).toEqual({ ID: { N: '1' }, Count: { N: '42' } });
      expect(itemOf(['ID', 'Count'], schema, ['1', '42'], { typeMode: 'string' })).toEqual({
        ID: { N: '1' },
        Count: { S: '42' },
      });
    });

    it('reject fails a file with unlisted columns, naming them', () => {
      const schema = { columns: { Listed: {} }, otherColumns: 'reject' };
      expect(thrown(() => plan(header, schema))).toMatchObject({
        code: ErrorCode.CSV_UNLISTED_COLUMN,
        message: 'header columns "Count", "Flag" are not in the schema (otherColumns is "reject")',
      });
      expect(thrown(() => plan(['ID', 'Listed', 'Extra'], schema))).toMatchObject({
        message: 'header column "Extra" is not in the schema (otherColumns is "reject")',
      });
    });
  });
});
