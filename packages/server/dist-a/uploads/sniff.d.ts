/** Types an upload may be. SVG is deliberately absent: it is a document that can carry script, not an image. */
export declare const UPLOAD_TYPES: readonly ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "text/plain", "text/csv"];
export type UploadType = (typeof UPLOAD_TYPES)[number];
/** Bytes the sniffer needs to see before it can decide on a binary type. */
export declare const SNIFF_BYTES = 16;
/** The binary type whose signature opens `head`, or undefined (maybe text, maybe unknown). */
export declare function sniffBinary(head: Uint8Array): UploadType | undefined;
/** Text uploads have no signature: they are whatever valid UTF-8 without NUL bytes, and named for their kind. */
export declare function textTypeFor(declared: string, fileName: string): UploadType | undefined;
/**
 * Checks that a whole upload is acceptable text, chunk by chunk: valid UTF-8 and no NUL byte (which would mean a
 * binary file renamed to .txt).
 */
export declare class TextCheck {
    private readonly decoder;
    private valid;
    push(chunk: Uint8Array): void;
    finish(): boolean;
}
export declare const isImageType: (mime: string) => boolean;
