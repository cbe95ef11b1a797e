/**
 * The chat widget: the script stores embed (`GET /widget.js`) and the public
 * API it calls from the store's own site (`/widget/api/{store}/…`, outside
 * `/api/` so API tokens are not asked for; see platform/http/auth.ts).
 * Visitors prove nothing but what the store signs for them (identity token)
 * and what we signed for them (the session token of their conversation).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../platform/errors.ts';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../../platform/text.ts';
import { storeSigningSecret } from '../channel-settings.ts';
import { conversationMessages, loadWidgetStore, openConversation, sendChatMessage, type WidgetStore } from './chat.service.ts';
import { ChatStreams, type StreamOptions } from './chat-stream.ts';
import { RateLimiter } from './rate-limit.ts';
import { originAllowed } from './widget-rules.ts';
import { verifySession, widgetIdentityKey } from './widget-tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The store named in a widget API path, with its widget settings. */
    widgetStore: WidgetStore | null;
  }
}

const widgetFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/widget/widget.js');

export const MAX_CHAT_MESSAGE = 5000;

const messageText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_CHAT_MESSAGE, `must be at most ${MAX_CHAT_MESSAGE} characters`)
  .refine(noNul, NUL_MESSAGE);
const clientMessageId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,100}$/, 'must be 8-100 letters, digits, _ or -')
  .optional()
  .describe('The widget’s own id for this message (e.g. a UUID): a retry with the same id has no second effect');

const chatMessage = z.object({
  id: z.string(),
  from: z.enum(['customer', 'store']),
  body: z.string(),
  at: z.string(),
  author: z.string().nullable().describe('the agent’s name on their replies'),
});

const storeParams = z.object({ store: z.string().min(1).max(100) });
const conversationParams = storeParams.extend({ id: z.string().min(1).max(200) });

export interface ChatRouteOptions {
  /** Conversations opened and messages sent per visitor IP and store, per minute (each counted on its own). */
  ratePerMinute?: number;
  stream?: StreamOptions;
}

function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export function chatRoutes(app: App, ctx: AppContext, opts: ChatRouteOptions = {}): void {
  const db = ctx.database.db;
  const streams = new ChatStreams(db, app.log, opts.stream);
  // Open streams would keep the server from closing; they end first and their clients reconnect elsewhere.
  app.addHook('preClose', async () => {
    streams.closeAll();
  });

  let script: Promise<string> | undefined;
  app.get('/widget.js', { schema: { hide: true } }, async (_req, reply) => {
    script ??= fs.readFile(widgetFile, 'utf8');
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(await script);
  });

  // A page to try the widget on without a shop of one's own (npm start prints its address for the demo store).
  app.get(
    '/widget/try/:store',
    { schema: { hide: true, params: z.object({ store: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) }) } },
    async (req, reply) => {
      const store = await ctx.database.db.selectFrom('stores').select(['id', 'name']).where('id', '=', req.params.store).executeTakeFirst();
      if (!store) throw new AppError(404, 'not_found', `store ${req.params.store} not found`, 'store');
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .send(tryPage(store.id, store.name, ctx.config.publicUrl ?? `${req.protocol}://${req.host}`));
    },
  );

  app.get(
    '/api/v1/store/widget-key',
    {
      schema: {
        tags: ['channels'],
        summary: 'The key your backend signs chat visitors’ e-mails with (admin)',
        description: [
          'Signed-in customers chat as themselves: your backend signs their e-mail with this key and the page passes',
          'the signature to the widget. Keep the key on your server.',
          '',
          '```js',
          "const { createHmac } = require('node:crypto');",
          "const customerToken = createHmac('sha256', process.env.AMENDS_WIDGET_KEY)",
          "  .update(customer.email.trim().toLowerCase()).digest('hex');",
          '// <script src="https://amends.example/widget.js" data-store="acme" async',
          '//   data-customer-email="<their e-mail>" data-customer-token="<customerToken>"></script>',
          '```',
        ].join('\n'),
        response: { 200: z.object({ key: z.string(), algorithm: z.literal('HMAC-SHA256'), signs: z.string() }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return {
        key: widgetIdentityKey(await storeSigningSecret(db, p.storeId)),
        algorithm: 'HMAC-SHA256' as const,
        signs: 'the customer’s e-mail, trimmed and lower-cased; send the hex digest as data-customer-token',
      };
    },
  );

  const limiter = new RateLimiter(opts.ratePerMinute ?? 20, 60_000);
  const rateLimited = (action: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const wait = limiter.take(`${action} ${req.widgetStore!.id} ${req.ip}`);
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      reply.header('retry-after', String(retryAfterSeconds));
      throw new AppError(429, 'rate_limited', `too many chat requests; try again in ${retryAfterSeconds} s`, undefined, {
        retryAfterSeconds,
      });
    }
  };

  const session = async (req: FastifyRequest, caseId: string, token: string | undefined) => {
    if (!token) throw new AppError(401, 'session_required', 'send the conversation’s token as "Authorization: Bearer <token>"');
    const store = req.widgetStore!;
    const check = verifySession(await storeSigningSecret(db, store.id), token, { storeId: store.id, caseId, now: ctx.clock.now() });
    if (!check.ok) {
      throw check.reason === 'expired'
        ? new AppError(401, 'session_expired', 'this conversation’s token has expired; open a new conversation')
        : new AppError(401, 'session_invalid', 'the token is not one this store gave out for this conversation');
    }
  };

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.decorateRequest('widgetStore', null);
    // Every widget call names its store: found first, and its site checked, so even errors carry CORS headers.
    scope.addHook('onRequest', async (req, reply) => {
      const storeId = (req.params as { store?: string }).store ?? '';
      const origin = req.headers.origin;
      const store = await loadWidgetStore(db, storeId);
      if (!store) {
        if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
        throw notFound('store', storeId);
      }
      if (origin) {
        if (!originAllowed(origin, store.allowedOrigins)) {
          throw new AppError(403, 'origin_not_allowed', `${origin} is not among the sites allowed to embed this store’s chat`);
        }
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      }
      req.widgetStore = store;
    });

    scope.options('/widget/api/:store/*', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'content-type, authorization, last-event-id')
        .header('access-control-max-age', '600')
        .send(),
    );

    scope.get(
      '/widget/api/:store/config',
      {
        schema: {
          tags: ['chat widget'],
          summary: 'What the widget shows before a conversation: the store’s name, greeting, and whether sign-in is required',
          security: [],
          params: storeParams,
          response: {
            200: z.object({
              store: z.object({ id: z.string(), name: z.string() }),
              greeting: z.string().nullable(),
              requireIdentity: z.boolean(),
            }),
            404: errorBody,
          },
        },
      },
      async (req) => {
        const s = req.widgetStore!;
        return { store: { id: s.id, name: s.name }, greeting: s.greeting, requireIdentity: s.requireIdentity };
      },
    );

    scope.post(
      '/widget/api/:store/conversations',
      {
        onRequest: rateLimited('open'),
        schema: {
          tags: ['chat widget'],
          summary: 'Open a conversation: a case on the chat channel',
          description:
            'Anonymous visitors give their e-mail (kept as unverified on the case; refused with 401 when the store requires identity). ' +
            'Signed-in customers add `customerToken`, the store’s HMAC of their e-mail (see GET /api/v1/store/widget-key). ' +
            'Answers the conversation id and a session token for the calls below (30 days).',
          security: [],
          params: storeParams,
          body: z.object({
            email: z.email().max(320),
            customerToken: z.string().min(1).max(200).optional(),
            name: z.string().trim().min(1).max(200).refine(noNul, NUL_MESSAGE).optional(),
            message: messageText,
            pageUrl: z
              .url({ protocol: /^https?$/ })
              .max(2000)
              .optional(),
            clientMessageId,
          }),
          response: {
            201: z.object({
              conversationId: z.string(),
              caseId: z.string(),
              token: z.string(),
              expiresAt: z.string(),
              identity: z.enum(['verified', 'unverified']),
              duplicate: z.boolean(),
            }),
            400: errorBody,
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
            429: errorBody,
          },
        },
      },
      async (req, reply) => reply.status(201).send(await openConversation(ctx, req.widgetStore!, req.body)),
    );

    scope.post(
      '/widget/api/:store/conversations/:id/messages',
      {
        onRequest: rateLimited('send'),
        schema: {
          tags: ['chat widget'],
          summary: 'Send the visitor’s next message (Authorization: Bearer <session token>)',
          description: 'Joins the case and re-triages it; a resolved case reopens.',
          security: [],
          params: conversationParams,
          body: z.object({ message: messageText, clientMessageId }),
          response: { 201: z.object({ accepted: z.boolean(), duplicate: z.boolean() }), 400: errorBody, 401: errorBody, 429: errorBody },
        },
      },
      async (req, reply) => {
        await session(req, req.params.id, bearer(req));
        return reply.status(201).send(await sendChatMessage(ctx, req.widgetStore!.id, req.params.id, req.body));
      },
    );

    scope.get(
      '/widget/api/:store/conversations/:id/messages',
      {
        schema: {
          tags: ['chat widget'],
          summary: 'The conversation so far: the visitor’s messages and the store’s chat replies, oldest first',
          security: [],
          params: conversationParams,
          response: {
            200: z.object({ conversationId: z.string(), status: z.string(), messages: z.array(chatMessage) }),
            401: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        await session(req, req.params.id, bearer(req));
        const c = await conversationMessages(db, req.widgetStore!.id, req.params.id);
        return { conversationId: req.params.id, ...c };
      },
    );

    scope.get(
      '/widget/api/:store/conversations/:id/stream',
      {
        schema: {
          tags: ['chat widget'],
          summary: 'The store’s replies as they are written (Server-Sent Events: `event: message`, id = message id)',
          description:
            'EventSource cannot send headers, so the session token comes as `?token=`. Resumes after `Last-Event-ID` ' +
            '(or `?after=<message id>`); a comment line every 15 s keeps the connection open.',
          security: [],
          params: conversationParams,
          querystring: z.object({ token: z.string().max(500).optional(), after: z.string().max(200).optional() }),
        },
      },
      async (req, reply) => {
        await session(req, req.params.id, req.query.token ?? bearer(req));
        const header = req.headers['last-event-id'];
        const lastEventId = (typeof header === 'string' && header) || req.query.after || null;
        await streams.open(reply, { storeId: req.widgetStore!.id, caseId: req.params.id, lastEventId });
      },
    );
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain shop-like page with the widget on it, for trying the chat as a customer would see it. */
function tryPage(storeId: string, storeName: string, origin: string): string {
  const name = escapeHtml(storeName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${name}: try the chat widget</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fafaf7; }
  header { background: #1f2328; color: #fff; padding: 16px 32px; font-weight: 600; }
  main { max-width: 720px; padding: 32px; }
  code { background: #eee; padding: 2px 4px; border-radius: 4px; }
</style>
</head>
<body>
<header>${name}</header>
<main>
  <h1>Try the chat widget</h1>
  <p>This page stands in for a page of ${name}'s shop. Open the chat at the bottom right, write as a customer, then answer the case from the API or the console: the reply appears here live.</p>
  <p>On a real shop the same line goes into the page template:</p>
  <p><code>&lt;script src="${escapeHtml(origin)}/widget.js" data-store="${escapeHtml(storeId)}" async&gt;&lt;/script&gt;</code></p>
</main>
<script src="/widget.js" data-store="${escapeHtml(storeId)}" async></script>
</body>
</html>`;
}
