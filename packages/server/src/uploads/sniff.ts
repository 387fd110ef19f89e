// Which file type a byte prefix is, from magic numbers only: the declared Content-Type is the sender's claim.

/** Types an upload may be. SVG is deliberately absent: it is a document that can carry script, not an image. */
export const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'application/zip', 'text/plain', 'text/csv'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/** Bytes the sniffer needs to see before it can decide on a binary type. */
export const SNIFF_BYTES = 16;

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0): boolean => bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The binary type whose signature opens `head`, or undefined (maybe text, maybe unknown). */
export function sniffBinary(head: Uint8Array): UploadType | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  // A local file header, or the end record of an empty archive.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  return undefined;
}

/** Text uploads have no signature: they are whatever valid UTF-8 without NUL bytes, and named for their kind. */
export function textTypeFor(declared: string, fileName: string): UploadType | undefined {
  const base = declared.split(';')[0]!.trim().toLowerCase();
  if (base === 'text/plain' || base === 'text/csv') return base;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'txt' || ext === 'log') return 'text/plain';
  if (ext === 'csv') return 'text/csv';
  return undefined;
}

/**
 * Checks that a whole upload is acceptable text, chunk by chunk: valid UTF-8 and no NUL byte (which would mean a
 * binary file renamed to .txt).
 */
export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    if (chunk.includes(0)) {
      this.valid = false;
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  finish(): boolean {
    if (!this.valid) return false;
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}

export const isImageType = (mime: string): boolean => mime === 'image/png' || mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp';
