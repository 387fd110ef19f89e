import { describe, expect, it } from 'vitest';
import { createFakeClient } from '../test-support/fake-client.js';
import { createWidgetStore } from './store/widget-store.js';
import { createTabSync } from './tab-sync.js';

const tab = () => {
  const fake = createFakeClient();
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => null,
    emit: () => {},
    setActive: () => {},
    greeting: '',
    preChat: [],
    locale: 'en',
    isHidden: () => false,
  });
  return { store, fake };
};
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('createTabSync', () => {
  it('shares reads and the conversation between tabs; each tab counts its own messages', async () => {
    const a = tab();
    const b = tab();
    const syncA = createTabSync('parley:test:sync', a.store);
    const syncB = createTabSync('parley:test:sync', b.store);
    // B gets the same message on its own socket: had it taken A's count too, it would count it twice.
    a.store.getState().setUnread(1);
    await settle();
    expect(b.store.getState().ui.unread).toBe(0);
    b.store.getState().setUnread(1);
    await settle();
    expect(a.store.getState().ui.unread).toBe(1);
    b.store.getState().setUnread(0);
    await settle();
    expect(a.store.getState().ui.unread).toBe(0);

    syncA.announce('c9');
    await settle();
    expect(b.fake.mock.join).toHaveBeenCalledWith('c9');
    expect(b.store.getState().conversation.id).toBe('c9');
    syncA.close();
    syncB.close();
  });

  it('ignores malformed messages from other scripts', async () => {
    const b = tab();
    const sync = createTabSync('parley:test:sync2', b.store);
    const other = new BroadcastChannel('parley:test:sync2');
    other.postMessage({ t: 'unread', n: -5 });
    other.postMessage({ t: 'conv', id: { evil: true } });
    other.postMessage('<img src=x>');
    await settle();
    expect(b.store.getState().ui.unread).toBe(0);
    expect(b.fake.mock.join).not.toHaveBeenCalled();
    other.close();
    sync.close();
  });
});
