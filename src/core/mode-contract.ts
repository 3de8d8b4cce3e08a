import type { AttributeValue, Item } from './item.ts';
import type { WriteOp } from './schema/write-block.ts';
import type { WriteEntry } from './write-contract.ts';

/**
 * What the mode writer (mode-writer.ts) asks of the table: requests that each answer on their own.
 * `put` and `delete` are BatchWriteItem requests; the others are PartiQL statements of one
 * BatchExecuteStatement call (src/aws/statement-table.ts), whose values are always parameters.
 */
export type VersionCheck = { readonly attribute: string; readonly value: AttributeValue };

export type ModeRequest =
  | { readonly kind: 'put'; readonly item: Item }
  | { readonly kind: 'delete'; readonly key: Item }
  /** INSERT: answers `duplicate` when the table holds the key. */
  | { readonly kind: 'insert'; readonly item: Item }
  /**
   * UPDATE … SET … REMOVE … WHERE <key> = ? [AND <version> < ?]: answers `missing` when there is no
   * item, `exists` when there is one whose version is not lower.
   */
  | {
      readonly kind: 'update';
      readonly key: Item;
      readonly set: Item;
      readonly remove: readonly string[];
      readonly newer?: VersionCheck;
    }
  /** DELETE … WHERE <key> = ? AND <version> < ?: `missing` or `exists` as for `update`. */
  | { readonly kind: 'deleteIf'; readonly key: Item; readonly newer: VersionCheck };

export type ModeAnswer =
  | { readonly kind: 'done' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'exists' }
  /** Throttled, 5xx, dropped connection, unprocessed: the request is sent again. */
  | { readonly kind: 'retry'; readonly throttled: boolean }
  /** DynamoDB refused it as invalid; `whole`: the call was refused, not this request alone. */
  | { readonly kind: 'refused'; readonly message: string; readonly whole: boolean };

export type ModeOutcome = { readonly answers: readonly ModeAnswer[]; readonly consumedCapacity?: number };

/**
 * Sends requests of distinct keys (at most 25 statements and 25 BatchWriteItem requests) and answers
 * one per request, in order. It throws only what no retry mends: `WriteDeniedError`, anything fatal.
 */
export type SendRequests = (requests: readonly ModeRequest[]) => Promise<ModeOutcome>;

/** A row for the mode writer: its operation, key, and the attributes an empty field removes. */
export type ModeEntry = WriteEntry & {
  readonly op: WriteOp;
  readonly key: Item;
  readonly remove: readonly string[];
};

/** The IAM action each statement kind needs (infra's `write_modes` grants them). */
export const ACTION_OF: Readonly<Record<ModeRequest['kind'], string>> = {
  put: 'dynamodb:BatchWriteItem',
  delete: 'dynamodb:BatchWriteItem',
  insert: 'dynamodb:PartiQLInsert',
  update: 'dynamodb:PartiQLUpdate',
  deleteIf: 'dynamodb:PartiQLDelete',
};
