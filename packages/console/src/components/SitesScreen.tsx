// Admin: the installation's sites: pick one to edit (SiteEditor), or add a new one.
import { useEffect, useState } from 'preact/hooks';
import { useAdmin, useAdminStore } from '../admin/use-admin.js';
import { AdminNotice } from './AdminNotice.js';
import { SiteEditor } from './SiteEditor.js';

export function SitesScreen() {
  const store = useAdminStore();
  const admin = store.getState();
  const sites = useAdmin((s) => s.sites);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [key, setKey] = useState('');
  const [origins, setOrigins] = useState('');
  const [formError, setFormError] = useState<string | undefined>();
  const { loadSites } = admin;
  useEffect(() => void loadSites(), [loadSites]);
  const selected = sites.list.find((s) => s.id === selectedId) ?? sites.list[0];

  return (
    <section aria-labelledby="sites-title">
      <h1 id="sites-title">Sites</h1>
      <AdminNotice />
      {sites.error !== undefined && (
        <p class="error" role="alert">
          {sites.error}
        </p>
      )}
      {sites.isLoading && sites.list.length === 0 && <p class="muted">Loading sites…</p>}
      {sites.list.length > 0 && (
        <div class="field">
          <label for="site-select">Site to edit</label>
          <select id="site-select" value={selected?.id} onChange={(e) => setSelectedId(e.currentTarget.value)}>
            {sites.list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.key}
              </option>
            ))}
          </select>
        </div>
      )}
      {selected !== undefined && <SiteEditor key={`${selected.id}`} site={selected} />}

      <form
        class="card admin-form"
        aria-labelledby="site-add-title"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(key.trim())) return setFormError('Use 1–64 letters, digits, - or _ for the key.');
          const allowedOrigins = origins
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l !== '');
          setFormError(undefined);
          if (await admin.createSite({ key: key.trim(), allowedOrigins: allowedOrigins.length === 0 ? ['*'] : allowedOrigins })) {
            setSelectedId(store.getState().sites.list.at(-1)?.id);
            setKey('');
            setOrigins('');
          }
        }}
      >
        <h2 id="site-add-title">Add a site</h2>
        <div class="field">
          <label for="site-new-key">Site key</label>
          <input id="site-new-key" value={key} maxLength={64} aria-describedby="site-new-key-hint" onInput={(e) => setKey(e.currentTarget.value)} />
          <p class="hint" id="site-new-key-hint">
            What the widget sends as its site key; it cannot be changed later.
          </p>
        </div>
        <div class="field">
          <label for="site-new-origins">Allowed origins</label>
          <textarea id="site-new-origins" rows={2} aria-describedby="site-new-origins-hint" value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
          <p class="hint" id="site-new-origins-hint">
            One per line; empty allows any.
          </p>
        </div>
        {formError !== undefined && (
          <p class="error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="primary">
          Create site
        </button>
      </form>
    </section>
  );
}
