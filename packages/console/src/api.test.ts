// The REST client against a real server (port 0, SQLite :memory:): the wire format both sides agree on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger, createServer, type ParleyServer } from '@parley/server';
import { ParleyError } from '@parley/protocol';
import { createApi, type ConsoleApi } from './api.js';

let server: ParleyServer;
let api: ConsoleApi;
beforeAll(async () => {
  server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  await server.createAgent({ name: 'Alice', email: 'alice@shop.io', password: 'correct horse', role: 'admin' });
  api = createApi({ baseUrl: url });
});
afterAll(() => server.close({ graceMs: 50 }));

describe('createApi', () => {
  it('logs in and reads me, conversations and CSAT with the session token', async () => {
    const { token, agent } = await api.login('alice@shop.io', 'correct horse');
    expect(agent).toMatchObject({ name: 'Alice', role: 'admin' });
    expect(await api.me(token)).toEqual(agent);
    expect(await api.listConversations(token, { q: 'nobody', status: 'closed', limit: 5 })).toEqual([]);
    expect((await api.csat(token)).perDay).toHaveLength(30);
    await api.logout(token);
    await expect(api.me(token)).rejects.toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
  });

  it('rejects with the server’s code', async () => {
    const wrong = await api.login('alice@shop.io', 'nope').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ParleyError);
    expect(wrong).toMatchObject({ code: 'AUTH_INVALID_TOKEN', message: 'wrong e-mail or password', details: { status: 401 } });
    const { token } = await api.login('alice@shop.io', 'correct horse');
    await expect(api.getConversation(token, 'c_missing')).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });

  it('uploads a file with the session token; a disguised file is refused with the server’s code', async () => {
    const { token } = await api.login('alice@shop.io', 'correct horse');
    const pdf = new File(['%PDF-1.4\n%%EOF\n'], 'label.pdf', { type: 'application/pdf' });
    const attachment = await api.uploadFile(token, pdf);
    expect(attachment).toMatchObject({ name: 'label.pdf', mime: 'application/pdf', size: pdf.size });
    expect(await (await fetch(attachment.url)).text()).toBe('%PDF-1.4\n%%EOF\n');
    await expect(api.uploadFile(token, new File(['not a png'], 'x.png', { type: 'image/png' }))).rejects.toMatchObject({ code: 'ATTACHMENT_TYPE_REFUSED' });
    await expect(api.uploadFile('pat_wrong', pdf)).rejects.toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
  });

  it('maps an unreachable server to TRANSPORT_NOT_CONNECTED', async () => {
    const offline = createApi({ baseUrl: 'http://127.0.0.1:9', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(offline.me('x')).rejects.toMatchObject({ code: 'TRANSPORT_NOT_CONNECTED', retryable: true });
  });
});
