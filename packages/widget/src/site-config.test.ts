import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchSiteConfig, readSiteConfig, siteConfigUrl } from './site-config.js';

describe('siteConfigUrl', () => {
  it('maps the visitor socket URL to the site config on the same host', () => {
    expect(siteConfigUrl('wss://chat.example/ws/visitor?x=1', 'shop')).toBe('https://chat.example/api/sites/shop/public');
    expect(siteConfigUrl('ws://127.0.0.1:8080/ws/visitor', 'a b/../c')).toBe('http://127.0.0.1:8080/api/sites/a%20b%2F..%2Fc/public');
  });
});

describe('readSiteConfig', () => {
  it('keeps well-formed fields and drops the rest', () => {
    expect(
      readSiteConfig({
        key: 'shop',
        theme: { color: '#0a7', position: 'left', greeting: 'Olá!' },
        ratingScale: 'nps',
        preChat: ['email', 'name'],
        transcriptEmail: true,
        isOpen: false,
        secret: 'ignored',
      }),
    ).toEqual({ color: '#0a7', position: 'left', greeting: 'Olá!', ratingScale: 'nps', preChat: ['email', 'name'], canEmailTranscript: true, isSiteOpen: false });
    expect(
      readSiteConfig({ theme: { color: 7, position: 'top', greeting: 'x'.repeat(501) }, ratingScale: 'stars', preChat: ['phone'], transcriptEmail: 'yes', isOpen: 1 }),
    ).toEqual({});
    for (const raw of [null, 'x', [1], 42]) expect(readSiteConfig(raw)).toEqual({});
  });
});

describe('fetchSiteConfig', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve(status: number, body: string): Promise<string> {
    server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/shop/public`;
  }

  it('reads a good answer', async () => {
    const url = await serve(200, JSON.stringify({ key: 'shop', ratingScale: 'ces', transcriptEmail: false }));
    expect(await fetchSiteConfig(url)).toEqual({ ratingScale: 'ces', canEmailTranscript: false });
  });

  it.each([
    ['a 404', 404, '{"code":"PROTOCOL_UNKNOWN_TYPE"}'],
    ['a 500', 500, 'oops'],
    ['bad JSON', 200, '{"ratingScale":'],
    ['an oversize answer', 200, JSON.stringify({ ratingScale: 'nps', pad: 'x'.repeat(20_000) })],
  ])('gives undefined for %s, never throwing', async (_name, status, body) => {
    expect(await fetchSiteConfig(await serve(status, body))).toBeUndefined();
  });

  it('gives undefined when nothing listens', async () => {
    const url = await serve(200, '{}');
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    expect(await fetchSiteConfig(url)).toBeUndefined();
  });
});
