import { describe, expect, it } from 'vitest';
import { compareEvent, compareSequencers } from '../../../src/core/sequencer.ts';

describe('compareSequencers()', () => {
  it.each([
    { a: '0055AED6DCD90281E5', b: '0055AED6DCD90281E6', order: -1 },
    { a: '0055AED6DCD90281E6', b: '0055AED6DCD90281E5', order: 1 },
    { a: '0055AED6DCD90281E5', b: '0055AED6DCD90281E5', order: 0 },
    // The shorter one is right-padded with 0: 'A1' is 'A10' against 'A0F', hence newer.
    { a: 'A1', b: 'A0F', order: 1 },
    { a: 'A1', b: 'A10', order: 0 },
    { a: 'A1', b: 'A11', order: -1 },
    // As strings, not as numbers: a longer value is not newer for being longer.
    { a: '9', b: '10', order: 1 },
    { a: '0055aed6dcd90281e6', b: '0055AED6DCD90281E5', order: 1 },
  ])('orders $a against $b as $order', ({ a, b, order }) => {
    expect(Math.sign(compareSequencers(a, b))).toBe(order);
  });
});

describe('compareEvent()', () => {
  it.each([
    { incoming: undefined, stored: 'FF', order: 1, why: 'an event without a sequencer is newer than any' },
    { incoming: '00', stored: undefined, order: 1, why: 'anything is newer than a key taken without one' },
    { incoming: undefined, stored: undefined, order: 1, why: 'two events without one: the later wins' },
    { incoming: '01', stored: '02', order: -1, why: 'S3 order otherwise' },
  ])('$why', ({ incoming, stored, order }) => {
    expect(Math.sign(compareEvent(incoming, stored))).toBe(order);
  });
});
