// The token signing key when none is configured: read from, or created in, the data directory (mode 0600).

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParleyError } from '@parley/protocol';
import { generateSecret, MIN_SECRET_LENGTH } from './token.js';

/**
 * Returns the secret stored next to `dbPath`, creating it on first boot so tokens survive restarts.
 * `:memory:` databases get a fresh secret each time (nothing survives a restart there anyway).
 */
export function loadOrCreateSecret(dbPath: string): { secret: string; path: string | undefined; isNew: boolean } {
  if (dbPath === ':memory:') return { secret: generateSecret(), path: undefined, isNew: true };
  const path = join(dirname(dbPath), 'secret');
  try {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ParleyError('CONFIG_INVALID', `${path} holds a secret shorter than ${MIN_SECRET_LENGTH} characters; delete it or set PARLEY_SECRET`);
    }
    return { secret, path, isNew: false };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') {
      if (err instanceof ParleyError) throw err;
      throw new ParleyError('CONFIG_INVALID', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  const secret = generateSecret();
  try {
    mkdirSync(dirname(path), { recursive: true });
    // 'wx': if another process created it meanwhile, fail rather than overwrite the key its tokens use.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return loadOrCreateSecret(dbPath);
    throw new ParleyError('CONFIG_INVALID', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { secret, path, isNew: true };
}
