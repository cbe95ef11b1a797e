import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyServerOptions, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { analyticsRoutes } from '../../analytics/analytics.routes.ts';
import { playbooksRoutes } from '../../analytics/playbooks.routes.ts';
import { rootCauseRoutes } from '../../analytics/root-cause.routes.ts';
import { casesRoutes } from '../../cases/cases.routes.ts';
import { casesByStatus } from '../../cases/cases.service.ts';
import { createSlackDriver } from '../../channels/alerts/slack.driver.ts';
import { channelsRoutes } from '../../channels/channels.routes.ts';
import { chatRoutes } from '../../channels/chat/chat.routes.ts';
import { createEmailDriver } from '../../channels/email/email.driver.ts';
import { inboundEmailRoutes } from '../../channels/email/inbound-email.routes.ts';
import { OutboxSender } from '../../channels/outbox.ts';
import { portalRoutes } from '../../channels/portal/portal.routes.ts';
import { privacyRoutes } from '../../channels/privacy/privacy.routes.ts';
import { shopifyRoutes } from '../../channels/shopify/shopify.routes.ts';
import { createWebhookDriver } from '../../channels/webhooks/webhook.driver.ts';
import { webhooksRoutes } from '../../channels/webhooks/webhooks.routes.ts';
import { communityRoutes } from '../../community/community.routes.ts';
import { statusRoutes } from '../../community/status/status.routes.ts';
import { compensationsRoutes } from '../../compensation/compensations.routes.ts';
import { createLocalDriver } from '../../compensation/drivers/local.driver.ts';
import { customersRoutes } from '../../customers/customers.routes.ts';
import { eventsRoutes } from '../../events/events.routes.ts';
import { EventIngestor } from '../../events/ingest.ts';
import { followupsRoutes } from '../../followups/followups.routes.ts';
import { FollowUps } from '../../followups/followups.ts';
import { policyRoutes } from '../../policy/policy.routes.ts';
import { incidentsRoutes } from '../../proactive/incidents.routes.ts';
import { Proactive } from '../../proactive/proactive.ts';
import { publicRoutes } from '../../public/routes.ts';
import { repliesRoutes } from '../../replies/replies.routes.ts';
import { authRoutes } from '../../stores/auth.routes.ts';
import { storesRoutes } from '../../stores/stores.routes.ts';
import { teamRoutes } from '../../stores/team.routes.ts';
import { triageRoutes } from '../../triage/triage.routes.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createJobQueue } from '../jobs/create-queue.ts';
import type { JobLog } from '../jobs/jobs.ts';
import { loggerOptions } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { registerAuth } from './auth.ts';
import type { App, AppContext } from './context.ts';
import { registerErrorHandling } from './errors.ts';
import { healthRoutes } from './health.routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route makes its writes durable before answering, so the generic flush is skipped. */
    flushesItself?: boolean;
  }
}

/** The console's build (`npm run build:web`, run by `npm start` and `npm test` first). */
const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Paths the console's client-side routes never use: an unknown one there is a plain 404. */
const notConsolePaths = ['/api/', '/widget', '/webhooks/', '/health', '/metrics', '/assets/', '/favicon.ico', '/robots.txt'];

const missingBuildPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Amends console: not built</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #1d2430">
<h1>The Amends console is not built yet</h1>
<p>Run <code>npm run build:web</code> in the Amends folder, then reload this page. (<code>npm start</code> builds it for you.)</p>
<p>The API is running: see <a href="/api/docs">/api/docs</a>.</p>
</body></html>`;

/**
 * The console: hashed assets cached for a year; `/` and every other page address answered with its
 * index.html (read per request, so a rebuild needs no restart) for browsers asking for HTML.
 */
async function consoleRoutes(app: App): Promise<void> {
  const assets = path.join(webDist, 'assets');
  if (fs.existsSync(assets)) {
    await app.register(fastifyStatic, { root: assets, prefix: '/assets/', index: false, immutable: true, maxAge: '365d' });
  }
  const sendIndex = async (_req: unknown, reply: FastifyReply) => {
    let html: string;
    try {
      html = await fs.promises.readFile(path.join(webDist, 'index.html'), 'utf8');
    } catch {
      return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(missingBuildPage);
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const p = req.url.split('?')[0] ?? '';
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if (!wantsHtml || notConsolePaths.some((x) => p === x || p.startsWith(x))) return reply.callNotFound();
    return sendIndex(req, reply);
  });
}

export interface BuildOptions {
  config: Config;
  /** An open database; opened from config.db (and migrated) when absent. */
  database?: Database;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Where the JSON log lines go (default stdout); tests read them from here. */
  logStream?: NodeJS.WritableStream;
}

/** Counts by a label, looking each label's counter up once. */
function byLabel(child: (label: string) => { inc(): void }): (label: string) => void {
  const cache = new Map<string, { inc(): void }>();
  return (label) => {
    let c = cache.get(label);
    if (!c) {
      c = child(label);
      cache.set(label, c);
    }
    c.inc();
  };
}

/** Builds the whole app: plugins, then routes (fastify/demo's layout). Does not listen. */
export async function buildApp(opts: BuildOptions): Promise<{ app: App; ctx: AppContext }> {
  const database = opts.database ?? openDatabase(opts.config.db);
  // Job failures go to the app's log once it exists.
  const jobLog = {
    target: undefined as JobLog | undefined,
    warn(o: object, m: string) {
      this.target?.warn(o, m);
    },
    error(o: object, m: string) {
      this.target?.error(o, m);
    },
  };
  if (!opts.database) await migrateToLatest(database);
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics(() => casesByStatus(database.db));
  const ingestor = new EventIngestor(
    database,
    clock,
    { maxWaitMs: opts.config.groupCommitMaxWaitMs, maxEvents: opts.config.groupCommitMaxEvents },
    {
      onAccepted: byLabel((type) => metrics.eventsIngested.labels(type)),
      onDuplicate: byLabel((type) => metrics.eventsDuplicate.labels(type)),
    },
  );
  // Shopify-connected stores get the shopify driver once channels configure shop credentials (issue 6).
  const local = createLocalDriver(database.db, ingestor);
  const jobs = createJobQueue(database, clock, { ...(opts.config.jobs ? { driver: opts.config.jobs } : {}), log: jobLog });
  const proactive = new Proactive(database, clock, jobs);
  proactive.register();
  new FollowUps(database, jobs, opts.config, clock).register();
  ingestor.afterProjection = (tx, storeId, event) => proactive.onEvent(tx, storeId, event);
  const outbox = new OutboxSender(database, clock, { retryBaseSeconds: opts.config.outboxRetrySeconds, log: jobLog });
  const ctx: AppContext = { config: opts.config, database, clock, ingestor, metrics, commerce: () => local, jobs, proactive, outbox };

  const app = Fastify({
    logger: opts.logger ?? { ...loggerOptions(opts.config.logLevel), ...(opts.logStream ? { stream: opts.logStream } : {}) },
    // One line per request is noise at info level and costs throughput; debug turns it on.
    logController: new LogController({ disableRequestLogging: opts.config.logLevel !== 'debug' && opts.config.logLevel !== 'trace' }),
    // Which proxies may name the client (AMENDS_TRUST_PROXY).
    trustProxy: trustProxyOption(opts.config.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Amends API',
        version: '1',
        description:
          'Service recovery for online stores. Every fact enters as an event (POST /api/v1/events); cases open from complaints and are worked through their lifecycle. Authenticate with `Authorization: Bearer <token>` (create one with `amends token create`), or with the console’s session cookie from POST /api/v1/auth/login (writes then need its `x-csrf-token`). Errors are `{ "error": { "code", "message", "path"? } }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'amends_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerErrorHandling(app);
  // Before auth: its onRequest hook parses the cookies the session check reads.
  await app.register(fastifyCookie);
  registerAuth(app, ctx);

  // Label children are looked up once per (method, route, status): hashing label sets on every request costs
  // more than counting. Callback style, so that no promise is made per request.
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(v: number): void }>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${req.method} ${route}`;
    let timer = timers.get(key);
    if (!timer) {
      timer = metrics.httpDuration.labels(req.method, route);
      timers.set(key, timer);
    }
    let counter = counters.get(`${key} ${status}`);
    if (!counter) {
      counter = metrics.httpRequests.labels(req.method, route, status);
      counters.set(`${key} ${status}`, counter);
    }
    counter.inc();
    timer.observe(reply.elapsedTime / 1000);
    done();
  });

  // A write is acknowledged only once it is on stable storage (SQLite commits without fsync; see Database.flush).
  // Routes that flush on their own (event ingest, through group commit) say so in their config.
  app.addHook('onSend', (req, reply, payload, done) => {
    const reads = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (reads || reply.statusCode >= 400 || req.routeOptions.config.flushesItself) {
      done(null, payload);
      return;
    }
    database.flush().then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });

  healthRoutes(app, ctx);
  eventsRoutes(app, ctx);
  casesRoutes(app, ctx);
  customersRoutes(app, ctx);
  storesRoutes(app, ctx);
  teamRoutes(app, ctx);
  authRoutes(app, ctx);
  triageRoutes(app);
  repliesRoutes(app, ctx);
  compensationsRoutes(app, ctx);
  policyRoutes(app, ctx);
  incidentsRoutes(app, ctx);
  channelsRoutes(app, ctx);
  // channels: one line per channel's routes below
  await shopifyRoutes(app, ctx);
  privacyRoutes(app, ctx);
  inboundEmailRoutes(app, ctx);
  ctx.outbox.register('email', createEmailDriver(ctx));
  chatRoutes(app, ctx);
  webhooksRoutes(app, ctx);
  ctx.outbox.register('webhook', createWebhookDriver(ctx));
  ctx.outbox.register('slack', createSlackDriver(ctx));

  // The customer side (issue 8): API first, then the customer pages (ADR 0009), before the console's catch-all.
  followupsRoutes(app, ctx);
  analyticsRoutes(app, ctx);
  rootCauseRoutes(app, ctx);
  playbooksRoutes(app, ctx);
  statusRoutes(app, ctx);
  portalRoutes(app, ctx);
  communityRoutes(app, ctx);
  await publicRoutes(app, ctx);

  await consoleRoutes(app);

  jobLog.target = app.log;
  app.addHook('onClose', async () => {
    await ingestor.drain();
    await jobs.stop();
    if (!opts.database) await database.close();
  });
  return { app, ctx };
}

/** `AMENDS_TRUST_PROXY` as Fastify takes it: a number of hops becomes the trust function Fastify would make of it. */
function trustProxyOption(v: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  return typeof v === 'number' ? (_address: string, hop: number) => hop < v : v;
}
