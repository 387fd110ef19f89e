import { describe, expect, it } from 'vitest';
import { formatRating } from './format.js';

describe('formatRating', () => {
  it('names the scale and its top, so scores on different scales are not confused', () => {
    expect(formatRating(4)).toBe('4 out of 5 (satisfaction)');
    expect(formatRating(4, 'csat')).toBe('4 out of 5 (satisfaction)');
    expect(formatRating(6, 'ces')).toBe('6 out of 7 (effort)');
    expect(formatRating(0, 'nps')).toBe('0 out of 10 (NPS)');
  });
});
