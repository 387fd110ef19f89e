// `ping` → `pong`: the client's half-open detection.

import type { PingFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';

export async function handlePing(ctx: HandlerContext, frame: PingFrame): Promise<void> {
  ctx.reply({ type: 'pong', ref: frame.ref });
}
