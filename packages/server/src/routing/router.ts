// Routing on one node: automatic assignment (when enabled), requeueing the chats of agents who stayed away past
// the grace period, and the periodic sweep that renews this node's presence leases. Every decision that must hold
// across nodes is a conditional write in storage; this module only decides what to try and announces the outcome.
//
//   bot ──escalate──▶ queued ──accept / auto──▶ assigned ──close──▶ closed
//    │ (nobody online)  ▲                          │
//    └──▶ offline       └──transfer to queue, agent gone past grace──┘   (transfer to an agent stays assigned)

import type { AgentInfo } from '@parley/protocol';
import { conversationTopic, siteAgentsTopic, visitorTopic } from '../fanout/fanout.js';
import type { ServerServices } from '../handlers/context.js';
import { broadcastQueue } from '../handlers/queue-broadcast.js';
import { describeError } from '../logger.js';
import type { Transition } from '../storage/storage.js';
import { rankAgents } from './agent-ranking.js';

export type AssignmentMode = 'auto' | 'manual';

/** `createServer({ routing })`. */
export interface RoutingOptions {
  /** `auto`: queued conversations go to the least loaded, then longest idle, online agent. Default `manual`. */
  assignment?: AssignmentMode;
  /** How long a disconnected agent keeps their conversations before they go back to the queue. Default 30 s. */
  agentGraceMs?: number;
}

export const DEFAULT_AGENT_GRACE_MS = 30_000;
/** Bounds one drain: a queue longer than this is finished by the next trigger or sweep. */
const MAX_ASSIGNMENTS_PER_DRAIN = 500;

export class Router {
  readonly assignment: AssignmentMode;
  readonly agentGraceMs: number;
  /** Sweep period: leases are renewed three times per lease, so one late sweep does not drop an agent. */
  readonly sweepMs: number;
  /** A lease not renewed for this long is dead. */
  readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  /** Per site, so one node never runs two drains of a site at once (they would only race each other). */
  private readonly siteChains = new Map<string, Promise<void>>();

  constructor(
    private readonly services: ServerServices,
    options: RoutingOptions = {},
  ) {
    this.assignment = options.assignment ?? 'manual';
    this.agentGraceMs = options.agentGraceMs ?? DEFAULT_AGENT_GRACE_MS;
    if (!(this.agentGraceMs >= 100)) throw new RangeError('agentGraceMs must be at least 100');
    this.sweepMs = Math.min(10_000, Math.max(50, Math.round(this.agentGraceMs / 3)));
    this.leaseMs = this.sweepMs * 3;
  }

  /** Leases renewed at or after this are live. */
  liveSince(): number {
    return this.services.now() - this.leaseMs;
  }

  /** True when some agent of the site is connected and `online`. */
  async isStaffed(siteId: string): Promise<boolean> {
    const loads = await this.services.storage.listAgentLoads(siteId, this.liveSince());
    return loads.some((l) => l.availability === 'online');
  }

  /** The queue of a site changed (or an agent freed up): assign what can be assigned, then tell everyone. */
  queueChanged(siteId: string): Promise<void> {
    return this.serial(siteId, async () => {
      await this.drain(siteId);
      await broadcastQueue(this.services, siteId);
    });
  }

  /** An agent connection finished its hello: in auto mode, waiting conversations may go to them at once. */
  async agentArrived(siteId: string): Promise<void> {
    if (this.assignment === 'auto') await this.queueChanged(siteId);
  }

  /** Starts the periodic sweep. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err: unknown) => this.services.logger.error('routing.sweep_failed', describeError(err)))
        .finally(() => (this.sweeping = undefined));
    }, this.sweepMs);
    this.timer.unref();
  }

  /** Stops the sweep and waits for a running one and any queued site work. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await Promise.all([...this.siteChains.values()]);
  }

  /** Renews leases, requeues abandoned chats, and (auto) drains sites that have agents here. */
  async sweep(): Promise<void> {
    const { storage, presence, now } = this.services;
    // One instant for both steps: our own leases must never look older than the cut-off they are judged by.
    const at = now();
    await presence.renew(at);
    const moved = await storage.requeueAbandoned({ liveSinceMs: at - this.leaseMs, goneBeforeMs: at - this.agentGraceMs });
    // Leases of dead nodes: folded into the agents' last-seen time, which is all the requeue rule still needs.
    await storage.purgeLapsedPresence(at - Math.max(this.leaseMs, this.agentGraceMs) * 4);
    const sites = new Set<string>();
    for (const item of moved) {
      sites.add(item.siteId);
      this.services.logger.info('routing.requeued', { conversationId: item.transition.conversation?.id, agentId: item.agent.id });
      await this.announceLeft(item.transition, item.agent);
    }
    for (const siteId of sites) await this.queueChanged(siteId);
    if (this.assignment === 'auto') {
      // Capacity may have been freed on another node (a close there), which this node's triggers never saw.
      for (const siteId of presence.localSites()) if (!sites.has(siteId)) await this.serial(siteId, () => this.drainAndBroadcastIfAssigned(siteId));
    }
  }

  /** Tells the visitor and the site's agents that a conversation lost its agent (transfer or requeue). */
  async announceLeft(transition: Transition, agent: AgentInfo): Promise<void> {
    const conversation = transition.conversation;
    if (conversation === undefined) return;
    const { fanout } = this.services;
    if (transition.event !== undefined) {
      await fanout.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: transition.event } });
    }
    await fanout.publish(visitorTopic(conversation.visitorId), { frame: { type: 'agent.left', conversationId: conversation.id, agent } });
  }

  /** Tells the visitor, the conversation and the site's agents who has the conversation now. */
  async announceAssigned(transition: Transition, agent: AgentInfo, options: { skipEvent?: boolean } = {}): Promise<void> {
    const conversation = transition.conversation;
    if (conversation === undefined) return;
    const { fanout } = this.services;
    await fanout.publish(siteAgentsTopic(conversation.siteId), { frame: { type: 'conversation.assigned', conversationId: conversation.id, agent } });
    await fanout.publish(visitorTopic(conversation.visitorId), { frame: { type: 'agent.joined', conversationId: conversation.id, agent } });
    if (transition.event !== undefined && options.skipEvent !== true) {
      await fanout.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: transition.event } });
    }
  }

  private async drainAndBroadcastIfAssigned(siteId: string): Promise<void> {
    if ((await this.drain(siteId)) > 0) await broadcastQueue(this.services, siteId);
  }

  /** Auto mode: hands queued conversations to the best agent, one at a time, until nobody can take more. */
  private async drain(siteId: string): Promise<number> {
    if (this.assignment !== 'auto') return 0;
    const { storage } = this.services;
    let assigned = 0;
    for (let attempt = 0; attempt < MAX_ASSIGNMENTS_PER_DRAIN; attempt++) {
      const best = rankAgents(await storage.listAgentLoads(siteId, this.liveSince()))[0];
      if (best === undefined) break;
      const result = await storage.assignNext(siteId, best.agent);
      if (result.kind === 'empty') break;
      // 'full': another node filled this agent meanwhile; the next ranking sees it.
      if (result.kind === 'full') continue;
      assigned++;
      this.services.logger.info('routing.assigned', { conversationId: result.transition.conversation?.id, agentId: best.agent.id });
      await this.announceAssigned(result.transition, best.agent);
    }
    return assigned;
  }

  private serial(siteId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.siteChains.get(siteId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {
      // Reported to the caller through `next`; the chain itself must keep going.
    });
    this.siteChains.set(siteId, settled);
    void settled.then(() => {
      if (this.siteChains.get(siteId) === settled) this.siteChains.delete(siteId);
    });
    return next;
  }
}
