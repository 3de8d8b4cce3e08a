/**
 * DynamoDB numbers as decimal text, never through a JavaScript float.
 * DynamoDB keeps up to 38 significant digits, magnitudes from 1E-130 to below 1E126, and zero.
 */

const MAX_SIGNIFICANT_DIGITS = 38;
const MIN_EXPONENT = -130;
const MAX_EXPONENT = 125;

/**
 * The notation DynamoDB accepts for an `N` value, as DynamoDB Local shows it: an optional sign, digits with
 * at most one point (`5.` and `.5` too), an optional exponent; no spaces. (DynamoDB Local, being
 * Java's BigDecimal, also takes non-ASCII digits such as `٤٢`; this keeps to ASCII digits, which
 * dynalite and every other tool read alike.)
 */
const ACCEPTED = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;

/** The plain decimals that type inference turns into numbers: no `007`, `+5`, `.5` or `1e5`. */
const PLAIN_DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

export type DynamoNumber = {
  /** A canonical spelling: equal values give equal text (`7`, `007` and `7.0` give `7e0`). */
  readonly canonical: string;
  /**
   * The text to send: as written, without a leading `+` (DynamoDB stores `+5` as 5, but dynalite
   * and other emulators refuse the sign).
   */
  readonly text: string;
};

export type NumberProblem = 'not-a-number' | 'too-many-digits' | 'too-large' | 'too-small';

export const describeNumberProblem = (problem: NumberProblem): string =>
  ({
    'not-a-number': 'is not a number',
    'too-many-digits': `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits`,
    'too-large': 'is too large for DynamoDB (1E126 or more)',
    'too-small': 'is too small for DynamoDB (below 1E-130)',
  })[problem];

/** Checks `text` the way DynamoDB does; on success gives its canonical spelling for key comparison. */
export const parseDynamoNumber = (text: string): DynamoNumber | NumberProblem => {
  const match = ACCEPTED.exec(text);
  if (!match) return 'not-a-number';
  const [, written = '', mantissa = '', exponentText] = match;
  const sign = written === '-' ? '-' : '';
  const sent = written === '+' ? text.slice(1) : text;
  const dot = mantissa.indexOf('.');
  const intPart = dot === -1 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot === -1 ? '' : mantissa.slice(dot + 1);
  const digits = intPart + fracPart;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first++;
  if (first === digits.length) return { canonical: '0', text: sent };
  let last = digits.length - 1;
  while (digits.charCodeAt(last) === 48) last--;
  const significant = digits.slice(first, last + 1);
  if (significant.length > MAX_SIGNIFICANT_DIGITS) return 'too-many-digits';
  const exponent = Number(exponentText ?? '0') + intPart.length - first - 1;
  if (exponent < MIN_EXPONENT) return 'too-small';
  if (!(exponent <= MAX_EXPONENT)) return 'too-large';
  return { canonical: `${sign}${significant}e${exponent}`, text: sent };
};

/**
 * True when type inference makes `text` an `N`: a plain decimal that DynamoDB can store. One of at
 * most 38 characters always fits (at most 38 digits, magnitude within 1E-38 and 1E38): only longer
 * ones need the full check.
 */
export const isInferredNumber = (text: string): boolean =>
  PLAIN_DECIMAL.test(text) &&
  (text.length <= MAX_SIGNIFICANT_DIGITS || typeof parseDynamoNumber(text) !== 'string');
