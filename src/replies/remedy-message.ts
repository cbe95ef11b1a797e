/**
 * The message that tells the customer what they received: the code, the
 * credit, the refund — specific, first person, in their language.
 */
import { DateTime } from 'luxon';
import { formatMoney } from '../policy/money.ts';
import type { OfferKind } from '../policy/offer-kinds.ts';
import { compileDefaultTemplate, firstNameOf, personSignature, splitRendered, teamSignature } from './acknowledgement.ts';
import { replyLanguage } from './tone-check.ts';

export interface RemedyMessageInput {
  locale: string | null;
  customerName: string | null;
  storeName: string;
  orderRef: string | null;
  kind: OfferKind;
  label: string;
  amount: { amount: number; currency: string } | null;
  percentOff: number | null;
  points: number | null;
  code: string | null;
  expiresAt: string | null;
  timezone: string;
  /** The person who granted it; the store team signs otherwise. */
  signerName: string | null;
}

const templates = { en: compileDefaultTemplate('en', 'remedy'), es: compileDefaultTemplate('es', 'remedy') };

export function renderRemedyMessage(i: RemedyMessageInput): { subject: string; body: string; locale: 'en' | 'es'; template: string } {
  const lang = replyLanguage(i.locale);
  const value = i.percentOff !== null ? `${i.percentOff} %` : i.amount ? formatMoney(i.amount.amount, i.amount.currency) : '';
  const rendered = templates[lang]({
    firstName: firstNameOf(i.customerName),
    orderRef: i.orderRef,
    isCode: i.kind === 'discount_code',
    isCredit: i.kind === 'store_credit',
    isRefund: i.kind === 'refund_partial' || i.kind === 'refund_full',
    isPoints: i.kind === 'loyalty_points',
    isApology: i.kind === 'apology_only',
    value,
    code: i.code,
    points: i.points,
    label: i.label,
    expires: i.expiresAt ? DateTime.fromISO(i.expiresAt).setZone(i.timezone).setLocale(lang).toLocaleString(DateTime.DATE_FULL) : null,
    signature: personSignature(i.signerName, i.storeName) ?? teamSignature(lang, i.storeName),
  });
  const { subject, body } = splitRendered(rendered);
  // The shipped remedy templates always start with a Subject line.
  return { subject: subject ?? '', body, locale: lang, template: `${lang}/remedy` };
}
