// The contract for a site's public settings (business hours, theme) and its FAQ source (FaqStore);
// runStorageContract runs it for every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusinessHours, Storage } from './storage.js';

const HOURS: BusinessHours = { timezone: 'Europe/Lisbon', days: [{ day: 1, open: '09:00', close: '17:30' }, { day: 5, open: '10:00', close: '16:00' }] };

export function runSiteSettingsContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`site settings and FAQ contract: ${name}`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await makeStorage();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('stores business hours and theme on create, keeps them across unrelated patches, and removes them with null', async () => {
      const created = await storage.createSite({ key: 'hours-shop', allowedOrigins: ['*'], businessHours: HOURS, theme: { color: '#0a7', position: 'left', greeting: 'Olá!' } });
      expect(created).toMatchObject({ businessHours: HOURS, theme: { color: '#0a7', position: 'left', greeting: 'Olá!' } });
      expect(await storage.getSiteByKey('hours-shop')).toEqual(created);

      const patched = await storage.updateSite(created.id, { allowedOrigins: ['https://shop.example'] });
      expect(patched).toMatchObject({ allowedOrigins: ['https://shop.example'], businessHours: HOURS, theme: { color: '#0a7' } });

      const themed = await storage.updateSite(created.id, { theme: { position: 'right' } });
      expect(themed!.theme).toEqual({ position: 'right' });
      expect(themed!.businessHours).toEqual(HOURS);

      const cleared = await storage.updateSite(created.id, { businessHours: null, theme: null });
      expect(cleared!.businessHours).toBeUndefined();
      expect(cleared!.theme).toBeUndefined();
      expect(cleared!.allowedOrigins).toEqual(['https://shop.example']);
      expect((await storage.listSites()).find((s) => s.id === created.id)).toEqual(cleared);
    });

    it('keeps the rating scale through create, patches and null; each rating keeps the scale it was given on', async () => {
      const site = await storage.createSite({ key: 'nps-shop', allowedOrigins: ['*'], ratingScale: 'nps' });
      expect(site.ratingScale).toBe('nps');
      expect(await storage.getSiteByKey('nps-shop')).toEqual(site);
      expect((await storage.updateSite(site.id, { requiresIdentity: false }))!.ratingScale).toBe('nps');
      expect((await storage.updateSite(site.id, { ratingScale: 'ces' }))!.ratingScale).toBe('ces');
      expect((await storage.updateSite(site.id, { ratingScale: null }))!.ratingScale).toBeUndefined();
      expect((await storage.updateSite(site.id, { preChat: ['email'] }))!.preChat).toEqual(['email']);
      expect((await storage.updateSite(site.id, { ratingScale: 'nps' }))!.preChat).toEqual(['email']);
      expect((await storage.updateSite(site.id, { preChat: null }))!.preChat).toBeUndefined();
      const withForm = await storage.createSite({ key: 'form-shop', allowedOrigins: ['*'], preChat: ['name', 'email'] });
      expect(await storage.getSiteByKey('form-shop')).toEqual(withForm);
      expect(withForm.preChat).toEqual(['name', 'email']);

      const visitor = await storage.createVisitor(site.id);
      const start = async (clientId: string) => (await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId })).conversation.id;
      const [a, b] = [await start('s1'), await start('s2')];
      const nps = await storage.rate({ conversationId: a, score: 0, scale: 'nps' });
      expect(nps.rating).toMatchObject({ score: 0, scale: 'nps' });
      expect((await storage.rate({ conversationId: b, score: 4 })).rating.scale).toBe('csat');
      expect((await storage.getConversationDetail(a))!.rating).toMatchObject({ score: 0, scale: 'nps' });
      const listed = await storage.listRatings({ siteId: site.id, sinceMs: 0 });
      expect(listed.map((r) => [r.score, r.scale])).toEqual([[0, 'nps'], [4, 'csat']]);
      const rows = await storage.searchConversations({ siteId: site.id, limit: 10 });
      expect(rows.map((r) => [r.rating, r.ratingScale]).sort()).toEqual([[0, 'nps'], [4, 'csat']]);
    });

    it('a site without settings reads without them', async () => {
      const site = await storage.getDefaultSite();
      expect(site.businessHours).toBeUndefined();
      expect(site.theme).toBeUndefined();
      expect(site.ratingScale).toBeUndefined();
      expect(site.preChat).toBeUndefined();
    });

    it('keeps one FAQ source per site, replaced on put', async () => {
      const demo = await storage.getDefaultSite();
      const other = await storage.createSite({ key: 'faq-shop', allowedOrigins: ['*'] });
      expect(await storage.getSiteFaq(demo.id)).toBeUndefined();

      const first = await storage.putSiteFaq({ siteId: demo.id, source: '## Hi?\nHello, with ünïcode ✓' });
      expect(first).toMatchObject({ siteId: demo.id, source: '## Hi?\nHello, with ünïcode ✓' });
      expect(typeof first.updatedAt).toBe('number');
      await storage.putSiteFaq({ siteId: other.id, source: '## Other?\nYes' });
      const second = await storage.putSiteFaq({ siteId: demo.id, source: '## Bye?\nBye' });

      expect(await storage.getSiteFaq(demo.id)).toEqual(second);
      expect((await storage.getSiteFaq(other.id))!.source).toBe('## Other?\nYes');
    });
  });
}
