// The operations part of the configuration: retention, metrics token, webhooks, and the arguments of the admin
// commands. Called by loadConfig (config.ts) with its flag/env reader; no I/O.

import type { ParleyError } from '@parley/protocol';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from './domain-events.js';
import type { WebhookEndpoint } from './webhooks.js';

/** Admin commands run against the configured database and exit (see admin-cli.ts). */
export const ADMIN_COMMANDS = ['export-visitor', 'erase-visitor', 'create-site', 'list-sites', 'list-agents', 'disable-agent'] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export function isAdminCommand(command: string): command is AdminCommand {
  return (ADMIN_COMMANDS as readonly string[]).includes(command);
}

/** The flags and env vars read here (flag → env var; undefined: flag only). */
export const OPS_OPTIONS = {
  'retention-days': 'PARLEY_RETENTION_DAYS',
  'webhook-urls': 'PARLEY_WEBHOOK_URLS',
  'webhook-events': 'PARLEY_WEBHOOK_EVENTS',
  visitor: undefined,
  agent: undefined,
  key: undefined,
  site: undefined,
} as const;

export type OpsOptionName = keyof typeof OPS_OPTIONS;

export const OPS_USAGE = `       parley-server export-visitor --visitor <id>      everything stored about a visitor, as JSON on stdout
       parley-server erase-visitor --visitor <id>       delete a visitor and all their conversations
       parley-server create-site --key <key> [--allowed-origins <list>]
       parley-server list-sites | list-agents [--site <key>] | disable-agent --agent <id>
`;

export const OPS_OPTIONS_USAGE = `  --retention-days <n>     PARLEY_RETENTION_DAYS   delete conversations closed more than n days ago (hourly;
                                                   default: keep forever)
  --webhook-urls <list>    PARLEY_WEBHOOK_URLS     comma-separated URLs that receive signed event POSTs
  --webhook-events <list>  PARLEY_WEBHOOK_EVENTS   events to send (default all: ${DOMAIN_EVENT_TYPES.join(', ')})
                           PARLEY_WEBHOOK_SECRET   HMAC key for webhook signatures (>= 16 chars; needed with URLs)
                           PARLEY_METRICS_TOKEN    bearer token /metrics requires (default: open)
`;

export interface OpsConfig {
  retentionDays: number | undefined;
  metricsToken: string | undefined;
  webhooks: WebhookEndpoint[];
  /** `--visitor` for export-visitor / erase-visitor. */
  visitorId: string | undefined;
  /** `--agent` for disable-agent. */
  agentId: string | undefined;
  /** `--key` for create-site. */
  siteKey: string | undefined;
  /** `--site` for list-agents (default: the demo site). */
  site: string | undefined;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function loadOpsConfig(
  command: string,
  get: (name: OpsOptionName) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  invalid: (message: string) => ParleyError,
): OpsConfig {
  const retentionText = get('retention-days');
  let retentionDays: number | undefined;
  if (retentionText !== undefined) {
    retentionDays = Number(retentionText);
    if (!Number.isFinite(retentionDays) || retentionDays <= 0 || retentionDays > 36_500) {
      throw invalid(`retention days must be a number of days in (0, 36500], got "${retentionText}"`);
    }
  }

  const metricsToken = env.PARLEY_METRICS_TOKEN === '' ? undefined : env.PARLEY_METRICS_TOKEN;
  if (metricsToken !== undefined && (metricsToken.length < 16 || !/^[\x21-\x7e]+$/.test(metricsToken))) {
    throw invalid('PARLEY_METRICS_TOKEN must be at least 16 printable characters without spaces');
  }

  const urls = (get('webhook-urls') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const secret = env.PARLEY_WEBHOOK_SECRET === '' ? undefined : env.PARLEY_WEBHOOK_SECRET;
  if (urls.length > 0 && (secret === undefined || secret.length < 16)) {
    throw invalid('webhook URLs need PARLEY_WEBHOOK_SECRET (at least 16 characters) to sign with');
  }
  const eventsText = get('webhook-events');
  let events: DomainEventType[] | undefined;
  if (eventsText !== undefined) {
    events = eventsText.split(',').map((s) => s.trim()).filter((s) => s !== '') as DomainEventType[];
    const unknown = events.find((e) => !DOMAIN_EVENT_TYPES.includes(e));
    if (unknown !== undefined || events.length === 0) throw invalid(`webhook events: use ${DOMAIN_EVENT_TYPES.join(', ')}`);
  }
  const webhooks: WebhookEndpoint[] = urls.map((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid(`webhook URL "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(`webhook URL "${url}" must be http(s)`);
    return { url, secret: secret!, ...(events === undefined ? {} : { events }) };
  });

  const visitorId = get('visitor');
  const agentId = get('agent');
  const siteKey = get('key');
  const site = get('site');
  const needs = (flag: string, value: string | undefined, commands: readonly string[]) => {
    if (commands.includes(command)) {
      if (value === undefined || !ID.test(value)) throw invalid(`${command} needs --${flag} <id> (letters, digits, _ and -)`);
    } else if (value !== undefined) throw invalid(`--${flag} is only for ${commands.join(' and ')}`);
  };
  needs('visitor', visitorId, ['export-visitor', 'erase-visitor']);
  needs('agent', agentId, ['disable-agent']);
  needs('key', siteKey, ['create-site']);
  if (site !== undefined && (command !== 'list-agents' || !ID.test(site))) throw invalid('--site <key> is only for list-agents');

  return { retentionDays, metricsToken, webhooks, visitorId, agentId, siteKey, site };
}
