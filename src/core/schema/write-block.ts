import * as z from '../zod.ts';

/** What a row does to the item with its key (SPEC, "Write modes"). */
export const WriteOp = { put: 'put', upsert: 'upsert', delete: 'delete' } as const;
export type WriteOp = (typeof WriteOp)[keyof typeof WriteOp];

/** When a row is applied: always, only when its key is new, or only when it is newer than the item. */
export const WriteCondition = { none: 'none', absent: 'absent', newer: 'newer' } as const;
export type WriteCondition = (typeof WriteCondition)[keyof typeof WriteCondition];

export const EmptyFields = { keep: 'keep', remove: 'remove' } as const;
export type EmptyFields = (typeof EmptyFields)[keyof typeof EmptyFields];

export const WRITE_PROPERTIES = ['mode', 'op', 'condition', 'version', 'emptyFields'] as const;

/** The schema's `write` block, checked on its own; what needs the columns is checked by `checkWriteColumns`. */
export const WriteFormat = z
  .strictObject({
    mode: z._default(z.enum(Object.values(WriteOp)), 'put'),
    op: z.optional(z.string().check(z.minLength(1))),
    condition: z._default(z.enum(Object.values(WriteCondition)), 'none'),
    version: z.optional(z.string().check(z.minLength(1))),
    emptyFields: z._default(z.enum(Object.values(EmptyFields)), 'keep'),
  })
  .check(
    z.superRefine((write, context) => {
      if (write.condition === WriteCondition.absent && write.mode === WriteOp.delete) {
        context.addIssue({
          code: 'custom',
          path: ['condition'],
          message: '"absent" cannot go with mode "delete" (a delete of a missing item has nothing to insert)',
        });
      }
      if (write.condition === WriteCondition.newer && write.version === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['version'],
          message: 'is required with condition "newer" (the attribute that orders the rows)',
        });
      }
    }),
  );

/** How the rows of a file are written: `WRITE_DEFAULT` is today's put of every row. */
export type WriteSpec = {
  readonly mode: WriteOp;
  /** The header column that says each row's operation (never an attribute). */
  readonly op?: string;
  readonly condition: WriteCondition;
  /** The attribute (after renaming) compared under `newer`. */
  readonly version?: string;
  readonly emptyFields: EmptyFields;
};

export const WRITE_DEFAULT: WriteSpec = { mode: 'put', condition: 'none', emptyFields: 'keep' };

/** Whether rows go the plain BatchWriteItem put path (every row a put, no condition, no op column). */
export const isPlainPut = (write: WriteSpec): boolean =>
  write.mode === WriteOp.put && write.condition === WriteCondition.none && write.op === undefined;

/** The mode as `write_modes` in infra/terraform.tfvars spells it: `upsert`, `put:absent`, `delete:newer`. */
export const modeName = (op: WriteOp, condition: WriteCondition): string =>
  condition === WriteCondition.none ? op : `${op}:${condition}`;

/** Reads a row's `op` field: the file's mode when empty, undefined for a value that is no operation. */
export const readOp = (text: string, mode: WriteOp): WriteOp | undefined => {
  if (text === '') return mode;
  const lower = text.toLowerCase();
  return lower === 'put' || lower === 'upsert' || lower === 'delete' ? lower : undefined;
};
