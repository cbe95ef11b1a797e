/**
 * The outbox: every outbound message, webhook delivery and alert is a row
 * written in the same transaction as the decision that made it. The sender
 * (`OutboxSender`, run by `serve` and `amends worker`) claims due rows with a
 * conditional update, hands each to its channel's driver, and records the
 * outcome: sent, retried later with backoff, failed once its attempts are
 * used up, or skipped when there is nowhere to send it. A row is claimed by
 * one sender at a time (a lease that a crash lets expire), and its id travels
 * with it (the e-mail's Message-ID, the webhook's delivery id) so a receiver
 * can tell a redelivery after a crash from a new message.
 */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB, OutboxTable } from '../platform/db/schema.ts';
import { newId } from '../platform/ids.ts';

/** message: a case's message to its customer; notice: an e-mail to an address outside any case (a sign-in link). */
export const outboxKinds = ['message', 'notice', 'webhook', 'alert'] as const;
export type OutboxKind = (typeof outboxKinds)[number];
export const outboxChannels = ['email', 'chat', 'portal', 'webhook', 'slack'] as const;
export type OutboxChannel = (typeof outboxChannels)[number];
export const outboxStatuses = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export const defaultMaxAttempts: Record<OutboxKind, number> = { message: 8, notice: 6, webhook: 10, alert: 6 };

/** The channel a reply on a case leaves by: the case's own when it is in-app, else e-mail. */
export function replyChannelFor(caseChannel: string | null): OutboxChannel {
  return caseChannel === 'chat' || caseChannel === 'portal' ? caseChannel : 'email';
}

export interface QueueOutbox {
  storeId: string;
  kind: OutboxKind;
  channel: OutboxChannel;
  /** Defaults to a new `out_…` id; a case message's row takes the message's id. */
  id?: string;
  caseId?: string | null;
  messageId?: string | null;
  endpointId?: string | null;
  eventType?: string | null;
  payload: unknown;
  maxAttempts?: number;
  replayOf?: string | null;
  /** When it was decided (event time on the ingest path); due at once. */
  at: string;
}

/** A clock stopped at `iso`: ids made for a decision sort by the decision's instant. */
export function clockAt(iso: string): Clock {
  const at = new Date(iso);
  return { now: () => at };
}

/**
 * A notice's text may hold a signed link (a sign-in e-mail): once it is sent, skipped or has failed for good,
 * only who it was for and what it was are kept.
 */
export function settledNoticePayload(payload: string): string {
  const p = JSON.parse(payload) as { to?: unknown; subject?: unknown; purpose?: unknown };
  return JSON.stringify({ to: p.to, subject: p.subject, purpose: p.purpose, textRemoved: true });
}

/** What the outbox API shows of a payload: a notice's text never (it may hold a live sign-in link). */
export function visiblePayload(kind: string, payload: string): unknown {
  return kind === 'notice' ? JSON.parse(settledNoticePayload(payload)) : JSON.parse(payload);
}

/** Writes one outbound delivery in the caller's transaction; the sender picks it up once committed. */
export async function queueOutbox(db: Kysely<DB>, q: QueueOutbox): Promise<string> {
  const id = q.id ?? newId('out', clockAt(q.at));
  await db
    .insertInto('outbox')
    .values({
      store_id: q.storeId,
      id,
      kind: q.kind,
      channel: q.channel,
      case_id: q.caseId ?? null,
      message_id: q.messageId ?? null,
      endpoint_id: q.endpointId ?? null,
      event_type: q.eventType ?? null,
      payload: JSON.stringify(q.payload ?? {}),
      status: 'queued',
      max_attempts: q.maxAttempts ?? defaultMaxAttempts[q.kind],
      next_attempt_at: q.at,
      lease_until: null,
      last_error: null,
      last_status_code: null,
      provider_ref: null,
      replay_of: q.replayOf ?? null,
      sent_at: null,
      created_at: q.at,
      updated_at: q.at,
    })
    .execute();
  return id;
}

export interface OutboundMessage {
  storeId: string;
  caseId: string;
  body: string;
  channel: OutboxChannel;
  at: string;
  authorType: string;
  authorId: string | null;
  subject?: string | null;
  locale?: string | null;
  template?: string | null;
  /** A message id made beforehand (when the caller records it elsewhere first). */
  id?: string;
}

/**
 * Queues a reply to the customer: the case message (status `queued`) and its
 * outbox row, in the caller's transaction. Returns the message id.
 */
export async function queueCaseMessage(db: Kysely<DB>, clock: Clock, m: OutboundMessage): Promise<string> {
  const id = m.id ?? newId('msg', clock);
  await db
    .insertInto('case_messages')
    .values({
      store_id: m.storeId,
      id,
      case_id: m.caseId,
      kind: 'reply',
      author_type: m.authorType,
      author_id: m.authorId,
      body: m.body,
      subject: m.subject ?? null,
      locale: m.locale ?? null,
      template: m.template ?? null,
      channel: m.channel,
      status: 'queued',
      created_at: m.at,
    })
    .execute();
  await queueOutbox(db, {
    storeId: m.storeId,
    kind: 'message',
    channel: m.channel,
    id,
    caseId: m.caseId,
    messageId: id,
    payload: {},
    at: m.at,
  });
  return id;
}

/** One claimed delivery, as a driver sees it. */
export interface OutboxItem {
  storeId: string;
  id: string;
  kind: OutboxKind;
  channel: OutboxChannel;
  caseId: string | null;
  messageId: string | null;
  endpointId: string | null;
  eventType: string | null;
  payload: unknown;
  /** 1 on the first try. */
  attempt: number;
  createdAt: string;
  now: Date;
}

export type DeliveryOutcome =
  | { status: 'sent'; ref?: string | undefined; statusCode?: number | undefined }
  | { status: 'skipped'; reason: string };

/** A delivery that did not go through. `permanent` (a 4xx answer, an invalid address) stops the retries. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly statusCode: number | undefined;
  constructor(message: string, opts: { permanent?: boolean; statusCode?: number | undefined; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeliveryError';
    this.permanent = opts.permanent ?? false;
    this.statusCode = opts.statusCode;
  }
}

export interface ChannelDriver {
  deliver(item: OutboxItem): Promise<DeliveryOutcome>;
}

export interface OutboxLog {
  warn(obj: object, msg: string): void;
}

export interface OutboxSenderOptions {
  /** Wait before the first retry; doubles each time, at most `maxRetryDelaySeconds`. */
  retryBaseSeconds?: number;
  maxRetryDelaySeconds?: number;
  /** How long a claim lasts before another sender may take the row over (a crash mid-send). */
  leaseSeconds?: number;
  /** Customer messages and alerts older than this when first tried are history (imported, replayed): skipped, never sent. */
  maxMessageAgeHours?: number;
  /** Rows delivered at once per run. */
  batchSize?: number;
  log?: OutboxLog;
}

/** The wait before retry number `attempt` (1 after the first failure). */
export function outboxRetryDelayMs(attempt: number, baseSeconds: number, maxSeconds: number): number {
  return Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), maxSeconds) * 1000;
}

/** In-app channels: the customer reads the message where they wrote (the widget, the portal), so it is there once stored. */
export const inAppDriver: ChannelDriver = {
  deliver: async () => ({ status: 'sent', ref: 'in-app' }),
};

export class OutboxSender {
  private readonly drivers = new Map<OutboxChannel, ChannelDriver>();
  private readonly retryBase: number;
  private readonly retryMax: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;
  private readonly batch: number;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly opts: OutboxSenderOptions = {},
  ) {
    this.retryBase = opts.retryBaseSeconds ?? 30;
    this.retryMax = opts.maxRetryDelaySeconds ?? 3600;
    this.leaseMs = (opts.leaseSeconds ?? 120) * 1000;
    this.maxAgeMs = (opts.maxMessageAgeHours ?? 24) * 3_600_000;
    this.batch = opts.batchSize ?? 20;
    this.drivers.set('chat', inAppDriver);
    this.drivers.set('portal', inAppDriver);
  }

  /** How many rows one `runDue` claims at most. */
  get batchSize(): number {
    return this.batch;
  }

  register(channel: OutboxChannel, driver: ChannelDriver): void {
    this.drivers.set(channel, driver);
  }

  /** Delivers what is due now (and rows whose sender's lease ran out); returns how many were tried. */
  async runDue(limit = this.batch): Promise<number> {
    const db = this.database.db;
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const due = await db
      .selectFrom('outbox')
      .select(['store_id', 'id', 'attempts'])
      .where((eb) => isDue(eb, nowIso))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: Selectable<OutboxTable>[] = [];
    for (const r of due) {
      // One sender wins each row: the update only matches the state it was read in.
      const won = await db
        .updateTable('outbox')
        .set({
          status: 'sending',
          attempts: r.attempts + 1,
          lease_until: new Date(now.getTime() + this.leaseMs).toISOString(),
          updated_at: nowIso,
        })
        .where('store_id', '=', r.store_id)
        .where('id', '=', r.id)
        .where('attempts', '=', r.attempts)
        .where((eb) => isDue(eb, nowIso))
        .returningAll()
        .executeTakeFirst();
      if (won) claimed.push(won);
    }
    if (claimed.length > 0) await this.database.flush();
    await Promise.all(claimed.map((r) => this.deliverOne(r)));
    return claimed.length;
  }

  /** Delivers one row this sender has just claimed (`sending`, its attempt counted). */
  private async deliverOne(row: Selectable<OutboxTable>): Promise<void> {
    const db = this.database.db;
    const { store_id: storeId, id } = row;
    const now = this.clock.now();
    const item: OutboxItem = {
      storeId,
      id,
      kind: row.kind as OutboxKind,
      channel: row.channel as OutboxChannel,
      caseId: row.case_id,
      messageId: row.message_id,
      endpointId: row.endpoint_id,
      eventType: row.event_type,
      payload: JSON.parse(row.payload) as unknown,
      attempt: Number(row.attempts),
      createdAt: row.created_at,
      now,
    };
    const started = performance.now();
    let outcome: DeliveryOutcome | undefined;
    let failure: DeliveryError | undefined;
    try {
      // Customers and on-call channels are not told about history (an import, a replay); webhooks are a record
      // that integrations may want complete, and each delivery says when it happened.
      if (item.kind !== 'webhook' && now.getTime() - Date.parse(row.created_at) > this.maxAgeMs && item.attempt === 1) {
        outcome = { status: 'skipped', reason: 'written for history (imported or replayed): not sent' };
      } else {
        const driver = this.drivers.get(item.channel);
        outcome = driver ? await driver.deliver(item) : { status: 'skipped', reason: `no ${item.channel} channel is configured` };
      }
    } catch (err) {
      failure = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    const durationMs = Math.round(performance.now() - started);
    const at = this.clock.now().toISOString();
    const attempts = Number(row.attempts);
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('outbox_attempts')
        .values({
          store_id: storeId,
          outbox_id: id,
          attempt: attempts,
          at,
          ok: failure ? 0 : 1,
          status_code: failure?.statusCode ?? (outcome?.status === 'sent' ? (outcome.statusCode ?? null) : null),
          error: failure ? truncate(failure.message) : outcome?.status === 'skipped' ? truncate(outcome.reason) : null,
          duration_ms: durationMs,
        })
        .onConflict((oc) => oc.columns(['store_id', 'outbox_id', 'attempt']).doNothing())
        .execute();
      let status: OutboxStatus;
      let detail: string | null = null;
      if (outcome?.status === 'sent') {
        status = 'sent';
      } else if (outcome?.status === 'skipped') {
        status = 'skipped';
        detail = outcome.reason;
      } else {
        detail = failure?.message ?? 'unknown error';
        status = failure?.permanent || attempts >= Number(row.max_attempts) ? 'failed' : 'queued';
      }
      const next =
        status === 'queued' ? new Date(Date.parse(at) + outboxRetryDelayMs(attempts, this.retryBase, this.retryMax)).toISOString() : at;
      // Only the claim that is still ours may record the outcome.
      const mine = await tx
        .updateTable('outbox')
        .set({
          status,
          lease_until: null,
          next_attempt_at: next,
          last_error: status === 'sent' ? null : truncate(detail ?? ''),
          last_status_code: failure?.statusCode ?? (outcome?.status === 'sent' ? (outcome.statusCode ?? null) : null),
          provider_ref: outcome?.status === 'sent' ? (outcome.ref ?? null) : row.provider_ref,
          sent_at: status === 'sent' ? at : null,
          updated_at: at,
          ...(row.kind === 'notice' && status !== 'queued' ? { payload: settledNoticePayload(row.payload) } : {}),
        })
        .where('store_id', '=', storeId)
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('attempts', '=', attempts)
        .executeTakeFirst();
      if (Number(mine.numUpdatedRows) === 0) return;
      if (row.message_id && status !== 'queued') {
        await tx
          .updateTable('case_messages')
          .set({
            status,
            status_detail: status === 'sent' ? null : truncate(detail ?? ''),
            delivered_at: status === 'sent' ? at : null,
          })
          .where('store_id', '=', storeId)
          .where('id', '=', row.message_id)
          .execute();
      } else if (row.message_id) {
        await tx
          .updateTable('case_messages')
          .set({ status_detail: truncate(`retrying: ${detail ?? ''}`) })
          .where('store_id', '=', storeId)
          .where('id', '=', row.message_id)
          .execute();
      }
      if (failure && status !== 'sent') {
        this.opts.log?.warn(
          { outboxId: id, storeId, channel: item.channel, attempt: attempts, final: status === 'failed', err: failure.message },
          'outbox delivery failed',
        );
      }
    });
    await this.database.flush();
  }
}

/** Waiting and due, or claimed by a sender whose lease ran out (it crashed mid-send). */
function isDue(eb: ExpressionBuilder<DB, 'outbox'>, nowIso: string) {
  return eb.or([
    eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', nowIso)]),
    eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', nowIso)]),
  ]);
}

function truncate(s: string): string {
  return s.length > 2000 ? `${s.slice(0, 1997)}...` : s;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Every attempt at one delivery, in order: when, the answer's code, the error, how long it took. */
export async function attemptLog(db: Kysely<DB>, storeId: string, outboxId: string): Promise<DeliveryAttempt[]> {
  const rows = await db
    .selectFrom('outbox_attempts')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('outbox_id', '=', outboxId)
    .orderBy('attempt')
    .execute();
  return rows.map((a) => ({
    attempt: Number(a.attempt),
    at: a.at,
    ok: Number(a.ok) === 1,
    statusCode: a.status_code === null ? null : Number(a.status_code),
    error: a.error,
    durationMs: Number(a.duration_ms),
  }));
}

/** Puts a failed or skipped delivery back in the queue, due now, with a fresh set of attempts. */
export async function retryOutbox(db: Kysely<DB>, clock: Clock, storeId: string, id: string): Promise<boolean> {
  const at = clock.now().toISOString();
  const r = await db
    .updateTable('outbox')
    .set((eb) => ({ status: 'queued', next_attempt_at: at, max_attempts: eb('attempts', '+', eb.ref('max_attempts')), updated_at: at }))
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'skipped'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
