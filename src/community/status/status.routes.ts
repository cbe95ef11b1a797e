import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../cases/case-timeline.ts';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../../platform/text.ts';
import { publicBaseUrl } from '../../public/base-url.ts';
import { pageLanguage, sendPublicPage } from '../../public/layout.ts';
import { listIncidentUpdates, postIncidentUpdate, setUpdatePublic } from './incident-updates.service.ts';
import { updateStates } from './public-text.ts';
import { feedEntries, statusPageData, statusStore } from './status-page.service.ts';
import { atomFeed, notFoundBody, pageWords, statusJson, statusPageBody } from './status-page.view.ts';

const pathId = z.string().min(1).max(200).refine(noNul, NUL_MESSAGE);
const idParams = z.object({ id: pathId });

const update = z.object({
  id: z.string(),
  incidentId: z.string(),
  state: z.string().describe('investigating, identified, monitoring or resolved'),
  body: z.string(),
  public: z.boolean().describe('shown on the status page (when the incident is public)'),
  author: z
    .object({ type: z.enum(['user', 'token']), id: z.string(), name: z.string().nullable() })
    .nullable()
    .describe("null: the system's own update (opened, resolved)"),
  createdAt: z.string(),
});

/** Console and developer API of this capability (under /api/v1, the usual auth). */
export function statusRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/incidents/:id/updates',
    {
      schema: {
        tags: ['proactive'],
        summary: "An incident's status updates (newest first), with its public title and summary and its status page",
        params: idParams,
        response: {
          200: z.object({
            incidentId: z.string(),
            status: z.string(),
            public: z.boolean(),
            publicTitle: z.string().nullable(),
            publicSummary: z.string().nullable(),
            statusPageUrl: z.string().describe('the store status page, relative to this server'),
            updates: z.array(update),
          }),
          404: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return listIncidentUpdates(db, p.storeId, req.params.id);
    },
  );

  app.post(
    '/api/v1/incidents/:id/updates',
    {
      schema: {
        tags: ['proactive'],
        summary: 'Post a status update; "resolved" resolves an open incident (not an outage: its monitor does); audited',
        description:
          'Shown on the status page when `public` is true and the incident is public. Posting the same update twice in a row changes nothing (200 with the first).',
        params: idParams,
        body: z
          .object({
            state: z.enum(updateStates),
            body: z.string().trim().min(1).max(5000).refine(noNul, NUL_MESSAGE),
            public: z.boolean().default(true),
          })
          .strict(),
        response: { 200: update, 201: update, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'manager');
      const r = await postIncidentUpdate(db, ctx.clock, p.storeId, req.params.id, { ...req.body, actor: actorOf(p) });
      return reply.status(r.created ? 201 : 200).send(r.update);
    },
  );

  app.patch(
    '/api/v1/incidents/:id/updates/:updateId',
    {
      schema: {
        tags: ['proactive'],
        summary: 'Show one update on the status page or hide it; audited',
        params: z.object({ id: pathId, updateId: pathId }),
        body: z.object({ public: z.boolean() }).strict(),
        response: { 200: update, 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return setUpdatePublic(db, ctx.clock, p.storeId, req.params.id, req.params.updateId, {
        public: req.body.public,
        actor: actorOf(p),
      });
    },
  );
}

function notFound(reply: FastifyReply, req: FastifyRequest) {
  const lang = pageLanguage(null, req.headers['accept-language']);
  return sendPublicPage(reply, { lang, storeName: 'Amends', title: pageWords(lang).notFound, body: notFoundBody(lang) }, 404);
}

/** Customer pages of this capability, in the public pages' context (forms and uploads parsed there only). */
export function statusPages(pub: App, ctx: AppContext): void {
  const db = ctx.database.db;

  // The page, and `/status/:store.json` (the same content for widgets: the same route, by its suffix).
  pub.get<{ Params: { store: string } }>('/status/:store', { schema: { hide: true } }, async (req, reply) => {
    const json = req.params.store.endsWith('.json');
    const store = await statusStore(db, json ? req.params.store.slice(0, -'.json'.length) : req.params.store);
    if (!store) {
      if (json)
        return reply
          .status(404)
          .header('cache-control', 'no-cache')
          .send({ error: { code: 'not_found', message: 'no such status page' } });
      return notFound(reply, req);
    }
    const path = `/status/${encodeURIComponent(store.id)}`;
    const data = await statusPageData(db, store, ctx.clock.now());
    if (json) {
      return reply
        .header('cache-control', 'public, max-age=30')
        .header('access-control-allow-origin', '*')
        .header('x-content-type-options', 'nosniff')
        .send(statusJson(data, `${publicBaseUrl(ctx.config)}${path}`));
    }
    const lang = pageLanguage(null, req.headers['accept-language']);
    const w = pageWords(lang);
    return sendPublicPage(reply, {
      lang,
      storeName: store.name,
      title: w.title,
      section: w.title,
      body: statusPageBody(data, lang, `${path}/feed.atom`),
      feedUrl: `${path}/feed.atom`,
      feedTitle: w.feedTitle(store.name),
    });
  });

  pub.get<{ Params: { store: string } }>('/status/:store/feed.atom', { schema: { hide: true } }, async (req, reply) => {
    const store = await statusStore(db, req.params.store);
    if (!store) return notFound(reply, req);
    // Feeds need absolute URLs: the configured public address, never the request's Host header.
    const base = publicBaseUrl(ctx.config);
    const path = `/status/${encodeURIComponent(store.id)}`;
    const xml = atomFeed(store, await feedEntries(db, store), `${base}${path}`, `${base}${path}/feed.atom`);
    return reply
      .type('application/atom+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=30')
      .header('x-content-type-options', 'nosniff')
      .send(xml);
  });
}
