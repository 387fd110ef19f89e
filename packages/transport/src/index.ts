// The public surface of @parley/transport: re-exports only.

export { createClient, createVisitorClient } from './client.js';
export type {
  ClientEvents,
  ClientOptions,
  DeliveredMessage,
  ParleyClient,
  RequestFrame,
  RequestReplies,
  SendResult,
} from './client.js';
export { delayMs, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { memoryStorage, localStorageStorage } from './storage.js';
export type { OutboxStorage } from './storage.js';
export type { ConnectionState, OnlineSource, WebSocketConstructor, WebSocketLike } from './socket.js';
