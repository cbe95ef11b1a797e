/**
 * The message we send before the customer has to ask: their parcel is late or lost, their payment
 * didn't go through, an item is out of stock, checkout was down. First person, specific (order,
 * carrier, dates, amount, item), says we noticed first, what I'm doing now and what happens next,
 * and — when a remedy goes out with it — what we've added to make up for it.
 *
 * Wording lives in `templates/<lang>/proactive.hbs` (English; Spanish in "usted", like the other
 * replies). This module only prepares the facts: dates and times in the customer's time zone and
 * language ("yesterday at 16:20", "el domingo 8 de marzo"), money via `formatMoney`, and the day
 * by which I promise to act if nothing has changed.
 */
import { DateTime } from 'luxon';
import { formatMoney } from '../policy/money.ts';
import { compileDefaultTemplate, firstNameOf, personSignature, splitRendered, teamSignature } from './acknowledgement.ts';
import { type ReplyLanguage, replyLanguage } from './tone-check.ts';

export const proactiveReasons = [
  'shipment_late',
  'tracking_stalled',
  'delivery_exception',
  'lost',
  'payment_failed',
  'outage',
  'backorder',
] as const;
export type ProactiveReason = (typeof proactiveReasons)[number];

export interface ProactiveMessageInput {
  /** Customer's locale, e.g. 'es-MX'; `replyLanguage()` picks en/es. */
  locale: string | null;
  customerName: string | null;
  storeName: string;
  reason: ProactiveReason;
  /** Order id as the customer knows it ("1001" or "#1001"). */
  orderRef: string | null;
  carrier: string | null;
  /** ISO instant the delivery was promised by. */
  promisedBy: string | null;
  /** ISO instant of the last tracking scan. */
  lastCarrierEventAt: string | null;
  /** backorder: the item that is out of stock. */
  itemName: string | null;
  /** backorder: ISO instant the item is expected back, if known. */
  restockAt: string | null;
  /** payment_failed: the amount, in minor units. */
  payment: { amount: number; currency: string } | null;
  /** outage: when it began. */
  outageStartedAt: string | null;
  /** An automatic remedy issued with this message, e.g. "10 % off your next order". */
  remedy: { label: string } | null;
  /** IANA zone to show dates and times in (the customer's, else the store's). */
  timezone: string;
  /** ISO instant the message is written. */
  now: string;
  /** A person's name; the store team signs otherwise. */
  signerName: string | null;
}

export interface RenderedProactiveMessage {
  subject: string;
  body: string;
  locale: ReplyLanguage;
  template: string;
}

/**
 * Days from now by which I act if a stalled, lost or late parcel hasn't moved or arrived (send a
 * replacement, chase the carrier), or write again with news (delivery problem, no restock date).
 */
export const FOLLOW_UP_DAYS = 2;

const templates: Record<ReplyLanguage, ReturnType<typeof compileDefaultTemplate>> = {
  en: compileDefaultTemplate('en', 'proactive'),
  es: compileDefaultTemplate('es', 'proactive'),
};

const RELATIVE: Record<ReplyLanguage, Record<number, string>> = {
  en: { [-1]: 'yesterday', 0: 'today', 1: 'tomorrow' },
  es: { [-1]: 'ayer', 0: 'hoy', 1: 'mañana' },
};

function parseInstant(value: string, field: string, zone: string, lang: ReplyLanguage): DateTime {
  const dt = DateTime.fromISO(value, { setZone: true });
  if (!dt.isValid) throw new RangeError(`${field} is not a valid ISO-8601 instant: ${JSON.stringify(value)}`);
  const local = dt.setZone(zone);
  if (!local.isValid) throw new RangeError(`timezone is not a valid IANA time zone: ${JSON.stringify(zone)}`);
  return local.setLocale(lang);
}

const daysBetween = (from: DateTime, to: DateTime): number => Math.round(to.startOf('day').diff(from.startOf('day'), 'days').days);

/** "Sunday 8 March" / "domingo 8 de marzo", with the year when it isn't this year. */
function plainDay(dt: DateTime, now: DateTime, lang: ReplyLanguage): string {
  const withYear = dt.year !== now.year;
  if (lang === 'es') return dt.toFormat(withYear ? "cccc d 'de' LLLL 'de' yyyy" : "cccc d 'de' LLLL");
  return dt.toFormat(withYear ? 'cccc d LLLL yyyy' : 'cccc d LLLL');
}

/** "a las 16:20", but "a la 01:05" (la una). */
const esAt = (dt: DateTime): string => `${dt.hour === 1 ? 'a la' : 'a las'} ${dt.toFormat('HH:mm')}`;

/**
 * A day to follow a verb: "yesterday" / "on Sunday 8 March" / "ayer" / "el domingo 8 de marzo",
 * optionally with the time: "yesterday at 16:20" / "el domingo 8 de marzo a las 16:20".
 */
function onDay(dt: DateTime, now: DateTime, lang: ReplyLanguage, withTime: boolean): string {
  const relative = RELATIVE[lang][daysBetween(now, dt)];
  const day = relative ?? (lang === 'es' ? `el ${plainDay(dt, now, lang)}` : `on ${plainDay(dt, now, lang)}`);
  if (!withTime) return day;
  return lang === 'es' ? `${day} ${esAt(dt)}` : `${day} at ${dt.toFormat('HH:mm')}`;
}

/** When an outage began, after "Between" / "Desde": "09:05" / "las 09:05" the same day, else with the day. */
function outageStart(dt: DateTime, now: DateTime, lang: ReplyLanguage): string {
  const days = daysBetween(now, dt);
  if (days === 0) return lang === 'es' ? esAt(dt).slice(2) : dt.toFormat('HH:mm');
  const relative = RELATIVE[lang][days];
  if (lang === 'es') return `${relative ?? `el ${plainDay(dt, now, lang)}`} ${esAt(dt)}`;
  return `${relative ?? plainDay(dt, now, lang)} at ${dt.toFormat('HH:mm')}`;
}

function orderLabel(ref: string | null): string | null {
  const bare = (ref ?? '').trim().replace(/^#+/u, '').trim();
  return bare ? `#${bare}` : null;
}

const clean = (s: string | null | undefined): string | null => {
  const t = (s ?? '').trim();
  return t ? t : null;
};

export function renderProactiveMessage(i: ProactiveMessageInput): RenderedProactiveMessage {
  if (!(proactiveReasons as readonly string[]).includes(i.reason)) {
    throw new RangeError(`reason is not a proactive reason: ${JSON.stringify(i.reason)}`);
  }
  const lang = replyLanguage(i.locale);
  const now = parseInstant(i.now, 'now', i.timezone, lang);
  const at = (value: string | null, field: string): DateTime | null => (value ? parseInstant(value, field, i.timezone, lang) : null);
  const promised = at(i.promisedBy, 'promisedBy');
  const lastScan = at(i.lastCarrierEventAt, 'lastCarrierEventAt');
  const outage = at(i.outageStartedAt, 'outageStartedAt');
  // A restock date already behind us is no date at all: say we don't have one yet.
  const restockRaw = at(i.restockAt, 'restockAt');
  const restock = restockRaw && daysBetween(now, restockRaw) >= 0 ? restockRaw : null;

  // For a late parcel still inside its promise, don't promise to act before the promise has passed.
  let followUp = now.plus({ days: FOLLOW_UP_DAYS });
  if (i.reason === 'shipment_late' && promised && daysBetween(followUp, promised) >= 0) followUp = promised.plus({ days: 1 });

  const order = orderLabel(i.orderRef);
  const carrier = clean(i.carrier);
  const first = firstNameOf(i.customerName);
  const remedy = clean(i.remedy?.label)?.replace(/[\s.]+$/u, '') || null;

  const rendered = templates[lang]({
    firstName: first,
    storeName: i.storeName,
    order,
    yourOrder: lang === 'es' ? (order ? `su pedido ${order}` : 'su pedido') : order ? `your order ${order}` : 'your order',
    carrier,
    carrierOr: carrier ?? (lang === 'es' ? 'la empresa de transporte' : 'the delivery company'),
    promised: promised ? onDay(promised, now, lang, false) : null,
    lastScan: lastScan ? onDay(lastScan, now, lang, true) : null,
    item: clean(i.itemName),
    restock: restock ? onDay(restock, now, lang, false) : null,
    amount: i.payment ? formatMoney(i.payment.amount, i.payment.currency) : null,
    outageFrom: outage ? outageStart(outage, now, lang) : null,
    followUp: plainDay(followUp, now, lang),
    remedy,
    isLate: i.reason === 'shipment_late',
    isStalled: i.reason === 'tracking_stalled',
    isException: i.reason === 'delivery_exception',
    isLost: i.reason === 'lost',
    isPayment: i.reason === 'payment_failed',
    isOutage: i.reason === 'outage',
    isBackorder: i.reason === 'backorder',
    signature: signature(lang, i.signerName, i.storeName),
  });
  const { subject, body } = splitRendered(rendered);
  // The shipped proactive templates always start with a Subject line.
  return { subject: subject ?? '', body, locale: lang, template: `${lang}/proactive` };
}

/** "Ada from Acme" / "Ada, del equipo de Acme"; the store team when no person signs. */
function signature(lang: ReplyLanguage, signerName: string | null, storeName: string): string {
  if (lang === 'es') {
    const first = firstNameOf(signerName);
    return first ? `${first}, del equipo de ${storeName}` : teamSignature(lang, storeName);
  }
  return personSignature(signerName, storeName) ?? teamSignature(lang, storeName);
}
