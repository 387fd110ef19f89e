import type { Message } from '@parley/protocol';
import { type Logger } from './logger.js';
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
/** Undefined for an unknown visitor. Reads every message, paging forward. */
export declare function exportVisitor(storage: Storage, visitorId: string, now?: () => number): Promise<VisitorExport | undefined>;
/** Erases and logs what was removed (counts only). Undefined for an unknown visitor. */
export declare function eraseVisitor(storage: Storage, visitorId: string, logger: Logger): Promise<ErasureResult | undefined>;
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
/** Starts the periodic retention job; the first pass runs right away. */
export declare function startRetention(options: RetentionOptions): RetentionJob;
