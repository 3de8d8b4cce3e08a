/**
 * S3's `sequencer` for the events the local stack and tests send: a fixed-width hex string that
 * grows with every upload, even two in the same millisecond (s3rver's own is `Date.now()`, equal
 * for uploads within a millisecond, and the ledger would take the second for a duplicate).
 */
export const createSequencer = (now: () => number = Date.now) => {
  let lastMs = 0;
  let count = 0;
  return (): string => {
    const ms = Math.max(now(), lastMs);
    count = ms === lastMs ? count + 1 : 0;
    lastMs = ms;
    return `${ms.toString(16).padStart(12, '0')}${count.toString(16).padStart(6, '0')}`.toUpperCase();
  };
};

/** The event with its (single or every) record's `s3.object.sequencer` set. */
export const withSequencer = <Event extends { Records: { s3: { object: object } }[] }>(
  event: Event,
  sequencer: string,
): Event => {
  for (const record of event.Records) Object.assign(record.s3.object, { sequencer });
  return event;
};
