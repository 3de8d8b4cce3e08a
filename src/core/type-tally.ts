import type { Item } from './item.ts';
import { type ItemPlan, isInferred } from './item-plan.ts';

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

export type TypeTally = {
  /** Counts the inferred columns of an item built by `plan`. */
  count(plan: ItemPlan, item: Item): void;
  /** The counts so far (those carried in, plus this run's), for a resume point or the report. */
  snapshot(): ColumnTypes;
};

/** Counters of one shape for every column: the hot path only increments numbers. */
type Counters = { N: number; S: number; BOOL: number };

/** A tally that goes on from `start` (a continued file's counts so far). */
export const createTypeTally = (start: ColumnTypes = {}): TypeTally => {
  const counts = new Map<string, Counters>(
    Object.entries(start).map(([column, types]) => [
      column,
      { N: types.N ?? 0, S: types.S ?? 0, BOOL: types.BOOL ?? 0 },
    ]),
  );
  // The plan's inferred columns, found once per plan (a file has one plan).
  let planSeen: ItemPlan | undefined;
  let inferred: { attribute: string; counters: Counters }[] = [];
  return {
    count(plan, item) {
      if (plan !== planSeen) {
        planSeen = plan;
        inferred = plan.columns.filter(isInferred).map(({ column, attribute }) => {
          const counters = counts.get(column) ?? { N: 0, S: 0, BOOL: 0 };
          counts.set(column, counters);
          return { attribute, counters };
        });
      }
      for (const { attribute, counters } of inferred) {
        const value = item[attribute] as { N?: string; S?: string; BOOL?: boolean } | undefined;
        if (value === undefined) continue;
        if (value.N !== undefined) counters.N++;
        else if (value.S !== undefined) counters.S++;
        else if (value.BOOL !== undefined) counters.BOOL++;
      }
    },
    snapshot() {
      const out: Record<string, TypeCounts> = Object.create(null);
      for (const [column, counters] of counts) {
        const types: TypeCounts = {};
        for (const type of INFERRED_TYPES) if (counters[type] > 0) types[type] = counters[type];
        if (Object.keys(types).length > 0) out[column] = types;
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
