// Attachments end to end in real Chromium against the real server: after the hand-off the shopper picks an image and
// a PDF with the widget's file input; they are uploaded with the visitor token and sent; the agent (a Node transport
// client) receives the message with both attachments and fetches the exact bytes. The PDF's name comes from the
// XSS corpus and must show as text. The page runs the strict CSP, with tripwires for injected script.
import { describe, expect, it } from 'vitest';
import type { Attachment } from '@parley/protocol';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, strictCsp, WIDGET_DIST, useWidgetRig } from '../support/widget-page.js';
import { xssPayloads } from '../support/xss-payloads.js';

const NONCE = 'att4ch';
const skip = browserSkipReason([`${WIDGET_DIST}loader.js`, `${WIDGET_DIST}transport.js`]);
// A real 1×1 PNG, so the thumbnail must actually decode in the page.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
// A payload that is also a legal file name (no slash), so it survives the file picker unchanged.
const EVIL = `${xssPayloads().find((p) => p.includes('onerror') && !p.includes('/') && p.length < 80)!}.pdf`;

const rig = useWidgetRig(skip, (desk) => ({
  '/': () => ({
    csp: strictCsp(NONCE),
    html: hostPage({ nonce: NONCE, boot: { server: desk.visitorUrl, locale: 'en', siteKey: 'demo' }, head: `<script nonce="${NONCE}">window.__xss=function(){window.__pwned=1};alert=confirm=prompt=function(){window.__pwned=1};</script>`, body: '<h1>Shop</h1>' }),
  }),
}));

describe.skipIf(!!skip)('widget attachments against the real server (Chromium)', () => {
  it('uploads an image and a PDF after the hand-off; the agent receives both and can fetch the bytes', async () => {
    const p = await rig.browser.newPage();
    p.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(p);
    await p.goto(rig.site.base);
    await p.locator('button.pl').click();
    // Self-service: nothing to attach to yet.
    await p.getByRole('button', { name: 'Talk to a person' }).waitFor();
    expect(await p.getByRole('button', { name: 'Attach a file' }).count()).toBe(0);
    await p.getByRole('button', { name: 'Talk to a person' }).click();
    const conversationId = await rig.desk.acceptNext();
    await expect.poll(() => p.locator('#pc-title').textContent(), POLL).toBe('Alice');

    const attach = p.getByRole('button', { name: 'Attach a file' });
    await attach.waitFor();
    // The button opens the picker from the keyboard.
    const chooser = p.waitForEvent('filechooser');
    await attach.focus();
    await p.keyboard.press('Enter');
    await (await chooser).setFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: PNG },
      { name: EVIL, mimeType: 'application/pdf', buffer: PDF },
    ]);

    await expect.poll(() => rig.desk.messages.filter((m) => m.conversationId === conversationId && (m.attachments?.length ?? 0) > 0).length, POLL).toBe(2);
    const received = rig.desk.messages.flatMap((m) => m.attachments ?? []) as Attachment[];
    const png = received.find((a) => a.mime === 'image/png')!;
    const pdf = received.find((a) => a.mime === 'application/pdf')!;
    expect(png).toMatchObject({ name: 'photo.png', size: PNG.length });
    expect(pdf).toMatchObject({ name: EVIL, size: PDF.length });
    expect(Buffer.from(await (await fetch(png.url)).arrayBuffer())).toEqual(PNG);
    expect(Buffer.from(await (await fetch(pdf.url)).arrayBuffer())).toEqual(PDF);

    // The shopper's page: a thumbnail from the served URL with the name as alt, the PDF as a chip with its name as text.
    await expect.poll(() => p.locator('img.pc-thumb').getAttribute('src'), POLL).toBe(png.url);
    expect(await p.locator('img.pc-thumb').getAttribute('alt')).toBe('photo.png');
    await expect.poll(() => p.locator('img.pc-thumb').evaluate((img: HTMLImageElement) => img.naturalWidth), POLL).toBe(1);
    expect(await p.locator('.pc-file-name').textContent()).toBe(EVIL);
    expect(await p.locator('a.pc-file').getAttribute('download')).toBe(EVIL);
    await expect.poll(() => p.locator('.pc-mine').last().getAttribute('data-state'), POLL).toMatch(/delivered|read/);

    // A file over the widget's limit is refused in words, before any upload.
    const before = rig.desk.messages.length;
    await p.locator('#pc-file').setInputFiles({ name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]) });
    await expect.poll(() => p.locator('[role=alert]').textContent(), POLL).toContain('huge.pdf is larger than 10 MB');
    expect(rig.desk.messages.length).toBe(before);

    expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });
});
