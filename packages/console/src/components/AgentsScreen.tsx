// Admin: the site's agents (name, e-mail, role, state), adding one with a password, disabling one.
import { useEffect, useState } from 'preact/hooks';
import { useAdmin, useAdminStore } from '../admin/use-admin.js';
import { AdminNotice } from './AdminNotice.js';
import { useStore } from '../hooks/use-store.js';

export function AgentsScreen() {
  const admin = useAdminStore().getState();
  const agents = useAdmin((s) => s.agents);
  const me = useStore((s) => s.auth.agent?.id);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'agent' | 'admin'>('agent');
  const [formError, setFormError] = useState<string | undefined>();
  const { loadAgents } = admin;
  useEffect(() => void loadAgents(), [loadAgents]);

  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <AdminNotice />
      {agents.error !== undefined && (
        <p class="error" role="alert">
          {agents.error}
        </p>
      )}
      {agents.isLoading && agents.list.length === 0 ? (
        <p class="muted">Loading agents…</p>
      ) : (
        <table class="admin-table">
          <caption class="visually-hidden">Agents of this site</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.list.map((a) => (
              <tr key={a.id}>
                <th scope="row">{a.name}</th>
                <td>{a.email ?? '—'}</td>
                <td>{a.role === 'admin' ? 'Admin' : 'Agent'}</td>
                <td>{a.disabled ? 'Disabled' : a.availability}</td>
                <td>
                  {!a.disabled && a.id !== me && (
                    <button type="button" disabled={agents.busyId === a.id} onClick={() => void admin.disableAgent(a.id)}>
                      Disable {a.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="card admin-form"
        aria-labelledby="agent-add-title"
        onSubmit={async (e) => {
          e.preventDefault();
          if (name.trim() === '') return setFormError('Write the agent’s name.');
          if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return setFormError('Write an e-mail address like sam@shop.example.');
          if (password.length < 8) return setFormError('Use a password of at least 8 characters.');
          setFormError(undefined);
          if (await admin.createAgent({ name: name.trim(), email: email.trim(), password, role })) {
            setName('');
            setEmail('');
            setPassword('');
            setRole('agent');
          }
        }}
      >
        <h2 id="agent-add-title">Add an agent</h2>
        <div class="field">
          <label for="agent-new-name">Name</label>
          <input id="agent-new-name" value={name} maxLength={512} autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="agent-new-email">E-mail</label>
          <input id="agent-new-email" type="email" value={email} maxLength={254} autocomplete="off" onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="agent-new-password">Password</label>
          <input id="agent-new-password" type="password" value={password} maxLength={1024} autocomplete="new-password" onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="agent-new-role">Role</label>
          <select id="agent-new-role" value={role} onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'agent')}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        {formError !== undefined && (
          <p class="error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="primary">
          Create agent
        </button>
      </form>
    </section>
  );
}
