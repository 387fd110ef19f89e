// Admin: one site's settings form: allowed origins, identity secret + "requires verified identity", business hours
// (per weekday, in one time zone) and the widget theme. Saves them together with one PATCH.
import { useState } from 'preact/hooks';
import type { RatingScale } from '@parley/protocol';
import type { AdminSite, BusinessHours, SitePatchInput } from '../admin/admin-api.js';
import { useAdminStore } from '../admin/use-admin.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DEFAULT_COLOR = '#0b57d0';

interface DayForm {
  isOpen: boolean;
  open: string;
  close: string;
}

function daysFrom(hours: BusinessHours | undefined): DayForm[] {
  return WEEKDAYS.map((_, day) => {
    const found = hours?.days.find((d) => d.day === day);
    return found === undefined ? { isOpen: false, open: '09:00', close: '17:00' } : { isOpen: true, open: found.open, close: found.close };
  });
}

function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

export function SiteEditor({ site }: { site: AdminSite }) {
  const admin = useAdminStore().getState();
  const id = (name: string) => `site-${site.id}-${name}`;
  const [origins, setOrigins] = useState(site.allowedOrigins.join('\n'));
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [requiresIdentity, setRequiresIdentity] = useState(site.requiresIdentity);
  const [hasHours, setHasHours] = useState(site.businessHours !== undefined);
  const [timezone, setTimezone] = useState(site.businessHours?.timezone ?? localTimeZone());
  const [days, setDays] = useState(() => daysFrom(site.businessHours));
  const [color, setColor] = useState(site.theme?.color ?? '');
  const [position, setPosition] = useState<'left' | 'right'>(site.theme?.position ?? 'right');
  const [greeting, setGreeting] = useState(site.theme?.greeting ?? '');
  const [ratingScale, setRatingScale] = useState<RatingScale>(site.ratingScale ?? 'csat');
  const [error, setError] = useState<string | undefined>();
  const [isSaving, setIsSaving] = useState(false);

  const setDay = (day: number, change: Partial<DayForm>) => setDays(days.map((d, i) => (i === day ? { ...d, ...change } : d)));

  const buildPatch = (): SitePatchInput | string => {
    const allowedOrigins = origins
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    if (allowedOrigins.length === 0) return 'List at least one origin, or * for any.';
    const patch: SitePatchInput = { allowedOrigins, requiresIdentity };
    if (removeSecret) patch.identitySecret = null;
    else if (secret !== '') {
      if (secret.length < 32) return 'The identity secret must be at least 32 characters.';
      patch.identitySecret = secret;
    }
    if (hasHours) {
      const open = days.flatMap((d, day) => (d.isOpen ? [{ day, open: d.open, close: d.close }] : []));
      const wrong = open.find((d) => d.open >= d.close);
      if (wrong !== undefined) return `On ${WEEKDAYS[wrong.day]}, opening must be before closing.`;
      patch.businessHours = { timezone: timezone.trim(), days: open };
    } else patch.businessHours = null;
    const theme = { ...(color === '' ? {} : { color }), position, ...(greeting.trim() === '' ? {} : { greeting: greeting.trim() }) };
    patch.theme = theme;
    patch.ratingScale = ratingScale;
    return patch;
  };

  return (
    <form
      class="card admin-form"
      aria-labelledby={id('title')}
      onSubmit={async (e) => {
        e.preventDefault();
        const patch = buildPatch();
        if (typeof patch === 'string') return setError(patch);
        setError(undefined);
        setIsSaving(true);
        const ok = await admin.updateSite(site.id, patch);
        setIsSaving(false);
        if (ok) {
          setSecret('');
          setRemoveSecret(false);
        }
      }}
    >
      <h2 id={id('title')}>Site “{site.key}”</h2>
      <div class="field">
        <label for={id('origins')}>Allowed origins</label>
        <textarea id={id('origins')} rows={3} aria-describedby={id('origins-hint')} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
        <p class="hint" id={id('origins-hint')}>
          One per line, like https://shop.example (no path), or * for any site.
        </p>
      </div>

      <fieldset>
        <legend>Shopper identity</legend>
        <p class="muted" id={id('secret-state')}>
          {site.hasIdentitySecret ? 'A secret is set (it is never shown).' : 'No secret is set.'}
        </p>
        <div class="field">
          <label for={id('secret')}>New identity secret</label>
          <input
            id={id('secret')}
            type="password"
            autocomplete="new-password"
            maxLength={1024}
            aria-describedby={id('secret-state')}
            value={secret}
            disabled={removeSecret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </div>
        {site.hasIdentitySecret && (
          <div class="radio">
            <input id={id('remove-secret')} type="checkbox" checked={removeSecret} onChange={(e) => setRemoveSecret(e.currentTarget.checked)} />
            <label for={id('remove-secret')}>Remove the secret</label>
          </div>
        )}
        <div class="radio">
          <input id={id('requires')} type="checkbox" checked={requiresIdentity} onChange={(e) => setRequiresIdentity(e.currentTarget.checked)} />
          <label for={id('requires')}>Requires verified identity</label>
        </div>
      </fieldset>

      <fieldset>
        <legend>Business hours</legend>
        <div class="radio">
          <input id={id('has-hours')} type="checkbox" checked={hasHours} onChange={(e) => setHasHours(e.currentTarget.checked)} />
          <label for={id('has-hours')}>Set business hours</label>
        </div>
        {hasHours && (
          <>
            <div class="field">
              <label for={id('tz')}>Time zone</label>
              <input id={id('tz')} value={timezone} maxLength={64} aria-describedby={id('tz-hint')} onInput={(e) => setTimezone(e.currentTarget.value)} />
              <p class="hint" id={id('tz-hint')}>
                An IANA name such as Europe/Lisbon or America/New_York.
              </p>
            </div>
            <table class="admin-table hours">
              <caption class="visually-hidden">Opening hours per weekday</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Open</th>
                  <th scope="col">Opens</th>
                  <th scope="col">Closes</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d, day) => (
                  <tr key={day}>
                    <th scope="row">{WEEKDAYS[day]}</th>
                    <td>
                      <input id={id(`open-${day}`)} type="checkbox" checked={d.isOpen} aria-label={`Open on ${WEEKDAYS[day]}`} onChange={(e) => setDay(day, { isOpen: e.currentTarget.checked })} />
                    </td>
                    <td>
                      <input type="time" value={d.open} disabled={!d.isOpen} aria-label={`${WEEKDAYS[day]} opens at`} onInput={(e) => setDay(day, { open: e.currentTarget.value })} />
                    </td>
                    <td>
                      <input type="time" value={d.close} disabled={!d.isOpen} aria-label={`${WEEKDAYS[day]} closes at`} onInput={(e) => setDay(day, { close: e.currentTarget.value })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>Widget theme</legend>
        <div class="field inline">
          <input id={id('color')} type="color" value={color === '' ? DEFAULT_COLOR : expandColor(color)} onInput={(e) => setColor(e.currentTarget.value)} />
          <label for={id('color')}>Accent colour{color === '' ? ' (widget default)' : ` ${color}`}</label>
        </div>
        <div class="field">
          <label for={id('position')}>Position</label>
          <select id={id('position')} value={position} onChange={(e) => setPosition(e.currentTarget.value === 'left' ? 'left' : 'right')}>
            <option value="right">Bottom right</option>
            <option value="left">Bottom left</option>
          </select>
        </div>
        <div class="field">
          <label for={id('greeting')}>Greeting</label>
          <textarea id={id('greeting')} rows={2} maxLength={500} value={greeting} onInput={(e) => setGreeting(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={id('rating')}>Rating after a chat</label>
          <select id={id('rating')} value={ratingScale} onChange={(e) => setRatingScale(e.currentTarget.value as RatingScale)}>
            <option value="csat">Satisfaction (CSAT, 1–5 stars)</option>
            <option value="ces">Effort (CES, 1–7)</option>
            <option value="nps">Recommendation (NPS, 0–10)</option>
          </select>
        </div>
      </fieldset>

      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={isSaving}>
        Save site {site.key}
      </button>
    </form>
  );
}

/** `<input type=color>` takes only `#rrggbb`. */
function expandColor(color: string): string {
  return /^#[0-9a-f]{3}$/i.test(color) ? `#${[...color.slice(1)].map((c) => c + c).join('')}` : color;
}
