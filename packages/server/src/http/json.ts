// JSON over HTTP for the REST API: bounded body reading, `{code, message}` errors with their status. No routing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ParleyError, type ErrorCode } from '@parley/protocol';

/** Largest request body the API reads (login is the only one with a body). */
export const MAX_BODY_BYTES = 16 * 1024;

const STATUS: Partial<Record<ErrorCode, number>> = {
  PROTOCOL_BAD_JSON: 400,
  PROTOCOL_BAD_FRAME: 400,
  PROTOCOL_STRING_TOO_LONG: 400,
  PROTOCOL_FRAME_TOO_LARGE: 413,
  PROTOCOL_UNKNOWN_TYPE: 404,
  AUTH_INVALID_TOKEN: 401,
  AUTH_EXPIRED_TOKEN: 401,
  AUTH_FORBIDDEN: 403,
  AUTH_ORIGIN_REFUSED: 403,
  CONVERSATION_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  STORAGE_UNAVAILABLE: 503,
  SERVER_SHUTTING_DOWN: 503,
  ATTACHMENT_TOO_LARGE: 413,
  ATTACHMENT_TYPE_REFUSED: 415,
  ATTACHMENT_URL_REFUSED: 400,
};

/** The HTTP status an error code is answered with; 500 for anything not listed. */
export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    // API answers carry personal data and tokens: never cache them anywhere.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Answers with `{code, message}`; internal errors get a generic message (details stay in the log). */
export function sendError(res: ServerResponse, error: ParleyError, headers: Record<string, string> = {}): void {
  const status = httpStatusFor(error.code);
  const message = status === 500 ? 'internal error' : error.message;
  const body: { code: string; message: string; retryable?: boolean } = { code: error.code, message };
  if (error.retryable) body.retryable = true;
  sendJson(res, status, body, headers);
}

/** Reads and parses a JSON object body of at most `maxBytes`. Rejects with a ParleyError for the API to answer. */
export function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      reject(new ParleyError('PROTOCOL_BAD_FRAME', 'send the body as application/json'));
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new ParleyError('PROTOCOL_FRAME_TOO_LARGE', `the body is over ${maxBytes} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let isDone = false;
    req.on('data', (chunk: Buffer) => {
      if (isDone) return;
      size += chunk.length;
      if (size > maxBytes) {
        isDone = true;
        reject(new ParleyError('PROTOCOL_FRAME_TOO_LARGE', `the body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (isDone) return;
      isDone = true;
      reject(new ParleyError('PROTOCOL_BAD_FRAME', 'the request body could not be read', { cause: err }));
    });
    req.on('end', () => {
      if (isDone) return;
      isDone = true;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        reject(new ParleyError('PROTOCOL_BAD_JSON', 'the body is not valid JSON', { cause: err }));
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        reject(new ParleyError('PROTOCOL_BAD_FRAME', 'the body must be a JSON object'));
        return;
      }
      resolve(value as Record<string, unknown>);
    });
  });
}
