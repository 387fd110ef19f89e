// Creating agents: a random token shown once, its SHA-256 stored. Shared by createServer().createAgent and the CLI.

import { ParleyError } from '@parley/protocol';
import type { Agent, Storage } from './storage/storage.js';
import { generateAgentToken, hashAgentToken } from './token.js';

/** Longest agent name, matching the protocol's label limit. */
const MAX_NAME_LENGTH = 512;

export async function createAgentRecord(
  storage: Storage,
  input: { name: string; avatarUrl?: string; siteKey?: string },
): Promise<{ agent: Agent; token: string }> {
  const name = input.name.trim();
  if (name === '' || name.length > MAX_NAME_LENGTH) {
    throw new ParleyError('CONFIG_INVALID', `agent name must be 1–${MAX_NAME_LENGTH} characters`);
  }
  const site = input.siteKey === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(input.siteKey);
  if (site === undefined) throw new ParleyError('CONFIG_INVALID', `no site with key "${input.siteKey}"`);
  const token = generateAgentToken();
  const agent = await storage.createAgent({
    siteId: site.id,
    name,
    tokenHash: hashAgentToken(token),
    ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }),
  });
  return { agent, token };
}
