import type { AttributeValue, Item } from './item.ts';
import type { KeySchema } from './key-schema.ts';
import type { ColumnSpec } from './schema/schema.ts';

/**
 * A table back to CSV, by the same type rules that load it: a column whose items all hold one type
 * is written as that type's text and listed in the schema with it (numbers digit for digit, `true` /
 * `false`, sets joined by a separator none of their members holds); a column of maps, lists, nulls,
 * empty strings or mixed types is JSON (numbers exact), which reads back to the same values. Keys are
 * written as the table types them (binary as base64) and listed without a type.
 * What CSV cannot carry back is said in `warnings`: binary outside the key (read back as its base64
 * text), and sets or binary inside maps and lists (read back as lists and strings).
 */

type ValueType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS';

const SEPARATORS = ['|', ';', '^', '~', '¦', '\u001f'] as const;

const typeOf = (value: AttributeValue): ValueType => Object.keys(value)[0] as ValueType;

type Tally = {
  readonly types: Set<ValueType>;
  /** Separators no set member of the column holds (yet). */
  readonly free: Set<string>;
  emptyString: boolean;
  nestedLoss: boolean;
};

export type ExportColumn = {
  readonly header: string;
  readonly attribute: string;
  readonly spec: ColumnSpec;
  readonly encode: (value: AttributeValue) => string;
};

export type ExportPlan = {
  readonly columns: readonly ExportColumn[];
  /** The column schema that reads the CSV back (`$schema` is the caller's). */
  readonly schema: { columns: Record<string, ColumnSpec>; otherColumns: 'infer' };
  readonly warnings: readonly string[];
};

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** DynamoDB's number text as a JSON number (an emulator may keep `.5` or `5.` as sent). */
const jsonNumber = (text: string): string =>
  text
    .replace(/^(-?)\./, '$10.')
    .replace(/\.(?=$|[eE])/, '')
    .replace(/^\+/, '');

/** A value as JSON text with exact numbers: what a `JSON` column reads back to the same value. */
export const toJsonText = (value: AttributeValue): string => {
  if ('S' in value) return JSON.stringify(value.S);
  if ('N' in value) return jsonNumber(value.N);
  if ('BOOL' in value) return String(value.BOOL);
  if ('NULL' in value) return 'null';
  if ('B' in value) return JSON.stringify(base64(value.B));
  if ('SS' in value) return `[${value.SS.map((member) => JSON.stringify(member)).join(',')}]`;
  if ('NS' in value) return `[${value.NS.map(jsonNumber).join(',')}]`;
  if ('L' in value) return `[${value.L.map(toJsonText).join(',')}]`;
  return `{${Object.entries(value.M)
    .map(([name, member]) => `${JSON.stringify(name)}:${toJsonText(member)}`)
    .join(',')}}`;
};

const holdsLoss = (value: AttributeValue): boolean => {
  if ('SS' in value || 'NS' in value || 'B' in value) return true;
  if ('L' in value) return value.L.some(holdsLoss);
  if ('M' in value) return Object.values(value.M).some(holdsLoss);
  return false;
};

const keyText = (value: AttributeValue): string =>
  'S' in value ? value.S : 'N' in value ? value.N : 'B' in value ? base64(value.B) : toJsonText(value);

/** Collects what the items hold, then plans the columns: `observe` every item, then `plan`. */
export const createExportPlanner = (keySchema: KeySchema) => {
  const keys = [keySchema.partition.name, ...(keySchema.sort ? [keySchema.sort.name] : [])];
  const tallies = new Map<string, Tally>();
  return {
    observe(item: Item): void {
      for (const [attribute, value] of Object.entries(item)) {
        if (keys.includes(attribute)) continue;
        let tally = tallies.get(attribute);
        if (!tally) {
          tally = { types: new Set(), free: new Set(SEPARATORS), emptyString: false, nestedLoss: false };
          tallies.set(attribute, tally);
        }
        tally.types.add(typeOf(value));
        if ('S' in value && value.S === '') tally.emptyString = true;
        if ('SS' in value) {
          for (const separator of tally.free) {
            if (value.SS.some((member) => member.includes(separator))) tally.free.delete(separator);
          }
        }
        if (('M' in value || 'L' in value) && holdsLoss(value)) tally.nestedLoss = true;
      }
    },
    plan(): ExportPlan {
      const warnings: string[] = [];
      const columns: ExportColumn[] = keys.map((attribute) => ({
        header: attribute,
        attribute,
        spec: {},
        encode: keyText,
      }));
      for (const attribute of [...tallies.keys()].sort()) {
        const tally = tallies.get(attribute) as Tally;
        const column = planColumn(attribute, tally);
        const setsOrBinary = tally.types.has('SS') || tally.types.has('NS') || tally.types.has('B');
        if (tally.nestedLoss || (setsOrBinary && column.spec.type === 'JSON')) {
          warnings.push(
            `attribute "${attribute}": sets and binary inside maps, lists or mixed columns are written as JSON lists and base64 strings, and read back as such`,
          );
        }
        if (column.spec.type === 'S' && tally.types.has('B')) {
          warnings.push(
            `attribute "${attribute}": binary is written as base64 and read back as that text (a column schema has no B type)`,
          );
        }
        columns.push(column);
      }
      // A header name is trimmed when read: an attribute with spaces around it gets a header of its own and a `name`.
      const taken = new Set(columns.map(({ header }) => header));
      const named = columns.map((column, index) => {
        if (column.header.trim() === column.header && column.header !== '') return column;
        let header = `attribute_${index + 1}`;
        while (taken.has(header)) header = `_${header}`;
        taken.add(header);
        return { ...column, header, spec: { name: column.attribute, ...column.spec } };
      });
      return {
        columns: named,
        schema: {
          columns: Object.fromEntries(named.map(({ header, spec }) => [header, spec])),
          otherColumns: 'infer',
        },
        warnings,
      };
    },
  };
};

const planColumn = (attribute: string, tally: Tally): ExportColumn => {
  const [only] = tally.types;
  const single = tally.types.size === 1 ? only : undefined;
  const column = (spec: ColumnSpec, encode: ExportColumn['encode']) => ({
    header: attribute,
    attribute,
    spec,
    encode,
  });
  if (single === 'S' && !tally.emptyString)
    return column({ type: 'S' }, (value) => ('S' in value ? value.S : ''));
  if (single === 'N') return column({ type: 'N' }, (value) => ('N' in value ? value.N : ''));
  if (single === 'BOOL')
    return column({ type: 'BOOL' }, (value) => ('BOOL' in value ? String(value.BOOL) : ''));
  if (single === 'B') return column({ type: 'S' }, (value) => ('B' in value ? base64(value.B) : ''));
  const [separator] = tally.free;
  if ((single === 'SS' || single === 'NS') && separator !== undefined) {
    const spec: ColumnSpec = { type: single, ...(separator !== '|' && { separator }) };
    return column(spec, (value) =>
      'SS' in value ? value.SS.join(separator) : 'NS' in value ? value.NS.join(separator) : '',
    );
  }
  return column({ type: 'JSON' }, toJsonText);
};

/** One item as the fields of its CSV record, in the plan's column order (a missing attribute: an empty field). */
export const toRecord = (plan: ExportPlan, item: Item): string[] =>
  plan.columns.map(({ attribute, encode }) => {
    const value = item[attribute];
    return value === undefined ? '' : encode(value);
  });
