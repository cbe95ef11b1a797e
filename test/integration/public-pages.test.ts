/** The shell of the customer-facing pages (ADR 0009): its assets, its headers, and escaping by default. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNotice } from '../../src/channels/email/notice.ts';
import { publicBaseUrl } from '../../src/public/base-url.ts';
import { compilePage, PUBLIC_CSP, pageLanguage, renderPublicPage } from '../../src/public/layout.ts';
import { auth, buildTestApp, engineAvailable, type TestApp } from '../helper.ts';

describe('customer page shell [sqlite]', () => {
  const available = engineAvailable('sqlite');
  let t: TestApp;
  beforeAll(async () => {
    if (available) t = await buildTestApp('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it.runIf(available)('serves the stylesheet to anyone, and no file outside the scripts folder', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/public/amends.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain(':focus-visible');
    for (const url of ['/public/nothing.js', '/public/..%2Flayout.ts', '/public/layout.ts', '/public/%2e%2e%2fpackage.json']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('escapes what people wrote, keeps the language and links the feed', () => {
    const body = compilePage('<p>{{text}}</p>')({ text: '<script>alert(1)</script><img src=x onerror=alert(2)>' });
    const html = renderPublicPage({ lang: 'es', storeName: 'Café <b>Ana</b>', title: 'Estado', body, feedUrl: '/status/s/feed.atom' });
    expect(html).toContain('<html lang="es">');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Café &lt;b&gt;Ana&lt;/b&gt;');
    expect(html).toContain('type="application/atom+xml"');
    expect(PUBLIC_CSP).toContain("script-src 'self'");
    expect(PUBLIC_CSP).not.toContain('unsafe-inline');
    expect(pageLanguage(null, 'es-MX,es;q=0.9,en;q=0.5')).toBe('es');
    expect(pageLanguage('en-GB', 'es')).toBe('en');
    expect(pageLanguage(undefined, undefined)).toBe('en');
  });
});

describe('customer pages: guards shared by every page [sqlite]', () => {
  const available = engineAvailable('sqlite');
  let t: TestApp;
  beforeAll(async () => {
    if (available) t = await buildTestApp('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });
  const form = (headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/community/acme/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: 'email=someone%40example.com',
    });

  it.runIf(available)('refuses forms posted from another site, as a page; the same site is let through', async () => {
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of refused) {
      const res = await form(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('That did not come from this site');
    }
    const allowed: Record<string, string>[] = [{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost:80' }, {}];
    for (const headers of allowed) {
      expect((await form(headers)).statusCode, JSON.stringify(headers)).not.toBe(403);
    }
  });

  it.runIf(available)('answers an address with a NUL byte with a page, not a database error', async () => {
    for (const url of ['/status/ac%00me', '/community/acme?q=%00', '/s/acme/abc%00def', '/help/ac%00me']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
    }
  });

  it.runIf(available)('never shows a notice’s text through the API, and forgets it once the notice is settled', async () => {
    const at = t.ctx.clock.now().toISOString();
    const id = await queueNotice(t.ctx.database.db, {
      storeId: t.storeId,
      at,
      to: 'ana@example.com',
      toName: 'Ana',
      subject: 'Your sign-in link',
      body: 'Open https://shop.example/help/acme/link/SECRET-TOKEN to sign in.',
      locale: 'en',
      purpose: 'portal-link',
    });
    const shown = await t.app.inject({ method: 'GET', url: `/api/v1/outbox/${id}`, headers: auth(t.tokens.manager) });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain('SECRET-TOKEN');
    expect(shown.json().payload).toMatchObject({ to: 'ana@example.com', subject: 'Your sign-in link', purpose: 'portal-link' });
    // The store has no e-mail set up: the notice is skipped, and its text is gone from the database too.
    await t.ctx.outbox.runDue();
    const row = await t.ctx.database.db.selectFrom('outbox').select(['status', 'payload']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('skipped');
    expect(row.payload).not.toContain('SECRET-TOKEN');
    expect(JSON.parse(row.payload)).toMatchObject({ to: 'ana@example.com', textRemoved: true });
  });

  it('builds links from the configured address, never from a request', () => {
    expect(publicBaseUrl({ publicUrl: 'https://help.shop.example/', host: '0.0.0.0', port: 3000 })).toBe('https://help.shop.example');
    expect(publicBaseUrl({ publicUrl: undefined, host: '0.0.0.0', port: 3000 })).toBe('http://localhost:3000');
    expect(publicBaseUrl({ publicUrl: undefined, host: '::1', port: 8080 })).toBe('http://[::1]:8080');
  });
});
