import type { ServerConfig } from './config.js';
import type { Logger } from './logger.js';
import type { AdminCommand } from './ops-config.js';
import type { Storage } from './storage/storage.js';
export interface AdminCliIo {
    stdout: {
        write(text: string): unknown;
    };
    stderr: {
        write(text: string): unknown;
    };
}
/** Exit code of an admin command whose target does not exist (unknown visitor, agent or site). */
export declare const EXIT_NOT_FOUND = 3;
/** Runs one admin command; resolves with the exit code. The caller opens and closes `storage`. */
export declare function runAdminCommand(command: AdminCommand, config: ServerConfig, storage: Storage, io: AdminCliIo, logger: Logger): Promise<number>;
