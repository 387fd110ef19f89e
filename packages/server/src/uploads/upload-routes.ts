// `POST /api/uploads` (raw body, visitor or agent bearer token) and `GET /uploads/<id>`. The size limit is enforced
// while the body streams, the type is decided by the bytes, and files are served so a browser can never run them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ParleyError, type Attachment } from '@parley/protocol';
import { clientAddress, rateKeyFor } from '../handshake.js';
import type { ConsoleAuth } from '../http/auth.js';
import { sendError, sendJson } from '../http/json.js';
import { describeError, type Logger } from '../logger.js';
import { KeyedBuckets, type BucketRate } from '../rate-limit.js';
import type { Storage } from '../storage/storage.js';
import type { VisitorTokens } from '../token.js';
import type { UploadStore } from './disk-store.js';
import { SNIFF_BYTES, TextCheck, isImageType, sniffBinary, textTypeFor, type UploadType } from './sniff.js';

/** 10 MB: a phone photo or a scanned invoice, not a video. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Per uploader: 10 at once, then one every 3 s. Each IP gets ten uploaders' worth. */
export const DEFAULT_UPLOAD_RATE: BucketRate = { perSecond: 1 / 3, burst: 10 };
const MAX_NAME_LENGTH = 255;
export const FILENAME_HEADER = 'x-parley-filename';

export interface UploadRoutesOptions {
  store: UploadStore;
  storage: Storage;
  tokens: VisitorTokens;
  auth: ConsoleAuth;
  logger: Logger;
  now: () => number;
  maxBytes: number;
  allowedTypes: readonly UploadType[];
  rate: BucketRate;
  /** Base of the URLs handed out (`https://chat.example`); without it, the request's Host. */
  publicUrl?: string;
  allowedOrigins: '*' | readonly string[];
  consoleOrigins: readonly string[];
  exemptAddresses?: readonly string[];
  onError?: (code: string) => void;
}

export interface UploadRoutes {
  owns(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  sweep(): void;
}

/** A file name as plain text: no path, no control characters, bounded. The bytes never depend on it. */
export function cleanFileName(raw: string | undefined): string {
  let name = '';
  try {
    name = decodeURIComponent(raw ?? '');
  } catch {
    name = '';
  }
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[/\\]/).pop()!.trim();
  return [...name].slice(0, MAX_NAME_LENGTH).join('') || 'file';
}

export function createUploadRoutes(options: UploadRoutesOptions): UploadRoutes {
  const { store, logger, now } = options;
  const subjectBuckets = new KeyedBuckets(options.rate);
  const ipBuckets = new KeyedBuckets({ perSecond: options.rate.perSecond * 10, burst: options.rate.burst * 10 });
  const exempt = new Set(options.exemptAddresses ?? []);

  const corsHeaders = (req: IncomingMessage): Record<string, string> => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return {};
    const list = options.allowedOrigins;
    const allowed = list === '*' || list.includes(origin) || options.consoleOrigins.includes(origin);
    if (!allowed) return { vary: 'Origin' };
    return { 'access-control-allow-origin': list === '*' ? '*' : origin, vary: 'Origin' };
  };

  const fail = (req: IncomingMessage, res: ServerResponse, error: ParleyError, extra: Record<string, string> = {}) => {
    options.onError?.(error.code);
    sendError(res, error, { ...corsHeaders(req), ...extra });
  };

  /** Visitor tokens are checked first (no storage read when the signature fails), then agent tokens. */
  const authenticate = async (req: IncomingMessage): Promise<string> => {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,1024})$/.exec(req.headers.authorization ?? '');
    if (match === null) throw new ParleyError('AUTH_INVALID_TOKEN', 'send Authorization: Bearer <visitor or agent token>');
    try {
      const claims = options.tokens.verify(match[1]!);
      const visitor = await options.storage.getVisitor(claims.sub);
      if (visitor === undefined) throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
      return visitor.id;
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'AUTH_EXPIRED_TOKEN') throw err;
    }
    return (await options.auth.authenticate(req)).agent.id;
  };

  const upload = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let owner: string;
    try {
      owner = await authenticate(req);
    } catch (err) {
      req.resume();
      throw err;
    }
    const address = clientAddress(req);
    const at = now();
    if (!subjectBuckets.take(owner, at) || (!exempt.has(address) && !ipBuckets.take(rateKeyFor(address), at))) {
      req.resume();
      throw new ParleyError('RATE_LIMITED', 'too many uploads; wait a few seconds', { retryable: true });
    }
    const declaredLength = Number(req.headers['content-length'] ?? NaN);
    if (declaredLength > options.maxBytes) throw tooLarge(options.maxBytes);
    const name = cleanFileName(req.headers[FILENAME_HEADER] as string | undefined);
    const declared = String(req.headers['content-type'] ?? '');
    const pending = store.begin();
    const text = new TextCheck();
    let head = Buffer.alloc(0);
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBytes) throw tooLarge(options.maxBytes);
        if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        text.push(chunk);
        if (!pending.stream.write(chunk)) await new Promise<void>((resolve) => pending.stream.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve, reject) => pending.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (size === 0) throw new ParleyError('ATTACHMENT_TYPE_REFUSED', 'the file is empty');
      const binary = sniffBinary(head);
      const mime: UploadType | undefined = binary ?? (text.finish() ? textTypeFor(declared, name) : undefined);
      if (mime === undefined || !options.allowedTypes.includes(mime)) {
        throw new ParleyError('ATTACHMENT_TYPE_REFUSED', `this kind of file is not accepted; allowed: ${options.allowedTypes.join(', ')}`);
      }
      const claimed = declared.split(';')[0]!.trim().toLowerCase();
      // A declared type that disagrees with the bytes is refused rather than silently corrected: it is a disguised file.
      if (claimed !== '' && claimed !== 'application/octet-stream' && claimed !== mime && !(mime.startsWith('text/') && claimed.startsWith('text/'))) {
        throw new ParleyError('ATTACHMENT_TYPE_REFUSED', `the file is not ${claimed}`);
      }
      const url = `${baseUrl(req)}/uploads/${pending.id}`;
      const stored = await pending.commit({ name, mime, size, url, owner, createdAt: now() });
      const attachment: Attachment = { name: stored.name, mime: stored.mime, size: stored.size, url: stored.url };
      logger.info('upload.stored', { id: stored.id, mime, size });
      sendJson(res, 201, { attachment }, corsHeaders(req));
    } catch (err) {
      await pending.discard();
      throw err;
    }
  };

  const baseUrl = (req: IncomingMessage): string => {
    if (options.publicUrl !== undefined) return options.publicUrl.replace(/\/+$/, '');
    const host = req.headers.host ?? '';
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) throw new ParleyError('PROTOCOL_BAD_FRAME', 'bad Host header');
    return `http://${host}`;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const record = await store.get(id);
    if (record === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain', ...corsHeaders(req) }).end('not found');
      return;
    }
    const inline = isImageType(record.mime);
    const headers: Record<string, string> = {
      'content-type': record.mime.startsWith('text/') ? `${record.mime}; charset=utf-8` : record.mime,
      'content-length': String(record.size),
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox; default-src \'none\'',
      // Storefront pages embed the thumbnails: allow cross-origin embedding explicitly.
      'cross-origin-resource-policy': 'cross-origin',
      'cache-control': 'private, max-age=300',
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(record.name)}`,
      ...corsHeaders(req),
    };
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = store.open(id);
    stream.on('error', (err) => {
      logger.error('upload.read_failed', { id, ...describeError(err) });
      res.destroy();
    });
    stream.pipe(res);
  };

  return {
    owns: (path) => path === '/api/uploads' || path.startsWith('/uploads/'),
    async handle(req, res, path) {
      try {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            ...corsHeaders(req),
            'access-control-allow-methods': 'POST, GET',
            'access-control-allow-headers': `authorization, content-type, ${FILENAME_HEADER}`,
            'access-control-max-age': '600',
          });
          res.end();
          return;
        }
        if (path === '/api/uploads') {
          if (req.method !== 'POST') throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'POST the file to /api/uploads');
          await upload(req, res);
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'GET an upload');
        await serve(req, res, path.slice('/uploads/'.length));
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof ParleyError && err.code === 'ATTACHMENT_TOO_LARGE') {
          // Answer now and close: reading the rest of an oversized body would spend what the limit protects.
          fail(req, res, err, { connection: 'close' });
          res.once('finish', () => req.destroy());
          return;
        }
        if (err instanceof ParleyError) {
          req.resume();
          fail(req, res, err, err.code === 'RATE_LIMITED' ? { 'retry-after': '5' } : {});
          return;
        }
        throw err;
      }
    },
    sweep() {
      const at = now();
      subjectBuckets.sweep(at);
      ipBuckets.sweep(at);
    },
  };
}

function tooLarge(maxBytes: number): ParleyError {
  return new ParleyError('ATTACHMENT_TOO_LARGE', `files may be at most ${Math.floor(maxBytes / (1024 * 1024) * 10) / 10} MB`, { details: { maxBytes } });
}
