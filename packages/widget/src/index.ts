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
// The protocol's types that WidgetConfig and WidgetEvents name, so an app can type its handlers from this package.
export type { AgentInfo, EscalationReason, Message, RatingScale, VisitorProfile } from '@parley/protocol';
export { linkify, safeHref, type Segment } from './linkify.js';
