import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { OutboxSender } from '../../channels/outbox.ts';
import type { CommerceDriver } from '../../compensation/commerce.ts';
import type { EventIngestor } from '../../events/ingest.ts';
import type { Proactive } from '../../proactive/proactive.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/jobs.ts';
import type { Metrics } from '../metrics.ts';

/** What every service needs, built once at start and handed to routes. */
export interface AppContext {
  config: Config;
  database: Database;
  clock: Clock;
  ingestor: EventIngestor;
  metrics: Metrics;
  /** The commerce driver that issues a store's remedies (`local` unless the store is connected to a shop). */
  commerce: (storeId: string) => CommerceDriver;
  /** Durable jobs (timers); worked by `serve` and/or `amends worker`. */
  jobs: JobQueue;
  proactive: Proactive;
  /** Delivers outbound messages, webhooks and alerts (src/channels/outbox.ts); run by serve and workers. */
  outbox: OutboxSender;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
