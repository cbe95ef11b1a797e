/**
 * What the composer offers to start a reply from, rendered with the case's facts in the customer's language:
 * the acknowledgement while no person has replied yet, the resolution once there is a remedy to name (issued,
 * or the policy's first suggestion), and the store's saved replies. The agent edits the text before sending,
 * so the live tone check still sees every word.
 */
import type { Selectable } from 'kysely';
import { DateTime } from 'luxon';
import { loadCaseFacts } from '../compensation/case-facts.ts';
import { offersForCase } from '../compensation/compensations.service.ts';
import type { CompensationsTable } from '../platform/db/schema.ts';
import type { AppContext } from '../platform/http/context.ts';
import type { OfferKind } from '../policy/offer-kinds.ts';
import { loadSettings } from '../stores/store-settings.ts';
import { type Principal, userName } from '../stores/stores.service.ts';
import type { Emotion, IssueKind, TriageResult } from '../triage/labels.ts';
import { firstNameOf, personSignature, renderAcknowledgement, teamSignature } from './acknowledgement.ts';
import { renderRemedyMessage } from './remedy-message.ts';
import { renderSavedReply } from './saved-replies.ts';
import { type ReplyLanguage, replyLanguage } from './tone-check.ts';

export const suggestionKinds = ['acknowledgement', 'resolution', 'saved'] as const;
export type SuggestionKind = (typeof suggestionKinds)[number];

export interface ReplySuggestion {
  /** Stable within the case: `acknowledgement`, `resolution:<compensation or offer id>`, `saved:<locale>/<id>`. */
  id: string;
  kind: SuggestionKind;
  label: string;
  locale: ReplyLanguage;
  text: string;
}

export interface ReplySuggestions {
  /** The customer's language the suggestions are written in. */
  locale: ReplyLanguage;
  suggestions: ReplySuggestion[];
}

/** A code that does not exist yet: the agent issues the offer first and the shop makes the code. */
const PENDING_CODE: Record<ReplyLanguage, string> = { en: '[code]', es: '[código]' };

export async function replySuggestions(ctx: AppContext, p: Principal, caseId: string): Promise<ReplySuggestions> {
  const db = ctx.database.db;
  const nowDate = ctx.clock.now();
  const now = nowDate.toISOString();
  // Throws 404 for a case of another store or none.
  const facts = await loadCaseFacts(db, p.storeId, caseId, now);
  const row = facts.row;
  const [settings, messages, compensations, agent] = await Promise.all([
    loadSettings(db, p.storeId),
    db
      .selectFrom('case_messages')
      .select(['kind', 'author_type', 'body', 'locale', 'template', 'triage'])
      .where('store_id', '=', p.storeId)
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('compensations')
      .selectAll()
      .where('store_id', '=', p.storeId)
      .where('case_id', '=', caseId)
      .where('status', '=', 'issued')
      .orderBy('issued_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    userName(db, p.storeId, p.userId),
  ]);
  const storeName = settings.name;
  const timezone = settings.resolved.calendar.timezone;
  const ack = messages.find((m) => m.author_type === 'system' && m.template !== null && m.template.endsWith('/ack'));
  const firstInbound = messages.find((m) => m.kind === 'inbound' && m.triage !== null);
  const inboundLanguage = firstInbound ? (JSON.parse(firstInbound.triage!) as TriageResult).language.value : null;
  const lang = replyLanguage(facts.customerLocale ?? ack?.locale ?? inboundLanguage);
  const out: ReplySuggestion[] = [];

  // The acknowledgement, while no person has answered: the one already sent (in the customer's words of the
  // store), or the one the case would get now, signed by the agent.
  const answered = row.first_responded_at !== null || messages.some((m) => m.kind === 'reply' && m.author_type !== 'system');
  if (!answered) {
    let text: string;
    let locale: ReplyLanguage;
    if (ack) {
      text = ack.body;
      locale = replyLanguage(ack.locale);
    } else {
      const guardrails = JSON.parse(row.guardrails) as { rule: string }[];
      const rendered = renderAcknowledgement(
        {
          locale: lang,
          storeName,
          customerName: facts.customerName,
          kind: (row.kind as IssueKind | null) ?? 'other',
          orderRef: row.order_id,
          emotion: (row.emotion as Emotion | null) ?? 'neutral',
          intensity: Number(row.emotion_intensity ?? 0),
          repeatFailure: guardrails.some((g) => g.rule === 'repeat_failure'),
          avertable: Number(row.avertable) === 1,
          nextStep: { dueAt: row.first_response_due_at ?? row.resolution_due_at ?? now, timezone },
          now,
          signature: personSignature(agent, storeName),
          channel: row.channel,
        },
        settings.resolved.templates,
      );
      text = rendered.body;
      locale = rendered.locale;
    }
    out.push({ id: 'acknowledgement', kind: 'acknowledgement', label: 'Acknowledgement', locale, text });
  }

  // The resolution: what was issued, or else what the policy suggests first (with the code still to come).
  const remedyInput = { locale: lang, customerName: facts.customerName, storeName, orderRef: row.order_id, timezone, signerName: agent };
  const issued = compensations[0];
  if (issued) {
    const r = renderRemedyMessage({ ...remedyInput, ...issuedRemedy(issued) });
    out.push({ id: `resolution:${issued.id}`, kind: 'resolution', label: `Resolution: ${issued.label}`, locale: r.locale, text: r.body });
  } else {
    const offer = await recommendedOffer(ctx, p, caseId);
    if (offer) {
      const r = renderRemedyMessage({
        ...remedyInput,
        kind: offer.kind,
        label: offer.label,
        amount: offer.amount,
        percentOff: offer.percentOff,
        points: offer.points,
        code: offer.kind === 'discount_code' ? PENDING_CODE[lang] : null,
        expiresAt: offer.validDays === null ? null : DateTime.fromJSDate(nowDate).plus({ days: offer.validDays }).toISO(),
      });
      out.push({
        id: `resolution:${offer.offerId}`,
        kind: 'resolution',
        label: `Resolution: ${offer.label} (once issued)`,
        locale: r.locale,
        text: r.body,
      });
    }
  }

  // The store's saved replies in the customer's language (all of them when it has none in that language).
  const saved = settings.resolved.savedReplies;
  const inLanguage = saved.filter((s) => s.locale === lang);
  const firstName = firstNameOf(facts.customerName);
  for (const s of inLanguage.length > 0 ? inLanguage : saved) {
    let text: string;
    try {
      text = renderSavedReply(s.body, {
        firstName,
        customerName: facts.customerName,
        orderRef: orderRef(row.order_id),
        storeName,
        agentName: agent?.trim() || teamSignature(s.locale, storeName),
      });
    } catch {
      continue; // validated on save; a hand-edited row that no longer renders is left out, not shown broken
    }
    out.push({ id: `saved:${s.locale}/${s.id}`, kind: 'saved', label: s.name, locale: s.locale, text });
  }
  return { locale: lang, suggestions: out };
}

function orderRef(orderId: string | null): string | null {
  const bare = (orderId ?? '').trim().replace(/^#+/u, '');
  return bare ? `#${bare}` : null;
}

function issuedRemedy(c: Selectable<CompensationsTable>) {
  const amount = c.issued_amount ?? c.amount;
  return {
    kind: c.kind as OfferKind,
    label: c.label,
    amount: amount === null ? null : { amount: Number(amount), currency: c.currency },
    percentOff: c.percent_off,
    points: c.points,
    code: c.code,
    expiresAt: c.valid_days !== null && c.issued_at ? DateTime.fromISO(c.issued_at).plus({ days: c.valid_days }).toISO() : null,
  };
}

/** The policy's first suggestion for this agent; none while the case needs a manual review or the policy offers nothing. */
async function recommendedOffer(ctx: AppContext, p: Principal, caseId: string) {
  const { decision } = await offersForCase(ctx, p, caseId);
  if (decision.manualReview) return null;
  return decision.offers[0] ?? null;
}
