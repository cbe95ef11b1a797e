/** The shell of the customer-facing pages (ADR 0009): its assets, its headers, and escaping by default. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePage, PUBLIC_CSP, pageLanguage, renderPublicPage } from '../../src/public/layout.ts';
import { buildTestApp, engineAvailable, type TestApp } from '../helper.ts';

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
