// `hello`: version check, authentication (visitor token or agent token), `welcome`, then resumes.

import { PROTOCOL_VERSION, ParleyError, type HelloFrame, type WelcomeFrame } from '@parley/protocol';
import { verifyIdentity, type VerifiedIdentity } from '../identity.js';
import type { Visitor } from '../storage/storage.js';
import { hashAgentToken, type VisitorClaims } from '../token.js';
import { joinConversation } from './conversation-join.js';
import type { HandlerContext, Session } from './context.js';
import { queueEntries } from './queue-broadcast.js';

async function authenticateVisitor(ctx: HandlerContext, frame: HelloFrame): Promise<{ session: Session; token?: string; expiresAt?: number }> {
  const { storage, tokens } = ctx.services;
  const site = frame.siteKey === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(frame.siteKey);
  if (site === undefined) throw new ParleyError('AUTH_FORBIDDEN', 'unknown site key');
  if (!site.allowedOrigins.includes('*') && (ctx.origin === undefined || !site.allowedOrigins.includes(ctx.origin))) {
    throw new ParleyError('AUTH_ORIGIN_REFUSED', 'this origin may not open visitor sessions for the site');
  }
  // The identity is checked before anything is created, so a refused hello leaves no rows behind.
  let identity: VerifiedIdentity | undefined;
  if (frame.identity !== undefined) identity = await verifyIdentity(site.identitySecret, frame.identity, ctx.services.now());
  else if (site.requiresIdentity) throw new ParleyError('AUTH_IDENTITY_REQUIRED', 'this site requires a signed shopper identity in hello.identity');

  let claims: VisitorClaims | undefined;
  let visitor: Visitor | undefined;
  if (frame.token !== undefined) {
    claims = tokens.verify(frame.token);
    visitor = await storage.getVisitor(claims.sub);
    // A valid signature for a visitor this database does not know (or of another site) is still not a valid token.
    if (visitor === undefined || visitor.siteId !== site.id) throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
  }
  // A verified identity decides who the visitor is; the token only says which anonymous visitor may be bound to it.
  const subject =
    identity !== undefined
      ? await storage.identifyVisitor({ siteId: site.id, externalId: identity.userId, ...(visitor === undefined ? {} : { visitorId: visitor.id }) })
      : (visitor ?? (await storage.createVisitor(site.id)));
  const session: Session = { role: 'visitor', subjectId: subject.id, siteId: site.id, ...(identity === undefined ? {} : { identity }) };
  if (claims !== undefined && claims.sub === subject.id && !tokens.shouldRotate(claims)) return { session };
  const signed = tokens.sign(subject.id);
  return { session, token: signed.token, expiresAt: signed.claims.exp };
}

async function authenticateAgent(ctx: HandlerContext, frame: HelloFrame): Promise<Session> {
  if (frame.token === undefined) throw new ParleyError('AUTH_INVALID_TOKEN', 'agents must send their token');
  const credentialHash = hashAgentToken(frame.token);
  const agent = await ctx.services.storage.getAgentByTokenHash(credentialHash);
  if (agent === undefined) throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
  const info = agent.avatarUrl === undefined ? { id: agent.id, name: agent.name } : { id: agent.id, name: agent.name, avatarUrl: agent.avatarUrl };
  return { role: 'agent', subjectId: agent.id, siteId: agent.siteId, agent: info, credentialHash };
}

export async function handleHello(ctx: HandlerContext, frame: HelloFrame): Promise<void> {
  if (ctx.session !== undefined) throw new ParleyError('PROTOCOL_BAD_FRAME', 'hello was already accepted on this connection');
  if (frame.v !== PROTOCOL_VERSION) {
    throw new ParleyError('PROTOCOL_VERSION_UNSUPPORTED', `this server speaks protocol version ${PROTOCOL_VERSION}`);
  }
  if (frame.role !== ctx.endpointRole) {
    throw new ParleyError('AUTH_FORBIDDEN', `hello.role must be "${ctx.endpointRole}" on this endpoint`);
  }
  let session: Session;
  const welcome: WelcomeFrame = { type: 'welcome', ref: frame.ref, v: PROTOCOL_VERSION, role: frame.role, subjectId: '', heartbeatMs: ctx.services.heartbeatMs };
  if (frame.role === 'visitor') {
    const result = await authenticateVisitor(ctx, frame);
    session = result.session;
    if (result.token !== undefined) {
      welcome.token = result.token;
      welcome.tokenExpiresAt = result.expiresAt;
    }
  } else {
    session = await authenticateAgent(ctx, frame);
  }
  welcome.subjectId = session.subjectId;
  await ctx.authenticate(session);
  ctx.reply(welcome);
  ctx.services.logger.info('session.start', { connectionId: ctx.connectionId, role: session.role, subjectId: session.subjectId });

  if (session.role === 'agent') {
    const entries = (await queueEntries(ctx.services, session.siteId)).map((i) => i.entry);
    ctx.reply({ type: 'queue.snapshot', entries });
  }
  for (const point of frame.resume ?? []) {
    try {
      await joinConversation(ctx, point.conversationId, point.afterSeq);
    } catch (err) {
      // One bad resume point must not spoil the others: report it against its conversation and go on.
      if (!(err instanceof ParleyError) || err.code === 'STORAGE_UNAVAILABLE') throw err;
      ctx.reply({ type: 'error', code: err.code, message: err.message, conversationId: point.conversationId });
    }
  }
  // Last, once the agent is subscribed and has its snapshot: in auto mode waiting conversations may go to them now.
  if (session.role === 'agent') await ctx.services.router.agentArrived(session.siteId);
}
