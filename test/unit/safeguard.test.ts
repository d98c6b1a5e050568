/** The safeguard's verdict (src/sync/safeguard.ts) and the batching helper, at their boundaries. */
import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../src/batches.js';
import { safeguardVerdict } from '../../src/sync/safeguard.js';

const defaults = { minMembers: 100, maxUnenrollRatio: 0.2 };

describe('safeguardVerdict', () => {
  it('never pauses a profile of minMembers members or fewer, nor one that turned the check off', () => {
    expect(safeguardVerdict(100, 100, true, defaults)).toBeNull();
    expect(safeguardVerdict(0, 0, true, defaults)).toBeNull();
    expect(safeguardVerdict(500, 400, false, defaults)).toBeNull();
  });

  it('applies exactly the ratio and pauses just over it', () => {
    expect(safeguardVerdict(110, 22, true, defaults)).toBeNull();
    expect(safeguardVerdict(101, 20, true, defaults)).toBeNull();
    expect(safeguardVerdict(101, 21, true, defaults)).toBe('Would unenroll 21 of 101 members (20.8%), more than 20% of a profile with more than 100 members');
    expect(safeguardVerdict(110, 23, true, defaults)).toBe('Would unenroll 23 of 110 members (20.9%), more than 20% of a profile with more than 100 members');
  });

  it('states a ratio that binary fractions cannot hold exactly as a person would write it', () => {
    expect(safeguardVerdict(1000, 100, true, { minMembers: 10, maxUnenrollRatio: 0.07 })).toBe('Would unenroll 100 of 1000 members (10%), more than 7% of a profile with more than 10 members');
  });
});

describe('batchesOf', () => {
  it('splits into batches of the size, the last one shorter, none for no items', () => {
    expect(batchesOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchesOf([], 3)).toEqual([]);
    expect(() => batchesOf([1], 0)).toThrow(RangeError);
  });
});
