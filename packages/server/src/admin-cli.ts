// The admin subcommands of `parley-server` (export-visitor, erase-visitor, create-site, list-sites, list-agents,
// disable-agent): one action on the configured database, JSON on stdout, a one-line error on stderr.

import { ParleyError } from '@parley/protocol';
import type { ServerConfig } from './config.js';
import { eraseVisitor, exportVisitor } from './gdpr.js';
import type { Logger } from './logger.js';
import type { AdminCommand } from './ops-config.js';
import type { Storage } from './storage/storage.js';

export interface AdminCliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Exit code of an admin command whose target does not exist (unknown visitor, agent or site). */
export const EXIT_NOT_FOUND = 3;

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** Runs one admin command; resolves with the exit code. The caller opens and closes `storage`. */
export async function runAdminCommand(command: AdminCommand, config: ServerConfig, storage: Storage, io: AdminCliIo, logger: Logger): Promise<number> {
  const { ops } = config;
  const notFound = (what: string) => {
    io.stderr.write(`parley-server: not found: ${what}\n`);
    return EXIT_NOT_FOUND;
  };
  switch (command) {
    case 'export-visitor': {
      const data = await exportVisitor(storage, ops.visitorId!);
      if (data === undefined) return notFound(`visitor ${ops.visitorId}`);
      io.stdout.write(line(data));
      return 0;
    }
    case 'erase-visitor': {
      const result = await eraseVisitor(storage, ops.visitorId!, logger);
      if (result === undefined) return notFound(`visitor ${ops.visitorId}`);
      io.stdout.write(line({ event: 'visitor.erased', visitorId: ops.visitorId, ...result }));
      return 0;
    }
    case 'create-site': {
      try {
        const site = await storage.createSite({ key: ops.siteKey!, allowedOrigins: config.allowedOrigins === '*' ? ['*'] : config.allowedOrigins });
        io.stdout.write(line({ event: 'site.created', siteId: site.id, key: site.key, allowedOrigins: site.allowedOrigins }));
        return 0;
      } catch (err) {
        if (err instanceof ParleyError && err.code === 'STORAGE_CONFLICT') {
          io.stderr.write(`parley-server: STORAGE_CONFLICT: a site with key "${ops.siteKey}" exists\n`);
          return 1;
        }
        throw err;
      }
    }
    case 'list-sites': {
      for (const site of await storage.listSites()) {
        io.stdout.write(line({ siteId: site.id, key: site.key, allowedOrigins: site.allowedOrigins, requiresIdentity: site.requiresIdentity }));
      }
      return 0;
    }
    case 'list-agents': {
      const site = ops.site === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(ops.site);
      if (site === undefined) return notFound(`site ${ops.site}`);
      for (const agent of await storage.listAgents(site.id)) {
        io.stdout.write(line({ agentId: agent.id, name: agent.name, role: agent.role, email: agent.email, disabled: agent.disabled, createdAt: agent.createdAt }));
      }
      return 0;
    }
    case 'disable-agent': {
      if (!(await storage.disableAgent(ops.agentId!))) return notFound(`agent ${ops.agentId}`);
      logger.info('admin.agent_disabled', { by: 'cli', agentId: ops.agentId });
      io.stdout.write(line({ event: 'agent.disabled', agentId: ops.agentId }));
      return 0;
    }
  }
}
