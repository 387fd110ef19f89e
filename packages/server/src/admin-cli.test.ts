import { EventEmitter } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropTestSchemas, nextTestSchema } from './test-postgres.js';
import { EXIT_NOT_FOUND } from './admin-cli.js';
import { EXIT_CONFIG_INVALID, runCli } from './run-cli.js';
import { connectVisitor } from './test-client.js';
import { verifyWebhookSignature } from './webhooks.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-admin-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => dropTestSchemas());

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, signals: new EventEmitter() } };
}

const lines = (out: string[]) => out.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('parley-server admin commands', () => {
  it('serves with webhooks, a metrics token and retention, then exports and erases the visitor from the CLI', async () => {
    const db = join(dir, 'gdpr', 'parley.db');
    const hooks: Array<{ signature: string; body: string }> = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hooks.push({ signature: String(req.headers['parley-signature']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/in`;
    const env = {
      PARLEY_SECRET: 'x'.repeat(40),
      PARLEY_PORT: '0',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_WEBHOOK_URLS: hookUrl,
      PARLEY_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
      PARLEY_WEBHOOK_EVENTS: 'message.created',
      PARLEY_METRICS_TOKEN: 'metrics-token-0123456789',
      PARLEY_RETENTION_DAYS: '30',
    };
    const serving = io();
    const exit = runCli(['--db', db], env, serving.io);
    await expect.poll(() => serving.out.join('')).toContain('listening');
    const { url } = lines(serving.out)[0] as { url: string };
    let visitorId: string;
    try {
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
      const v = await connectVisitor(url);
      visitorId = (v.welcome as { subjectId: string }).subjectId;
      const started = await v.client.request({ type: 'conversation.start', clientId: 's1' });
      const conversationId = (started as { conversation: { id: string } }).conversation.id;
      await v.client.request({ type: 'message.send', conversationId, clientId: 'm1', text: 'please forget me' });
      v.client.close();
      await expect.poll(() => hooks.length).toBe(1);
      expect(verifyWebhookSignature({ secret: env.PARLEY_WEBHOOK_SECRET, header: hooks[0]!.signature, body: hooks[0]!.body })).toBe(true);
      expect(JSON.parse(hooks[0]!.body)).toMatchObject({ event: 'message.created', data: { message: { text: 'please forget me' } } });
    } finally {
      serving.io.signals.emit('SIGTERM');
      expect(await exit).toBe(0);
      await new Promise((resolve) => receiver.close(resolve));
    }

    const exported = io();
    expect(await runCli(['export-visitor', '--visitor', visitorId, '--db', db], {}, exported.io)).toBe(0);
    const data = JSON.parse(exported.out.join('')) as { visitor: { id: string }; conversations: Array<{ messages: Array<{ text: string }> }> };
    expect(data.visitor.id).toBe(visitorId);
    expect(data.conversations[0]!.messages.map((m) => m.text)).toEqual(['please forget me']);

    const erased = io();
    expect(await runCli(['erase-visitor', '--visitor', visitorId, '--db', db], { PARLEY_LOG_LEVEL: 'silent' }, erased.io)).toBe(0);
    expect(lines(erased.out)[0]).toEqual({ event: 'visitor.erased', visitorId, conversations: 1, messages: 1, attachmentUrls: [] });
    const again = io();
    expect(await runCli(['export-visitor', '--visitor', visitorId, '--db', db], {}, again.io)).toBe(EXIT_NOT_FOUND);
    expect(again.err.join('')).toContain('not found');
  });

  it('creates and lists sites, lists and disables agents', async () => {
    const db = join(dir, 'admin', 'parley.db');
    const site = io();
    expect(await runCli(['create-site', '--key', 'shop-2', '--allowed-origins', 'https://shop2.example', '--db', db], {}, site.io)).toBe(0);
    expect(lines(site.out)[0]).toMatchObject({ event: 'site.created', key: 'shop-2', allowedOrigins: ['https://shop2.example'] });
    const dup = io();
    expect(await runCli(['create-site', '--key', 'shop-2', '--db', db], {}, dup.io)).toBe(1);
    expect(dup.err.join('')).toContain('STORAGE_CONFLICT');
    const sites = io();
    expect(await runCli(['list-sites', '--db', db], {}, sites.io)).toBe(0);
    expect(lines(sites.out).map((s) => s.key)).toEqual(['demo', 'shop-2']);

    const created = io();
    expect(await runCli(['create-agent', '--name', 'Ann', '--db', db], {}, created.io)).toBe(0);
    const { agentId } = lines(created.out)[0] as { agentId: string };
    const disabled = io();
    expect(await runCli(['disable-agent', '--agent', agentId, '--db', db], { PARLEY_LOG_LEVEL: 'silent' }, disabled.io)).toBe(0);
    const agents = io();
    expect(await runCli(['list-agents', '--db', db], {}, agents.io)).toBe(0);
    expect(lines(agents.out)).toEqual([expect.objectContaining({ agentId, name: 'Ann', disabled: true })]);
    const missing = io();
    expect(await runCli(['disable-agent', '--agent', 'a_nope', '--db', db], {}, missing.io)).toBe(EXIT_NOT_FOUND);
    const otherSite = io();
    expect(await runCli(['list-agents', '--site', 'shop-2', '--db', db], {}, otherSite.io)).toBe(0);
    expect(otherSite.out.join('')).toBe('');
  });

  it.skipIf(DATABASE_URL === undefined)('runs against Postgres with --database-url', async () => {
    const db = ['--database-url', DATABASE_URL!, '--database-schema', nextTestSchema()];
    const site = io();
    expect(await runCli(['create-site', '--key', 'pg-shop', ...db], {}, site.io)).toBe(0);
    const sites = io();
    expect(await runCli(['list-sites', ...db], {}, sites.io)).toBe(0);
    expect(lines(sites.out).map((s) => s.key)).toEqual(['demo', 'pg-shop']);
    const created = io();
    expect(await runCli(['create-agent', '--name', 'Pat', ...db], {}, created.io)).toBe(0);
    const { agentId } = lines(created.out)[0] as { agentId: string };
    expect(await runCli(['disable-agent', '--agent', agentId, ...db], { PARLEY_LOG_LEVEL: 'silent' }, io().io)).toBe(0);
    const agents = io();
    expect(await runCli(['list-agents', ...db], {}, agents.io)).toBe(0);
    expect(lines(agents.out)).toEqual([expect.objectContaining({ agentId, disabled: true })]);
    expect(await runCli(['erase-visitor', '--visitor', 'v_nobody', ...db], {}, io().io)).toBe(EXIT_NOT_FOUND);
  });

  it.each([
    [['export-visitor'], {}, '--visitor'],
    [['erase-visitor', '--visitor', 'a b'], {}, '--visitor'],
    [['--visitor', 'v_1'], {}, 'only for'],
    [['disable-agent'], {}, '--agent'],
    [['create-site'], {}, '--key'],
    [['--retention-days', '0'], {}, 'retention'],
    [[], { PARLEY_WEBHOOK_URLS: 'https://hooks.example/in' }, 'PARLEY_WEBHOOK_SECRET'],
    [[], { PARLEY_WEBHOOK_URLS: 'ftp://hooks.example/in', PARLEY_WEBHOOK_SECRET: 'whsec-0123456789abcdef' }, 'http(s)'],
    [[], { PARLEY_WEBHOOK_URLS: 'https://h.example', PARLEY_WEBHOOK_SECRET: 'whsec-0123456789abcdef', PARLEY_WEBHOOK_EVENTS: 'nope' }, 'webhook events'],
    [[], { PARLEY_METRICS_TOKEN: 'short' }, 'PARLEY_METRICS_TOKEN'],
  ] as const)('refuses %j %j with CONFIG_INVALID naming %s', async (argv, env, mention) => {
    const t = io();
    expect(await runCli([...argv], env, t.io)).toBe(EXIT_CONFIG_INVALID);
    expect(t.err.join('')).toContain(mention);
  });
});
