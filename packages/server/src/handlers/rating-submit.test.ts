// rating.submit against a real server: the scale the shopper saw must be the site's, since a score alone can fit
// several scales (a csat 5 is a valid ces or nps 5).
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logger.js';
import { createServer, type ParleyServer } from '../server.js';
import { connectVisitor, type TestClient } from '../test-client.js';

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
});

async function npsSite() {
  const server = createServer({ dbPath: ':memory:', logger: createJsonLogger({ level: 'silent' }) });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  const site = await server.storage.createSite({ key: 'recommend', allowedOrigins: ['*'], ratingScale: 'nps' });
  const { client } = await connectVisitor(url, { siteKey: site.key });
  clients.push(client);
  const start = async (clientId: string): Promise<string> => {
    const started = await client.request({ type: 'conversation.start', clientId });
    return (started as { conversation: { id: string } }).conversation.id;
  };
  return { server, client, start };
}

describe('rating.submit scale', () => {
  it('refuses a score given on another scale than the site\'s, and stores nothing', async () => {
    const { server, client, start } = await npsSite();
    const conversationId = await start('a');
    // 5 is in range for nps: only the scale says the shopper meant 5 stars out of 5.
    expect(await client.request({ type: 'rating.submit', conversationId, score: 5, scale: 'csat' })).toMatchObject({ type: 'error', code: 'RATING_OUT_OF_SCALE' });
    expect((await server.storage.getConversationDetail(conversationId))!.rating).toBeUndefined();
    // The same score on the right scale is stored, with it.
    expect(await client.request({ type: 'rating.submit', conversationId, score: 5, scale: 'nps' })).toMatchObject({ type: 'rating.created', score: 5, scale: 'nps' });
    expect((await server.storage.getConversationDetail(conversationId))!.rating).toMatchObject({ score: 5, scale: 'nps' });
  });

  it('still takes a rating without a scale from older clients, checked against the site\'s range', async () => {
    const { client, start } = await npsSite();
    expect(await client.request({ type: 'rating.submit', conversationId: await start('b'), score: 0 })).toMatchObject({ type: 'rating.created', score: 0, scale: 'nps' });
  });

  it('refuses an unknown scale at the decoder', async () => {
    const { client, start } = await npsSite();
    expect(await client.request({ type: 'rating.submit', conversationId: await start('c'), score: 5, scale: 'NPS' })).toMatchObject({ type: 'error', code: 'PROTOCOL_BAD_FRAME' });
  });
});
