import type { TypeMode } from '../../../src/core/item-plan.ts';
import type { KeySchema } from '../../../src/core/key-schema.ts';
import { parseSchema } from '../../../src/core/schema/schema.ts';
import { compileSchemaPlan } from '../../../src/core/schema/schema-plan.ts';
import { toItem } from '../../../src/core/to-item.ts';

export const ID_N: KeySchema = { partition: { name: 'ID', type: 'N' } };
export const CONTEXT = {
  bucket: 'source',
  key: 'incoming/ec2.csv',
  now: new Date('2024-05-01T12:00:00.000Z'),
};

export type Options = { keys?: KeySchema; typeMode?: TypeMode };

/** The plan for a header under a schema given as JSON (or its text), for a table keyed by `ID` (N). */
export const plan = (header: string[], schema: unknown, options: Options = {}) =>
  compileSchemaPlan(header, options.keys ?? ID_N, options.typeMode ?? 'infer', parseSchema(schema), CONTEXT);

/** The item of one record, as row 7 of the file. */
export const itemOf = (header: string[], schema: unknown, fields: string[], options: Options = {}) =>
  toItem(plan(header, schema, options), fields, 7).item;

export const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};
