// The banner: who is signed in, connection, availability and capacity, notifications, sign out.
import type { Availability } from '@parley/protocol';
import { useActions, useStore } from '../hooks/use-store.js';

const CONNECTION: Record<string, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  handshaking: 'Connecting…',
  open: 'Connected',
  waiting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
};

export function Header() {
  const { setAvailability, setCapacity, logout, enableNotifications } = useActions();
  const agent = useStore((s) => s.auth.agent);
  const availability = useStore((s) => s.availability);
  const capacity = useStore((s) => s.capacity);
  const connection = useStore((s) => s.connection);
  const permission = useStore((s) => s.notificationPermission);
  return (
    <header class="app-header">
      <p class="brand">Parley Console</p>
      <p class={`connection connection-${connection}`}>
        <span class="dot" aria-hidden="true" />
        {CONNECTION[connection] ?? connection}
      </p>
      <div class="header-controls">
        <div class="field inline">
          <label for="availability">Availability</label>
          <select id="availability" value={availability} onChange={(e) => void setAvailability(e.currentTarget.value as Availability)}>
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="offline">Offline</option>
          </select>
        </div>
        <div class="field inline">
          <label for="capacity">Max chats</label>
          <input
            id="capacity"
            type="number"
            min={1}
            max={20}
            value={capacity}
            onChange={(e) => void setCapacity(Number(e.currentTarget.value))}
          />
        </div>
        {permission === 'default' && (
          <button type="button" onClick={() => void enableNotifications()}>
            Enable desktop notifications
          </button>
        )}
        <p class="who">
          {agent?.name}
          {agent?.role === 'admin' ? ' (admin)' : ''}
        </p>
        <button type="button" onClick={() => void logout()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
