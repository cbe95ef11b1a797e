/**
 * The shell of every customer-facing page (ADR 0009): portal, surveys, status page, community.
 * Server-rendered HTML, escaped by default (Handlebars, never `noEscape`), one shared stylesheet,
 * scripts only as same-origin files (the CSP allows no inline script), no third-party assets.
 *
 * A capability renders its body with its own template (see `compilePage`) and hands the HTML here.
 */
import fs from 'node:fs';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import type { App } from '../platform/http/context.ts';

export type PageLanguage = 'en' | 'es';

/** Handlebars for customer pages: HTML-escaped, strict about missing helpers. */
export const pageTemplates = Handlebars.create();

/** A page body template: `{{value}}` is escaped; `{{{raw}}}` only for HTML this code produced (e.g. sanitised markdown). */
export function compilePage(source: string): Handlebars.TemplateDelegate {
  return pageTemplates.compile(source, { strict: false, noEscape: false });
}

/** `es` when the customer's locale or the browser prefers Spanish, else `en`. */
export function pageLanguage(locale: string | null | undefined, acceptLanguage?: string | undefined): PageLanguage {
  const first = (locale ?? acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('es') ? 'es' : 'en';
}

/** The content security policy of customer pages: same-origin only, no inline script or style, no framing. */
export const PUBLIC_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const layout = compilePage(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · {{storeName}}</title>
<link rel="stylesheet" href="/public/amends.css">
<link rel="icon" href="data:,">
{{#if feedUrl}}<link rel="alternate" type="application/atom+xml" title="{{feedTitle}}" href="{{feedUrl}}">{{/if}}
{{#if noindex}}<meta name="robots" content="noindex">{{/if}}
</head>
<body>
<header class="site"><span class="store">{{storeName}}</span>{{#if section}} <span class="section">{{section}}</span>{{/if}}</header>
<main id="main">
{{{body}}}
</main>
<footer class="site">{{footer}}</footer>
{{#each scripts}}<script src="{{this}}" defer></script>{{/each}}
</body>
</html>
`);

export interface PublicPage {
  lang: PageLanguage;
  storeName: string;
  title: string;
  /** e.g. "Help", "Status", "Community". */
  section?: string;
  /** HTML produced by a page template (already escaped). */
  body: string;
  /** Same-origin script paths, e.g. `/public/survey.js`. */
  scripts?: string[];
  feedUrl?: string;
  feedTitle?: string;
  /** Pages behind a signed link (portal, surveys) are not for search engines. */
  noindex?: boolean;
  /** Rendered for a signed-in visitor (their name, a CSRF token): never kept by a shared cache. */
  signedIn?: boolean;
}

export function renderPublicPage(p: PublicPage): string {
  const footer = p.lang === 'es' ? 'Atención al cliente con Amends' : 'Customer care by Amends';
  return layout({ ...p, footer });
}

/** Sends a customer page with its security headers. */
export function sendPublicPage(reply: FastifyReply, p: PublicPage, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', PUBLIC_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', p.noindex ? 'no-referrer' : 'strict-origin-when-cross-origin')
    .header('cache-control', p.noindex ? 'no-store' : p.signedIn ? 'private, no-cache' : 'no-cache')
    .header('vary', 'Cookie, Accept-Language')
    .send(renderPublicPage(p));
}

const css = fs.readFileSync(new URL('./amends.css', import.meta.url), 'utf8');

/** `/public/amends.css` and the pages' small scripts (`/public/<name>.js`, from `src/public/scripts/`). */
export function publicAssetRoutes(app: App): void {
  app.get('/public/amends.css', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  app.get<{ Params: { name: string } }>('/public/:name', { schema: { hide: true } }, (req, reply) => {
    const m = /^([a-z0-9-]+)\.js$/.exec(req.params.name);
    const file = m ? new URL(`./scripts/${m[1]}.js`, import.meta.url) : null;
    if (!file || !fs.existsSync(file)) return reply.status(404).type('text/plain').send('not found');
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(fs.readFileSync(file, 'utf8'));
  });
}
