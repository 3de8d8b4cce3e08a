/**
 * Orders two S3 `sequencer` values of one object key as S3 documents it: the shorter hex string
 * is right-padded with `0`, then the two are compared as strings. S3 writes them in upper case;
 * both are upper-cased so that a hand-made lower-case value compares the same way.
 * Negative when `a` is older, positive when newer, 0 for the same upload.
 */
export const compareSequencers = (a: string, b: string): number => {
  const length = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(length, '0');
  const right = b.toUpperCase().padEnd(length, '0');
  return left < right ? -1 : left > right ? 1 : 0;
};

/**
 * Orders an incoming event against the one a key was last taken for. An event without a
 * sequencer (not sent by S3: hand-made, or marked by `csv2ddb replay --function`) counts as
 * newer than any before it, and anything counts as newer than a key taken without one.
 */
export const compareEvent = (incoming: string | undefined, stored: string | undefined): number =>
  incoming === undefined || stored === undefined ? 1 : compareSequencers(incoming, stored);
