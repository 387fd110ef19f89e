// Where uploads are kept and what they may be, from createServer's options: one place decides the defaults.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ParleyError } from '@parley/protocol';
import type { BucketRate } from '../rate-limit.js';
import { createDiskUploadStore, type UploadStore } from './disk-store.js';
import { UPLOAD_TYPES, type UploadType } from './sniff.js';
import { DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_UPLOAD_RATE } from './upload-routes.js';

export interface UploadOptions {
  /** Folder for the files. Default: `uploads/` beside the SQLite file; a temporary folder (removed on close) otherwise. */
  dir?: string;
  /** Largest upload in bytes. Default 10 MB. */
  maxBytes?: number;
  /** Accepted types (decided from the bytes). Default: all of `UPLOAD_TYPES`. */
  allowedTypes?: readonly UploadType[];
  /** Uploads per visitor or agent; each client IP gets ten times this. Default 10 at once, then one every 3 s. */
  rate?: BucketRate;
  /** Public base URL of this server (`https://chat.example`), used in the URLs handed out. Default: the request's Host. */
  publicUrl?: string;
}

export interface ResolvedUploads {
  store: UploadStore;
  maxBytes: number;
  allowedTypes: readonly UploadType[];
  rate: BucketRate;
  publicUrl?: string;
  /** Removes a temporary folder; a configured one is kept. */
  dispose(): void;
}

export function resolveUploads(options: UploadOptions, dbPath: string | undefined): ResolvedUploads {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new ParleyError('CONFIG_INVALID', 'uploads.maxBytes must be a positive whole number of bytes');
  const allowedTypes = options.allowedTypes ?? UPLOAD_TYPES;
  for (const type of allowedTypes) {
    if (!(UPLOAD_TYPES as readonly string[]).includes(type)) throw new ParleyError('CONFIG_INVALID', `uploads.allowedTypes: ${type} is not one of ${UPLOAD_TYPES.join(', ')}`);
  }
  if (options.publicUrl !== undefined && !/^https?:\/\/[^/?#]+\/?$/.test(options.publicUrl)) {
    throw new ParleyError('CONFIG_INVALID', 'uploads.publicUrl must be an origin like https://chat.example');
  }
  const persistent = options.dir ?? (dbPath !== undefined && dbPath !== ':memory:' ? join(dirname(dbPath), 'uploads') : undefined);
  const dir = persistent ?? mkdtempSync(join(tmpdir(), 'parley-uploads-'));
  return {
    store: createDiskUploadStore(dir),
    maxBytes,
    allowedTypes,
    rate: options.rate ?? DEFAULT_UPLOAD_RATE,
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    dispose: () => {
      if (persistent === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
