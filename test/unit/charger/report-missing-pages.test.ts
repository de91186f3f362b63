import { describe, expect, it } from 'vitest';
import { MISSING_SEQNOS_LISTED, missingPages } from '#shared/charger/report.ts';

describe('missingPages', () => {
  it('lists the missing numbers up to the last page and counts them', () => {
    expect(missingPages(new Set([0, 2, 5]), 5)).toEqual({ count: 3, first: [1, 3, 4] });
    expect(missingPages(new Set([0, 1]), 1)).toEqual({ count: 0, first: [] });
    expect(missingPages(new Set(), -1)).toEqual({ count: 0, first: [] });
  });
  it('ignores pages past the range it checks', () => {
    expect(missingPages(new Set([0, 9]), 3)).toEqual({ count: 3, first: [1, 2, 3] });
  });
  it('lists the first few of a million missing numbers and counts them all', () => {
    const missing = missingPages(new Set([999_999]), 999_999);
    expect(missing.count).toBe(999_999);
    expect(missing.first).toEqual(Array.from({ length: MISSING_SEQNOS_LISTED }, (_, i) => i));
  });
});
