// Whether a site is open at a given instant, in the site's own time zone. Escalations outside the hours become
// offline messages even when an agent happens to be signed in, as a site owner who sets hours expects.

import type { BusinessHours } from './storage/storage.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (f === undefined) {
    // en-US with h23 gives stable "Mon" and "00".."23" parts whatever the server's locale.
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `at` (ms since the epoch) falls inside one of the open intervals; `close` is exclusive. */
export function isOpenAt(hours: BusinessHours, at: number): boolean {
  const parts = formatterFor(hours.timezone).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(part('weekday'));
  const time = `${part('hour')}:${part('minute')}`;
  return hours.days.some((d) => d.day === day && d.open <= time && time < d.close);
}
