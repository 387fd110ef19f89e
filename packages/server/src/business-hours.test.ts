import { describe, expect, it } from 'vitest';
import { isOpenAt } from './business-hours.js';

const weekdays9to17 = {
  timezone: 'Europe/Lisbon',
  days: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:30' })),
};

describe('isOpenAt', () => {
  it('reads the hours in the site time zone, close exclusive', () => {
    // 2026-11-23 is a Monday; Lisbon is UTC+0 in November.
    expect(isOpenAt(weekdays9to17, Date.parse('2026-11-23T08:59:00Z'))).toBe(false);
    expect(isOpenAt(weekdays9to17, Date.parse('2026-11-23T09:00:00Z'))).toBe(true);
    expect(isOpenAt(weekdays9to17, Date.parse('2026-11-23T17:29:00Z'))).toBe(true);
    expect(isOpenAt(weekdays9to17, Date.parse('2026-11-23T17:30:00Z'))).toBe(false);
  });

  it('is closed on days not listed', () => {
    expect(isOpenAt(weekdays9to17, Date.parse('2026-11-22T12:00:00Z'))).toBe(false); // Sunday
  });

  it('follows the zone across midnight and daylight saving', () => {
    const tokyo = { timezone: 'Asia/Tokyo', days: [{ day: 2, open: '00:00', close: '08:00' }] };
    // Monday 20:00 UTC is Tuesday 05:00 in Tokyo.
    expect(isOpenAt(tokyo, Date.parse('2026-11-23T20:00:00Z'))).toBe(true);
    const ny = { timezone: 'America/New_York', days: [{ day: 3, open: '09:00', close: '10:00' }] };
    expect(isOpenAt(ny, Date.parse('2026-07-01T13:30:00Z'))).toBe(true); // EDT, UTC-4
    expect(isOpenAt(ny, Date.parse('2026-12-02T13:30:00Z'))).toBe(false); // EST, UTC-5: 08:30
  });
});
