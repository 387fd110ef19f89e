import type { ParleyError } from '@parley/protocol';
import type { WebhookEndpoint } from './webhooks.js';
/** Admin commands run against the configured database and exit (see admin-cli.ts). */
export declare const ADMIN_COMMANDS: readonly ["export-visitor", "erase-visitor", "create-site", "list-sites", "list-agents", "disable-agent"];
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];
export declare function isAdminCommand(command: string): command is AdminCommand;
/** The flags and env vars read here (flag → env var; undefined: flag only). */
export declare const OPS_OPTIONS: {
    readonly 'retention-days': "PARLEY_RETENTION_DAYS";
    readonly 'webhook-urls': "PARLEY_WEBHOOK_URLS";
    readonly 'webhook-events': "PARLEY_WEBHOOK_EVENTS";
    readonly visitor: undefined;
    readonly agent: undefined;
    readonly key: undefined;
    readonly site: undefined;
};
export type OpsOptionName = keyof typeof OPS_OPTIONS;
export declare const OPS_USAGE = "       parley-server export-visitor --visitor <id>      everything stored about a visitor, as JSON on stdout\n       parley-server erase-visitor --visitor <id>       delete a visitor and all their conversations\n       parley-server create-site --key <key> [--allowed-origins <list>]\n       parley-server list-sites | list-agents [--site <key>] | disable-agent --agent <id>\n";
export declare const OPS_OPTIONS_USAGE: string;
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
export declare function loadOpsConfig(command: string, get: (name: OpsOptionName) => string | undefined, env: Readonly<Record<string, string | undefined>>, invalid: (message: string) => ParleyError): OpsConfig;
