import { describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { DEFAULT_DB_PATH, DEFAULT_PORT, loadConfig, USAGE } from './config.js';

function errorOf(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

describe('loadConfig', () => {
  it('has defaults', () => {
    expect(loadConfig([], {})).toEqual({
      command: 'serve',
      port: DEFAULT_PORT,
      host: '0.0.0.0',
      dbPath: DEFAULT_DB_PATH,
      secret: undefined,
      allowedOrigins: '*',
      logLevel: 'info',
      visitorTokenTtlMs: 30 * 24 * 3600 * 1000,
      agentName: undefined,
      agentEmail: undefined,
      agentPassword: undefined,
      isAdmin: false,
      consoleDir: undefined,
      messageRate: undefined,
      ops: { retentionDays: undefined, metricsToken: undefined, webhooks: [], visitorId: undefined, agentId: undefined, siteKey: undefined, site: undefined },
      consoleOrigins: [],
      rateExemptAddresses: [],
      databaseUrl: undefined,
      databaseSchema: undefined,
      redisUrl: undefined,
      redisPrefix: 'parley:',
      assignment: 'manual',
      agentGraceMs: 30_000,
      uploadMaxBytes: undefined,
      publicUrl: undefined,
      mail: undefined,
    });
  });

  it('reads SMTP for transcript e-mails, both settings or neither', () => {
    expect(loadConfig(['--smtp-url', 'smtps://u:p@mail.example:465'], { PARLEY_MAIL_FROM: 'Shop <help@shop.example>' }).mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example:465',
      from: 'Shop <help@shop.example>',
    });
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--smtp-url', 'smtp://mail.example'], {}, 'go together'],
      [[], { PARLEY_MAIL_FROM: 'help@shop.example' }, 'go together'],
      [['--smtp-url', 'http://mail.example', '--mail-from', 'help@shop.example'], {}, 'smtp://'],
      [['--smtp-url', 'smtp://mail.example', '--mail-from', 'help'], {}, '--mail-from'],
      [['--smtp-url', 'smtp://mail.example', '--mail-from', 'a@b.example\r\nBcc: x@evil.example'], {}, '--mail-from'],
    ];
    for (const [argv, env, mention] of cases) {
      const err = errorOf(() => loadConfig(argv, env));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(mention);
    }
  });

  it('reads the upload limit and the public URL', () => {
    expect(loadConfig(['--upload-max-mb', '2.5'], { PARLEY_PUBLIC_URL: 'https://chat.example' })).toMatchObject({
      uploadMaxBytes: 2.5 * 1024 * 1024,
      publicUrl: 'https://chat.example',
    });
  });

  it('reads console origins and rate-exempt IPs', () => {
    const config = loadConfig(['--console-origins', 'https://console.example,https://ops.example'], { PARLEY_RATE_EXEMPT_IPS: '127.0.0.1, ::1' });
    expect(config.consoleOrigins).toEqual(['https://console.example', 'https://ops.example']);
    expect(config.rateExemptAddresses).toEqual(['127.0.0.1', '::1']);
  });

  it('reads --trust-proxy as a hop count or a list of proxies, and leaves it off by default', () => {
    expect(loadConfig([], {}).trustProxy).toBeUndefined();
    expect(loadConfig(['--trust-proxy', '1'], {}).trustProxy).toBe(1);
    expect(loadConfig([], { PARLEY_TRUST_PROXY: '10.0.0.0/8,::1' }).trustProxy).toEqual(['10.0.0.0/8', '::1']);
  });

  it('parses create-agent with a console login and --admin, and --console-dir for serve', () => {
    const viaFlag = loadConfig(['create-agent', '--name', 'Ann', '--email', 'a@x.io', '--password', 'pw123456', '--admin'], {});
    expect(viaFlag).toMatchObject({ agentEmail: 'a@x.io', agentPassword: 'pw123456', isAdmin: true });
    const viaEnv = loadConfig(['create-agent', '--name', 'Ann', '--email', 'a@x.io'], { PARLEY_AGENT_PASSWORD: 'secret99' });
    expect(viaEnv).toMatchObject({ agentPassword: 'secret99', isAdmin: false });
    expect(loadConfig(['--console-dir', './dist'], { PARLEY_AGENT_PASSWORD: 'ignored' })).toMatchObject({ consoleDir: './dist', agentPassword: undefined });
    expect(loadConfig([], { PARLEY_CONSOLE_DIR: '/srv/console' }).consoleDir).toBe('/srv/console');
  });

  it.each([
    [['create-agent', '--name', 'A', '--email', 'a@x.io'], '--password'],
    [['create-agent', '--name', 'A', '--password', 'pw123456'], '--email'],
    [['create-agent', '--name', 'A', '--admin=yes'], '--admin takes no value'],
    [['--admin'], 'only for create-agent'],
    [['--email', 'a@x.io'], 'only for create-agent'],
  ])('refuses %j with CONFIG_INVALID', (argv, mention) => {
    const err = errorOf(() => loadConfig(argv, {}));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(mention);
  });

  it('reads env, and flags win over env', () => {
    const config = loadConfig(['--port', '0', '--db=/tmp/x.db', '--allowed-origins', 'https://a.example, http://localhost:3000'], {
      PARLEY_PORT: '9000',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_SECRET: 's'.repeat(32),
      PARLEY_TOKEN_TTL_DAYS: '1',
      PARLEY_MESSAGE_RATE: '500',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dbPath: '/tmp/x.db',
      logLevel: 'warn',
      secret: 's'.repeat(32),
      allowedOrigins: ['https://a.example', 'http://localhost:3000'],
      visitorTokenTtlMs: 24 * 3600 * 1000,
      messageRate: 500,
    });
  });

  it('parses create-agent', () => {
    expect(loadConfig(['create-agent', '--name', 'Alice'], {})).toMatchObject({ command: 'create-agent', agentName: 'Alice' });
  });

  it.each([
    [['--port', 'abc'], {}, '--port'],
    [[], { PARLEY_PORT: '70000' }, 'PARLEY_PORT'],
    [[], { PARLEY_PORT: '-1' }, 'PARLEY_PORT'],
    [[], { PARLEY_LOG_LEVEL: 'loud' }, 'PARLEY_LOG_LEVEL'],
    [[], { PARLEY_SECRET: 'short' }, 'PARLEY_SECRET'],
    [[], { PARLEY_TOKEN_TTL_DAYS: '0' }, 'PARLEY_TOKEN_TTL_DAYS'],
    [['--message-rate', 'fast'], {}, '--message-rate'],
    [[], { PARLEY_MESSAGE_RATE: '0' }, 'PARLEY_MESSAGE_RATE'],
    [[], { PARLEY_ALLOWED_ORIGINS: 'shop.example' }, 'allowed origins'],
    [[], { PARLEY_ALLOWED_ORIGINS: 'https://shop.example/path' }, 'https://shop.example'],
    [[], { PARLEY_ALLOWED_ORIGINS: '*,https://a.example' }, '*'],
    [['--bogus', '1'], {}, '--bogus'],
    [['--port'], {}, '--port needs a value'],
    [['launch'], {}, 'launch'],
    [['create-agent'], {}, '--name'],
    [['--name', 'x'], {}, '--name'],
    [['--console-origins', '*'], {}, 'console origins'],
    [[], { PARLEY_CONSOLE_ORIGINS: 'console.example' }, 'allowed origins'],
    [['--rate-exempt-ips', 'localhost'], {}, 'rate-exempt IPs'],
    [['--trust-proxy', 'proxy.internal'], {}, 'trustProxy'],
    [['--upload-max-mb', '0'], {}, '--upload-max-mb'],
    [[], { PARLEY_PUBLIC_URL: 'chat.example/x' }, 'PARLEY_PUBLIC_URL'],
  ] as const)('refuses %j %j with CONFIG_INVALID naming %s', (argv, env, mention) => {
    const err = errorOf(() => loadConfig(argv, env));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(mention);
  });
});

describe('loadConfig: stores and routing', () => {
  it('defaults to SQLite, in-memory fan-out and manual assignment', () => {
    expect(loadConfig([], {})).toMatchObject({
      databaseUrl: undefined,
      redisUrl: undefined,
      redisPrefix: 'parley:',
      assignment: 'manual',
      agentGraceMs: 30_000,
    });
  });

  it('reads DATABASE_URL, REDIS_URL and their options from env, flags winning', () => {
    const env = { DATABASE_URL: 'postgres://pg@db:5432/parley', REDIS_URL: 'redis://cache:6379', PARLEY_REDIS_PREFIX: 'shop-a:' };
    expect(loadConfig([], env)).toMatchObject({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, redisPrefix: 'shop-a:' });
    expect(
      loadConfig(['--database-url', 'postgresql://x@y/z', '--database-schema', 'parley_a', '--redis-url', 'rediss://r:6380', '--assignment', 'auto', '--agent-grace-ms', '500'], env),
    ).toMatchObject({ databaseUrl: 'postgresql://x@y/z', databaseSchema: 'parley_a', redisUrl: 'rediss://r:6380', assignment: 'auto', agentGraceMs: 500 });
  });

  it.each([
    [[], { DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [['--database-url', 'not a url'], {}, '--database-url'],
    [['--database-schema', 'Bad-Name', '--database-url', 'postgres://a@b/c'], {}, '--database-schema'],
    [['--database-schema', 'ok_name'], {}, 'needs --database-url'],
    [[], { REDIS_URL: 'http://cache' }, 'REDIS_URL'],
    [['--redis-prefix', 'has space'], {}, '--redis-prefix'],
    [['--assignment', 'random'], {}, '--assignment'],
    [[], { PARLEY_AGENT_GRACE_MS: '10' }, 'PARLEY_AGENT_GRACE_MS'],
    [['--agent-grace-ms', '1.5'], {}, '--agent-grace-ms'],
  ] as const)('refuses %j %j with CONFIG_INVALID naming %s', (argv, env, mention) => {
    const err = errorOf(() => loadConfig(argv, env));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(mention);
  });

  it('documents the variables in --help (the load bench detects the wiring from it)', () => {
    for (const name of ['DATABASE_URL', 'REDIS_URL', '--database-url', '--redis-url', '--redis-prefix', '--assignment', '--agent-grace-ms']) expect(USAGE).toContain(name);
  });
});
