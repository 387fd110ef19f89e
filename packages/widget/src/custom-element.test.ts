import '../test-support/dom.js';
import { describe, expect, it } from 'vitest';
import { defineParleyChat } from './custom-element.js';

describe('defineParleyChat', () => {
  it('renders the launcher in the element from its attributes and cleans up on removal', () => {
    defineParleyChat();
    defineParleyChat(); // idempotent
    const el = document.createElement('parley-chat') as HTMLElement & { widget?: unknown };
    el.setAttribute('server', 'wss://chat.test/ws/visitor');
    el.setAttribute('site-key', 's1');
    el.setAttribute('locale', 'ja');
    el.setAttribute('position', 'left');
    document.body.append(el);
    expect(el.widget).toBeDefined();
    expect(el.getAttribute('data-pos')).toBe('left');
    expect(el.shadowRoot!.querySelector('button')!.getAttribute('aria-label')).toBe('チャット');
    el.remove();
    expect(el.widget).toBeUndefined();
    expect(el.shadowRoot!.childElementCount).toBe(0);
  });
});
