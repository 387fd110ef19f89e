import { describe, expect, it } from 'vitest';
import { DEFAULT_RATES } from './rate-limit.js';
import { createSharedLimits } from './shared-limits.js';

const rates = {
  ...DEFAULT_RATES,
  subjectMessages: { perSecond: 1, burst: 2 },
  ipMessages: { perSecond: 1, burst: 3 },
  ipConversationStarts: { perSecond: 1, burst: 1 },
};

describe('createSharedLimits', () => {
  it('limits one sender across sockets, then the address across senders', () => {
    const limits = createSharedLimits(rates);
    const alice = { role: 'visitor' as const, subjectId: 'v1', address: '198.51.100.1' };
    const bob = { role: 'visitor' as const, subjectId: 'v2', address: '198.51.100.1' };
    expect([limits.takeMessage(alice, 0), limits.takeMessage(alice, 0)]).toEqual([undefined, undefined]);
    expect(limits.takeMessage(alice, 0)).toContain('across your open tabs');
    expect(limits.takeMessage(bob, 0)).toBeUndefined();
    expect(limits.takeMessage(bob, 0)).toContain('from your network');
    expect(limits.takeMessage({ role: 'visitor', subjectId: 'v3', address: '198.51.100.2' }, 0)).toBeUndefined();
  });

  it('does not count agents against their address, and skips exempt addresses', () => {
    const limits = createSharedLimits(rates, ['192.0.2.7']);
    for (let i = 0; i < 5; i++) expect(limits.takeMessage({ role: 'agent', subjectId: `a${i}`, address: '198.51.100.1' }, 0)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(limits.takeMessage({ role: 'visitor', subjectId: `v${i}`, address: '192.0.2.7' }, 0)).toBeUndefined();
    expect([limits.takeConversationStart('192.0.2.7', 0), limits.takeConversationStart('192.0.2.7', 0)]).toEqual([undefined, undefined]);
    expect(limits.takeConversationStart('198.51.100.1', 0)).toBeUndefined();
    expect(limits.takeConversationStart('::ffff:198.51.100.1', 0)).toContain('new conversations');
    expect(limits.takeConversationStart('198.51.100.1', 1000)).toBeUndefined();
  });
});
