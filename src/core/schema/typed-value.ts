import { parse as parseJson } from 'lossless-json';
import { ErrorCode, RowError } from '../errors.ts';
import { type AttributeValue, NESTING_PROBLEM, VALUE_NESTING_LIMIT } from '../item.ts';
import type { ValueConverter } from '../item-plan.ts';
import { describeNumberProblem, parseDynamoNumber } from '../number.ts';

export const ColumnType = { S: 'S', N: 'N', BOOL: 'BOOL', JSON: 'JSON', SS: 'SS', NS: 'NS' } as const;
export type ColumnType = (typeof ColumnType)[keyof typeof ColumnType];
export const COLUMN_TYPES = Object.values(ColumnType);

export const DEFAULT_SEPARATOR = '|';

/** What a field becomes under a forced type: a value (`undefined` for an empty set), or why it does not fit. */
export type TypedOutcome = { readonly value: AttributeValue | undefined } | { readonly problem: string };

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);

/** Quotes a value for a message, cut short so that a 300 KB field does not flood the report. */
export const quote = (text: string): string =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Marks a JSON number's own text, which a JavaScript number would round (`12345678901234567890`). */
class JsonNumber {
  constructor(readonly text: string) {}
}

class JsonProblem extends Error {}

const fromJson = (value: unknown, depth: number): AttributeValue => {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof JsonNumber) {
    const parsed = parseDynamoNumber(value.text);
    if (typeof parsed === 'string')
      throw new JsonProblem(`JSON number ${value.text} ${describeNumberProblem(parsed)}`);
    return { N: parsed.text };
  }
  // `depth` maps and lists hold this value: one more would be too many.
  if (depth >= VALUE_NESTING_LIMIT) throw new JsonProblem(`JSON ${NESTING_PROBLEM}`);
  if (Array.isArray(value)) return { L: value.map((member) => fromJson(member, depth + 1)) };
  // fromEntries, not assignment: a "__proto__" key stays an ordinary attribute name.
  return {
    M: Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, member]) => [
        name,
        fromJson(member, depth + 1),
      ]),
    ),
  };
};

const readJson = (text: string): TypedOutcome => {
  let parsed: unknown;
  try {
    parsed = parseJson(text, null, {
      parseNumber: (digits) => new JsonNumber(digits),
      // As JSON.parse does: the last of repeated keys wins.
      onDuplicateKey: ({ newValue }) => newValue,
    });
  } catch (error) {
    const reason = error instanceof RangeError ? 'it is nested too deeply' : (error as Error).message;
    return { problem: `${quote(text)} is not valid JSON (${reason})` };
  }
  try {
    return { value: fromJson(parsed, 0) };
  } catch (error) {
    if (error instanceof JsonProblem) return { problem: error.message };
    throw error;
  }
};

const readSet = (type: 'SS' | 'NS', text: string, separator: string): TypedOutcome => {
  const members = new Map<string, string>();
  for (const part of text.split(separator)) {
    if (part === '') continue;
    if (type === 'SS') {
      members.set(part, part);
      continue;
    }
    const parsed = parseDynamoNumber(part);
    if (typeof parsed === 'string')
      return { problem: `set member ${quote(part)} ${describeNumberProblem(parsed)}` };
    // DynamoDB refuses a number set with two spellings of one value: keep the first.
    if (!members.has(parsed.canonical)) members.set(parsed.canonical, parsed.text);
  }
  if (members.size === 0) return { value: undefined };
  const list = [...members.values()];
  return { value: type === 'SS' ? { SS: list } : { NS: list } };
};

/** Reads a non-empty field as `type` says. */
export const readTyped = (type: ColumnType, text: string, separator = DEFAULT_SEPARATOR): TypedOutcome => {
  switch (type) {
    case 'S':
      return { value: { S: text } };
    case 'N': {
      const parsed = parseDynamoNumber(text);
      return typeof parsed === 'string'
        ? { problem: `${quote(text)} ${describeNumberProblem(parsed)}` }
        : { value: { N: parsed.text } };
    }
    case 'BOOL': {
      const bool = BOOLEANS.get(text.toLowerCase());
      return bool === undefined
        ? { problem: `${quote(text)} is not a boolean (true/false, 1/0 or yes/no)` }
        : { value: { BOOL: bool } };
    }
    case 'JSON':
      return readJson(text);
    case 'SS':
    case 'NS':
      return readSet(type, text, separator);
  }
};

/** A converter for a typed column: a field that does not fit rejects its row, naming the column. */
export const typedConverter = (column: string, type: ColumnType, separator?: string): ValueConverter => {
  return (text) => {
    const outcome = readTyped(type, text, separator);
    if ('problem' in outcome) {
      throw new RowError(ErrorCode.VALUE_INVALID, `column "${column}": ${outcome.problem}`, { column });
    }
    return outcome.value;
  };
};
