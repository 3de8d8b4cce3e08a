import type { Item } from './item.ts';
import { type ColumnPlan, type ItemPlan, isInferred } from './item-plan.ts';

/**
 * Under the default type rules a column is typed field by field, so one column can come out `N`
 * in some rows and `S` in others (`30301` beside `02139`). The tally counts, per inferred column,
 * the rows that gave each type; the report lists the columns that got more than one.
 */

/** The types the default rules give. */
export const INFERRED_TYPES = ['N', 'S', 'BOOL'] as const;
export type InferredType = (typeof INFERRED_TYPES)[number];

/** Rows per type, for one column: only the types it got. */
export type TypeCounts = Partial<Record<InferredType, number>>;
/** Per column (header name), the rows that gave each type: carried from invocation to invocation. */
export type ColumnTypes = Readonly<Record<string, TypeCounts>>;

/** A column whose rows got more than one type, as the report lists it. */
export type TypeWarning = { readonly column: string; readonly types: TypeCounts };

const typeOf = (value: object): InferredType | undefined =>
  'N' in value ? 'N' : 'S' in value ? 'S' : 'BOOL' in value ? 'BOOL' : undefined;

export type TypeTally = {
  /** Counts the inferred columns of an item built by `plan`. */
  count(plan: ItemPlan, item: Item): void;
  /** The counts so far (those carried in, plus this run's), for a resume point or the report. */
  snapshot(): ColumnTypes;
};

/** A tally that goes on from `start` (a continued file's counts so far). */
export const createTypeTally = (start: ColumnTypes = {}): TypeTally => {
  const counts = new Map<string, TypeCounts>(
    Object.entries(start).map(([column, types]) => [column, { ...types }]),
  );
  // The plan's inferred columns, found once per plan (a file has one plan).
  let planSeen: ItemPlan | undefined;
  let inferred: { column: ColumnPlan; types: TypeCounts }[] = [];
  return {
    count(plan, item) {
      if (plan !== planSeen) {
        planSeen = plan;
        inferred = plan.columns.filter(isInferred).map((column) => {
          const types = counts.get(column.column) ?? {};
          counts.set(column.column, types);
          return { column, types };
        });
      }
      for (const { column, types } of inferred) {
        const value = item[column.attribute];
        const type = value && typeOf(value);
        if (type) types[type] = (types[type] ?? 0) + 1;
      }
    },
    snapshot() {
      const out: Record<string, TypeCounts> = Object.create(null);
      for (const [column, types] of counts) {
        if (Object.keys(types).length > 0) out[column] = { ...types };
      }
      return out;
    },
  };
};

/** The columns whose rows got more than one type, in the order given. */
export const typeWarnings = (types: ColumnTypes | undefined): TypeWarning[] =>
  Object.entries(types ?? {})
    .filter(([, counts]) => Object.keys(counts).length > 1)
    .map(([column, counts]) => ({ column, types: { ...counts } }));

/** `column "Zip": 57 rows N, 3 rows S`. */
export const describeWarning = ({ column, types }: TypeWarning): string =>
  `column ${JSON.stringify(column)}: ${Object.entries(types)
    .map(([type, rows]) => `${rows} row${rows === 1 ? '' : 's'} ${type}`)
    .join(', ')}`;
