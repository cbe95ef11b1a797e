/**
 * Delivers `alert` outbox rows to the store's Slack incoming webhook
 * (`channels.slack.webhookUrl`): the notification rendered by
 * alert-message.ts, with the names and reasons it needs looked up here.
 * Slack answers 200 "ok"; other answers are treated like a webhook's (4xx is
 * final except 429 and friends, which are retried).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { loadChannelSettings } from '../channel-settings.ts';
import type { Notification } from '../notify.ts';
import { type ChannelDriver, DeliveryError, type DeliveryOutcome, type OutboxItem } from '../outbox.ts';
import { webhookUrlProblem } from '../webhooks/endpoint-rules.ts';
import { postDelivery } from '../webhooks/http-delivery.ts';
import { type AlertExtras, buildAlertMessage } from './alert-message.ts';

const ALERTS_USER_AGENT = 'Amends-Alerts/1';

export function createSlackDriver(
  ctx: { database: { db: Kysely<DB> }; config: { publicUrl: string | undefined } },
  opts: { timeoutMs?: number } = {},
): ChannelDriver {
  const db = ctx.database.db;
  return {
    async deliver(item: OutboxItem): Promise<DeliveryOutcome> {
      const slack = (await loadChannelSettings(db, item.storeId)).slack;
      if (!slack) return { status: 'skipped', reason: 'Slack is not configured for this store' };
      const problem = webhookUrlProblem(slack.webhookUrl);
      if (problem) throw new DeliveryError(`the Slack webhook URL ${problem}`, { permanent: true });
      const n = item.payload as Notification;
      const message = buildAlertMessage(n, await extrasFor(db, item.storeId, n, ctx.config.publicUrl));
      const answer = await postDelivery(
        slack.webhookUrl,
        JSON.stringify(message),
        { 'content-type': 'application/json', 'user-agent': ALERTS_USER_AGENT },
        opts,
      );
      return { status: 'sent', ref: answer.ref, statusCode: answer.status };
    },
  };
}

/** What the message shows beyond the notification: the case number, who asked, why it needs approval. */
async function extrasFor(db: Kysely<DB>, storeId: string, n: Notification, publicUrl: string | undefined): Promise<AlertExtras> {
  const extras: AlertExtras = { publicUrl };
  const d = n.data;
  if (typeof d.caseId === 'string' && typeof d.number !== 'number') {
    const c = await db.selectFrom('cases').select('number').where('store_id', '=', storeId).where('id', '=', d.caseId).executeTakeFirst();
    if (c) extras.caseNumber = Number(c.number);
  }
  const actor = d.actor as { type?: unknown; id?: unknown } | undefined;
  if (actor?.type === 'user' && typeof actor.id === 'string') {
    const u = await db
      .selectFrom('users')
      .select(['name', 'email'])
      .where('store_id', '=', storeId)
      .where('id', '=', actor.id)
      .executeTakeFirst();
    if (u) extras.actorName = u.name ?? u.email;
  }
  if (n.type === 'compensation.pending_approval' && typeof d.compensationId === 'string') {
    const c = await db
      .selectFrom('compensations')
      .select(['approval_reasons', 'justification'])
      .where('store_id', '=', storeId)
      .where('id', '=', d.compensationId)
      .executeTakeFirst();
    if (c) {
      extras.approvalReasons = JSON.parse(c.approval_reasons) as string[];
      extras.justification = c.justification;
    }
  }
  return extras;
}
