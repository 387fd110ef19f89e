// Public surface of @parley/widget. Re-exports only.
export { createWidget, type CreateWidgetOptions } from './create-widget.js';
export { defineParleyChat } from './custom-element.js';
export type {
  IdentifyData,
  PreChatField,
  WidgetApi,
  WidgetConfig,
  WidgetEventName,
  WidgetEvents,
  WidgetFaqEntry,
  WidgetIdentity,
  WidgetTheme,
} from './embed-api.js';
export { linkify, safeHref, type Segment } from './linkify.js';
