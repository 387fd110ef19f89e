import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from './logger.js';
import { createServer, type ParleyServer } from './server.js';

const servers: ParleyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

function start(): ParleyServer {
  const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  servers.push(server);
  return server;
}

describe('createAgent: avatar URL', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    'file:///etc/passwd',
    '//cdn.example/a.png',
    '/avatars/a.png',
    'not a url',
    `https://cdn.example/${'a'.repeat(2048)}.png`,
  ])('refuses %j with CONFIG_INVALID and stores no agent', async (avatarUrl) => {
    const server = start();
    await expect(server.createAgent({ name: 'Mallory', avatarUrl })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('http(s)') });
    const site = await server.storage.getDefaultSite();
    expect((await server.storage.listAgents(site!.id)).map((a) => a.name)).not.toContain('Mallory');
  });

  it('keeps http(s) avatars', async () => {
    const server = start();
    const a = await server.createAgent({ name: 'Ana', avatarUrl: 'https://cdn.example/ana.png' });
    const b = await server.createAgent({ name: 'Ben', avatarUrl: 'http://127.0.0.1:3000/ben.png' });
    expect([a.agent.avatarUrl, b.agent.avatarUrl]).toEqual(['https://cdn.example/ana.png', 'http://127.0.0.1:3000/ben.png']);
  });

  it('answers 400 over the admin API', async () => {
    const server = start();
    const { url } = await server.listen(0, '127.0.0.1');
    const { token } = await server.createAgent({ name: 'Root', role: 'admin' });
    const res = await fetch(`${url}/api/admin/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mallory', avatarUrl: 'javascript:alert(1)' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('http(s)') });
  });
});
