/**
 * The message that tells the customer what they received: the code, the
 * credit, the refund — specific, first person, in their language.
 */
import fs from 'node:fs';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { formatMoney } from '../policy/money.ts';
import type { OfferKind } from '../policy/offer-kinds.ts';

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
  signature: string | null;
}

const hbs = Handlebars.create();
const templates = new Map<string, Handlebars.TemplateDelegate<Record<string, unknown>>>();

function template(lang: 'en' | 'es') {
  let t = templates.get(lang);
  if (!t) {
    const source = fs.readFileSync(new URL(`./templates/${lang}/remedy.hbs`, import.meta.url), 'utf8');
    t = hbs.compile(source, { noEscape: true, strict: false });
    templates.set(lang, t);
  }
  return t;
}

export function renderRemedyMessage(i: RemedyMessageInput): { subject: string; body: string; locale: 'en' | 'es'; template: string } {
  const lang = i.locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
  const value = i.percentOff !== null ? `${i.percentOff} %` : i.amount ? formatMoney(i.amount.amount, i.amount.currency) : '';
  const rendered = template(lang)({
    firstName: i.customerName?.trim().split(/\s+/)[0] ?? null,
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
    signature: i.signature ?? i.storeName,
  });
  const [first, ...rest] = rendered.split('\n');
  const subject = first!.replace(/^Subject:\s*/, '').trim();
  const body = rest
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject, body, locale: lang, template: `${lang}/remedy` };
}
