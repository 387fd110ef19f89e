import { describe, expect, it } from 'vitest';
import { rateKeyFor } from './handshake.js';

describe('rateKeyFor', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s → %s', (address, key) => {
    expect(rateKeyFor(address)).toBe(key);
  });

  it('gives every address of one /64 the same key', () => {
    expect(rateKeyFor('2001:db8:1:2::a')).toBe(rateKeyFor('2001:db8:1:2:ffff::b'));
    expect(rateKeyFor('2001:db8:1:3::a')).not.toBe(rateKeyFor('2001:db8:1:2::a'));
  });
});
