// The public surface of @parley/console: re-exports only.
export { mountConsole } from './mount.js';
export type { MountedConsole } from './mount.js';
export { readConfigFromDocument, defaultWsUrl } from './config.js';
export type { ConsoleConfig } from './config.js';
export { createConsoleStore } from './store/console-store.js';
export type { Chat, ConsoleDeps, ConsoleState, ConsoleStore, Route } from './store/console-store.js';
export { createApi } from './api.js';
export type { ApiOptions, ConsoleApi, LoginResult, ConversationWithMessages } from './api.js';
export type { CannedResponse } from './canned.js';
