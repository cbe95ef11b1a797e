/**
 * Customer-facing pages (ADR 0009), in their own Fastify context: HTML forms (urlencoded) and photo uploads
 * (multipart) are parsed here only, never on the JSON API. Each capability adds one line below.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { portalPages } from '../channels/portal/portal.routes.ts';
import { communityPages } from '../community/community.routes.ts';
import { statusPages } from '../community/status/status.routes.ts';
import { surveyPages } from '../followups/followups.routes.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { publicBaseUrl } from './base-url.ts';
import { compilePage, pageLanguage, publicAssetRoutes, sendPublicPage } from './layout.ts';

/** Photo uploads on customer pages: one file per form, at most this big. */
export const PUBLIC_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

const problemPage = compilePage('<h1>{{heading}}</h1>\n<p>{{text}}</p>');

const problems = {
  en: {
    400: ['That address is not valid', 'Please check the link, or open the page again from its start.'],
    403: [
      'That did not come from this site',
      'For your safety we only accept forms sent from these pages. Please open the page again and retry.',
    ],
    413: ['That was too large', 'The text or the file you sent is larger than we accept. Please make it smaller and try again.'],
    500: ['Something went wrong on our side', 'Nothing you did caused this. Please try again in a moment.'],
  },
  es: {
    400: ['Esa dirección no es válida', 'Revisa el enlace o vuelve a abrir la página desde el principio.'],
    403: [
      'Eso no vino de este sitio',
      'Por tu seguridad solo aceptamos formularios enviados desde estas páginas. Abre la página de nuevo e inténtalo otra vez.',
    ],
    413: ['Era demasiado grande', 'El texto o el archivo que enviaste es más grande de lo que aceptamos. Redúcelo e inténtalo de nuevo.'],
    500: ['Algo falló de nuestro lado', 'No fue por nada que hicieras. Inténtalo de nuevo en un momento.'],
  },
} as const;

/** A customer page's error as a page (never the API's JSON): 400, 403, 413 or 500. */
function sendProblem(req: FastifyRequest, reply: FastifyReply, status: 400 | 403 | 413 | 500): FastifyReply {
  const lang = pageLanguage(null, req.headers['accept-language']);
  const [heading, text] = problems[lang][status];
  return sendPublicPage(
    reply,
    {
      lang,
      storeName: lang === 'es' ? 'Atención al cliente' : 'Customer care',
      title: heading,
      body: problemPage({ heading, text }),
      noindex: true,
    },
    status,
  );
}

/**
 * A form posted from another site (login CSRF: signing a victim into the attacker's portal or community account).
 * Browsers say where a request comes from in Sec-Fetch-Site, older ones in Origin; a request with neither (a
 * script, a test) is let through — the forms' own CSRF tokens still guard what needs a session.
 */
export function crossSite(req: FastifyRequest, ctx: AppContext): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  const own = new Set([new URL(publicBaseUrl(ctx.config)).origin, `${req.protocol}://${req.host}`]);
  return !own.has(origin);
}

export async function publicRoutes(app: App, ctx: AppContext): Promise<void> {
  publicAssetRoutes(app);
  await app.register(async (pub: App) => {
    pub.addHook('onRequest', async (req, reply) => {
      // A NUL byte is never part of a real address (and PostgreSQL refuses it in text).
      if (/%00/i.test(req.url)) return sendProblem(req, reply, 400);
      if (req.method !== 'GET' && req.method !== 'HEAD' && crossSite(req, ctx)) return sendProblem(req, reply, 403);
    });
    pub.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      const status =
        err.statusCode === 413 ? 413 : err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? 400 : 500;
      if (status === 500) req.log.error({ err }, 'customer page failed');
      return sendProblem(req, reply, status);
    });
    await pub.register(formbody, { bodyLimit: 64 * 1024 });
    await pub.register(multipart, { limits: { files: 1, fileSize: PUBLIC_UPLOAD_MAX_BYTES, fields: 20, fieldSize: 16 * 1024 } });
    // capabilities: one line each below
    surveyPages(pub, ctx);
    statusPages(pub, ctx);
    portalPages(pub, ctx);
    communityPages(pub, ctx);
  });
}
