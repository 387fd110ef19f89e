import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

describe('hashPassword', () => {
  it('writes scrypt$N$r$p$salt$hash with a random 16-byte salt and a 64-byte key', async () => {
    const a = await hashPassword('hunter22');
    const b = await hashPassword('hunter22');
    const [scheme, N, r, p, salt, key] = a.split('$');
    expect([scheme, N, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64url')).toHaveLength(64);
    expect(a).not.toBe(b);
  });
});

describe('verifyPassword', () => {
  it('accepts the password and refuses others', async () => {
    const stored = await hashPassword('pässwörd');
    expect(await verifyPassword('pässwörd', stored)).toBe(true);
    expect(await verifyPassword('pässwörd'.normalize('NFD'), stored)).toBe(true);
    expect(await verifyPassword('password', stored)).toBe(false);
  });

  it('never matches malformed or hostile hashes', async () => {
    const stored = await hashPassword('x');
    const [, , , , salt, key] = stored.split('$');
    for (const bad of ['', 'bcrypt$x', `scrypt$1000$8$1$${salt}$${key}`, `scrypt$${2 ** 24}$8$1$${salt}$${key}`, `scrypt$16384$99$1$${salt}$${key}`, `scrypt$16384$8$1$$${key}`, `scrypt$16384$8$1$${salt}$abc`]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});
