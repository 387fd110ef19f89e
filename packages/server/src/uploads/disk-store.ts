// Uploaded files on disk: `<dir>/<id>` holds the bytes, `<id>.json` what the server learnt about them. Random ids
// (144 bits) are the only names, so nothing a sender writes ever reaches a path.

import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type ReadStream, type WriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the server records about one upload. `url` is exactly what it handed out; `owner` is who uploaded it. */
export interface StoredUpload {
  id: string;
  name: string;
  mime: string;
  size: number;
  url: string;
  owner: string;
  createdAt: number;
}

export interface PendingUpload {
  readonly id: string;
  readonly stream: WriteStream;
  /** Renames the finished file into place and writes its record. */
  commit(record: Omit<StoredUpload, 'id'>): Promise<StoredUpload>;
  /** Removes the partial file. */
  discard(): Promise<void>;
}

export interface UploadStore {
  readonly dir: string;
  begin(): PendingUpload;
  get(id: string): Promise<StoredUpload | undefined>;
  open(id: string): ReadStream;
  /** Deletes uploads by the URLs that were handed out; unknown URLs are skipped. */
  deleteByUrls(urls: readonly string[]): Promise<number>;
}

export const UPLOAD_ID = /^[A-Za-z0-9_-]{24}$/;

/** The upload id in a URL this server issued (`…/uploads/<id>`), or undefined. */
export function uploadIdFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /\/uploads\/([^/]+)$/.exec(path);
  return match !== null && UPLOAD_ID.test(match[1]!) ? match[1] : undefined;
}

export function createDiskUploadStore(dir: string): UploadStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dataPath = (id: string) => join(dir, id);
  const recordPath = (id: string) => join(dir, `${id}.json`);

  return {
    dir,
    begin() {
      const id = randomBytes(18).toString('base64url');
      const partPath = join(dir, `${id}.part`);
      const stream = createWriteStream(partPath, { mode: 0o600 });
      return {
        id,
        stream,
        async commit(record) {
          await rename(partPath, dataPath(id));
          const stored: StoredUpload = { id, ...record };
          await writeFile(recordPath(id), JSON.stringify(stored), { mode: 0o600 });
          return stored;
        },
        async discard() {
          stream.destroy();
          await rm(partPath, { force: true });
        },
      };
    },
    async get(id) {
      if (!UPLOAD_ID.test(id)) return undefined;
      try {
        return JSON.parse(await readFile(recordPath(id), 'utf8')) as StoredUpload;
      } catch {
        return undefined;
      }
    },
    open(id) {
      return createReadStream(dataPath(id));
    },
    async deleteByUrls(urls) {
      let deleted = 0;
      for (const url of urls) {
        const id = uploadIdFromUrl(url);
        if (id === undefined) continue;
        const record = await this.get(id);
        if (record === undefined || record.url !== url) continue;
        // The record goes last: a crash in between leaves a record whose file is gone, never an unlisted file.
        await rm(dataPath(id), { force: true });
        await rm(recordPath(id), { force: true });
        deleted++;
      }
      return deleted;
    },
  };
}
