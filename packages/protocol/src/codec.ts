// encode(frame) and decode(raw): the only way bytes become frames. Decoding never throws.

import { ParleyError, type ErrorCode } from './errors.js';
import type { ClientFrame, ServerFrame } from './frames.js';
import { CLIENT_FIELDS, SERVER_FIELDS, type ServerFieldTable } from './frame-schemas.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { check, obj, str, type Schema } from './schema.js';

export type DecodeResult<F> =
  | { ok: true; frame: F }
  | { ok: false; error: ParleyError; /** The request's ref when it could be read, so the error can echo it. */ ref?: string };

export type RawFrame = string | ArrayBuffer | ArrayBufferView;

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Serialises a frame. Frames are plain JSON; undefined fields are dropped by JSON.stringify. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/** UTF-8 length of a string, computed only when the cheap bound is not enough. */
function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

function tooLarge(bytes: number, limits: Limits): boolean {
  return bytes > limits.maxFrameBytes;
}

/** Iterative depth check: recursion on attacker-controlled nesting could overflow the stack. */
function depthOf(root: unknown, maxDepth: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > maxDepth) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function fail<F>(code: ErrorCode, message: string, ref?: string): DecodeResult<F> {
  const error = new ParleyError(code, message);
  return ref === undefined ? { ok: false, error } : { ok: false, error, ref };
}

const refSchema: Schema = str('maxIdLength', 1);

function decodeWith<F>(
  raw: RawFrame,
  tables: Readonly<Record<string, Readonly<Record<string, Schema>>>>,
  requireRef: boolean,
  limits: Limits,
): DecodeResult<F> {
  let text: string;
  if (typeof raw === 'string') {
    // A UTF-16 unit encodes to at most 3 UTF-8 bytes, so short strings skip the exact count.
    if (raw.length > limits.maxFrameBytes || (raw.length * 3 > limits.maxFrameBytes && tooLarge(utf8Length(raw), limits))) {
      return fail('PROTOCOL_FRAME_TOO_LARGE', `frame exceeds ${limits.maxFrameBytes} bytes`);
    }
    text = raw;
  } else {
    const bytes = raw instanceof ArrayBuffer ? raw.byteLength : raw.byteLength;
    if (tooLarge(bytes, limits)) return fail('PROTOCOL_FRAME_TOO_LARGE', `frame exceeds ${limits.maxFrameBytes} bytes`);
    text = utf8.decode(raw);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('PROTOCOL_BAD_JSON', 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('PROTOCOL_BAD_FRAME', 'frame must be a JSON object');
  }
  const record = parsed as Record<string, unknown>;

  // Read the ref first so every later error can echo it.
  let ref: string | undefined;
  if (typeof record.ref === 'string' && record.ref.length > 0 && record.ref.length <= limits.maxIdLength) {
    ref = record.ref;
  }
  if (depthOf(parsed, limits.maxDepth) > limits.maxDepth) {
    return fail('PROTOCOL_TOO_DEEP', `frame nests deeper than ${limits.maxDepth} levels`, ref);
  }
  const type = record.type;
  if (typeof type !== 'string') return fail('PROTOCOL_BAD_FRAME', 'frame.type must be a string', ref);
  if (!Object.prototype.hasOwnProperty.call(tables, type)) {
    return fail('PROTOCOL_UNKNOWN_TYPE', `unknown frame type "${type.slice(0, 40)}"`, ref);
  }
  if (requireRef) {
    if (record.ref === undefined || record.ref === null) return fail('PROTOCOL_MISSING_REF', 'frame.ref is required');
    const r = check(record.ref, refSchema, limits, 'frame.ref');
    if (!('value' in r)) return fail(r.code, r.message);
  }
  const fields = tables[type]!;
  const schema = requireRef ? obj({ ...fields, ref: refSchema }) : obj(fields);
  const result = check(parsed, schema, limits, 'frame');
  if (!('value' in result)) return fail(result.code, result.message, ref);
  (result.value as Record<string, unknown>).type = type;
  return { ok: true, frame: result.value as F };
}

/**
 * Turns untrusted bytes from a client into a `ClientFrame`. Checks size, JSON, nesting depth, shape, types and
 * string lengths, in that order; never throws.
 * @example
 * const r = decodeClientFrame(data);
 * if (!r.ok) reply({ type: 'error', ref: r.ref, code: r.error.code, message: r.error.message });
 */
export function decodeClientFrame(raw: RawFrame, limits: Limits = DEFAULT_LIMITS): DecodeResult<ClientFrame> {
  return decodeWith<ClientFrame>(raw, CLIENT_FIELDS, true, limits);
}

/** Turns bytes from the server into a `ServerFrame`; the client treats the network as untrusted too. */
export function decodeServerFrame(raw: RawFrame, limits: Limits = DEFAULT_LIMITS): DecodeResult<ServerFrame> {
  return decodeWith<ServerFrame>(raw, SERVER_FIELDS, false, limits);
}

/**
 * `decodeServerFrame` against `fields`, the frames this client accepts (a visitor's: `VISITOR_SERVER_FIELDS`);
 * any other type is `PROTOCOL_UNKNOWN_TYPE`. A bundle that uses only this carries only the schemas it passes.
 */
export function decodeServerFrameWith(fields: ServerFieldTable, raw: RawFrame, limits: Limits = DEFAULT_LIMITS): DecodeResult<ServerFrame> {
  return decodeWith<ServerFrame>(raw, fields as Readonly<Record<string, Readonly<Record<string, Schema>>>>, false, limits);
}
