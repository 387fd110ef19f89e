import type { IncomingMessage, ServerResponse } from 'node:http';
import { ParleyError, type ErrorCode } from '@parley/protocol';
/** Largest request body the API reads (login is the only one with a body). */
export declare const MAX_BODY_BYTES: number;
/** The HTTP status an error code is answered with; 500 for anything not listed. */
export declare function httpStatusFor(code: ErrorCode): number;
export declare function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
/** Answers with `{code, message}`; internal errors get a generic message (details stay in the log). */
export declare function sendError(res: ServerResponse, error: ParleyError, headers?: Record<string, string>): void;
/** Reads and parses a JSON object body of at most `maxBytes`. Rejects with a ParleyError for the API to answer. */
export declare function readJsonBody(req: IncomingMessage, maxBytes?: number): Promise<Record<string, unknown>>;
