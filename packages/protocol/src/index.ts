export { PROTOCOL_VERSION } from './frames.js';
export type * from './frames.js';
export { encodeFrame, decodeClientFrame, decodeServerFrame, decodeServerFrameWith } from './codec.js';
export { SERVER_FIELDS, VISITOR_SERVER_FIELDS, type ServerFieldTable } from './frame-schemas.js';
export type { DecodeResult, RawFrame } from './codec.js';
export { ParleyError, ERROR_CODES, CloseCode, closeCodeFor, isTerminalClose } from './errors.js';
export type { ErrorCode, ParleyErrorOptions, CloseCodeValue } from './errors.js';
export { DEFAULT_LIMITS, DEFAULT_HEARTBEAT_MS, RATING_SCALE_RANGES } from './limits.js';
export type { Limits } from './limits.js';
