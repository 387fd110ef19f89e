// The shopper identity the host page hands us (boot config or identify()), reduced to what the server checks.
import type { VisitorIdentity } from '@parley/protocol';

/**
 * Only string `userId` + `hmac`, or a string `jwt`; anything else (name-only identify data, numbers, extra fields)
 * gives undefined, so it never replaces an identity already given. The server verifies the rest.
 */
export function readIdentity(data: unknown): VisitorIdentity | undefined {
  const { userId, hmac, jwt } = (data ?? {}) as Record<string, unknown>;
  if (typeof jwt === 'string' && jwt) return { jwt };
  if (typeof userId === 'string' && userId && typeof hmac === 'string' && hmac) return { userId, hmac };
  return undefined;
}
