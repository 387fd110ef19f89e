// Data protection: export everything stored about a visitor, erase it, and expire closed conversations after a
// retention period. Shared by the admin REST API and the CLI; storage does the deleting (privacy-store.ts).

import type { Message } from '@parley/protocol';
import { describeError, type Logger } from './logger.js';
import type { ErasureResult, RetentionResult } from './storage/privacy-store.js';
import type { ConversationDetail, Storage, Visitor } from './storage/storage.js';

/** One conversation with every message, as handed to the data subject. */
export interface ExportedConversation extends ConversationDetail {
  messages: Message[];
}

/** Everything Parley stores about one visitor (`GET /api/admin/visitors/:id/export`, `export-visitor`). */
export interface VisitorExport {
  format: 'parley.visitor-export.v1';
  exportedAt: number;
  visitor: Visitor;
  conversations: ExportedConversation[];
}

const PAGE = 500;

/** Undefined for an unknown visitor. Reads every message, paging forward. */
export async function exportVisitor(storage: Storage, visitorId: string, now: () => number = Date.now): Promise<VisitorExport | undefined> {
  const visitor = await storage.getVisitor(visitorId);
  if (visitor === undefined) return undefined;
  const conversations: ExportedConversation[] = [];
  for (const id of await storage.listVisitorConversations(visitorId)) {
    const detail = await storage.getConversationDetail(id);
    if (detail === undefined) continue; // erased or expired between the two reads
    const messages: Message[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await storage.listMessages({ conversationId: id, afterSeq, limit: PAGE });
      messages.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) break;
      afterSeq = page.messages[page.messages.length - 1]!.seq;
    }
    conversations.push({ ...detail, messages });
  }
  return { format: 'parley.visitor-export.v1', exportedAt: now(), visitor, conversations };
}

/** Erases and logs what was removed (counts only). Undefined for an unknown visitor. */
export async function eraseVisitor(storage: Storage, visitorId: string, logger: Logger): Promise<ErasureResult | undefined> {
  const result = await storage.eraseVisitor(visitorId);
  if (result !== undefined) {
    logger.info('gdpr.visitor_erased', {
      visitorId,
      conversations: result.conversations,
      messages: result.messages,
      attachments: result.attachmentUrls.length,
    });
  }
  return result;
}

export interface RetentionOptions {
  storage: Storage;
  /** Closed conversations older than this many days are deleted. */
  days: number;
  logger: Logger;
  now?: () => number;
  /** How often the job runs. Default one hour. */
  intervalMs?: number;
  /** Conversations deleted per transaction, so one pass never holds the database for long. Default 500. */
  batchSize?: number;
}

export interface RetentionJob {
  /** One full pass: batches until nothing is left to delete. */
  runOnce(): Promise<RetentionResult>;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Starts the periodic retention job; the first pass runs right away. */
export function startRetention(options: RetentionOptions): RetentionJob {
  const { storage, logger } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 500;
  let running: Promise<RetentionResult> | undefined;
  let isStopped = false;

  async function pass(): Promise<RetentionResult> {
    const closedBefore = now() - options.days * DAY_MS;
    const total: RetentionResult = { conversations: 0, visitors: 0 };
    while (!isStopped) {
      const batch = await storage.applyRetention({ closedBefore, limit: batchSize });
      total.conversations += batch.conversations;
      total.visitors += batch.visitors;
      if (batch.conversations < batchSize) break;
    }
    if (total.conversations > 0 || total.visitors > 0) logger.info('retention.deleted', { ...total, days: options.days });
    return total;
  }

  const runOnce = (): Promise<RetentionResult> => {
    // One pass at a time; a tick that finds one running shares it.
    running ??= pass().finally(() => (running = undefined));
    return running;
  };
  const tick = () => {
    runOnce().catch((err: unknown) => logger.error('retention.failed', describeError(err)));
  };
  const timer = setInterval(tick, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  tick();
  return {
    runOnce,
    async stop() {
      isStopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
