/**
 * The portal's pages (ADR 0009): Handlebars templates in `views/`, HTML-escaped; this file only turns the
 * service's data into words (statuses, dates in the store's time zone, money) so the templates stay plain.
 */
import fs from 'node:fs';
import { formatMoney } from '../../policy/money.ts';
import { compilePage } from '../../public/layout.ts';
import {
  issueKinds,
  issueSubject,
  MAX_DESCRIPTION,
  type PortalCase,
  type PortalCaseSummary,
  type PortalIssueKind,
  type PortalOrder,
  type PortalShipment,
} from './portal.service.ts';
import { describeOffer, type PortalOffer, type PortalRemedy } from './portal-remedy.ts';

const view = (name: string) => compilePage(fs.readFileSync(new URL(`./views/${name}.hbs`, import.meta.url), 'utf8'));

export const views = {
  nav: view('nav'),
  identify: view('identify'),
  sent: view('sent'),
  link: view('link'),
  message: view('message'),
  shipments: view('shipments'),
  orders: view('orders'),
  order: view('order'),
  report: view('report'),
  case: view('case'),
};

export interface PortalNav {
  base: string;
  csrf: string;
  caseId?: string;
  orderId?: string;
}

export const nav = (n: PortalNav) => views.nav(n);

const humanize = (s: string) => {
  const t = s.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
};

const caseStatus: Record<string, { label: string; tone: string }> = {
  new: { label: 'Received', tone: '' },
  acknowledged: { label: 'Received', tone: '' },
  in_progress: { label: 'Being handled', tone: '' },
  waiting_on_customer: { label: 'Waiting for your reply', tone: 'warn' },
  resolved: { label: 'Resolved', tone: 'ok' },
  closed: { label: 'Closed', tone: 'ok' },
  reopened: { label: 'Reopened', tone: 'warn' },
};

const shipmentStatus: Record<string, { label: string; tone: string }> = {
  label_created: { label: 'Label created', tone: '' },
  in_transit: { label: 'In transit', tone: '' },
  out_for_delivery: { label: 'Out for delivery', tone: '' },
  delivered: { label: 'Delivered', tone: 'ok' },
  exception: { label: 'Delivery problem', tone: 'bad' },
  lost: { label: 'Lost by the carrier', tone: 'bad' },
};

export function dateTime(iso: string | null, timezone: string): string | null {
  if (!iso) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  } catch {
    return iso;
  }
}

function day(iso: string | null, timezone: string): string | null {
  if (!iso) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso))
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, dateStyle: 'medium' }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export const caseHref = (base: string, id: string) => `${base}/cases/${encodeURIComponent(id)}`;
export const orderHref = (base: string, id: string) => `${base}/orders/${encodeURIComponent(id)}`;

function caseRow(base: string, c: PortalCaseSummary) {
  const s = caseStatus[c.status] ?? { label: humanize(c.status), tone: '' };
  return { ...c, href: caseHref(base, c.id), statusLabel: s.label, tone: s.tone };
}

function shipmentsHtml(shipments: PortalShipment[], promisedBy: string | null, tz: string): string {
  return views.shipments({
    promised: day(promisedBy, tz),
    shipments: shipments.map((s) => {
      const st = shipmentStatus[s.status] ?? { label: humanize(s.status), tone: '' };
      return {
        ...s,
        statusLabel: st.label,
        tone: st.tone,
        lastScan: dateTime(s.lastScanAt, tz),
        promised: day(s.promisedBy, tz),
        delivered: dateTime(s.deliveredAt, tz),
      };
    }),
  });
}

export function orderView(base: string, o: PortalOrder, tz: string) {
  return {
    id: o.id,
    href: orderHref(base, o.id),
    reportHref: `${orderHref(base, o.id)}/report`,
    placed: day(o.placedAt, tz),
    total: formatMoney(o.total.amount, o.total.currency),
    statusLabel: o.status === 'cancelled' ? 'Cancelled' : humanize(o.status),
    items: o.items.map((i) => ({ ...i, price: i.price ? formatMoney(i.price.amount, i.price.currency) : null })),
    shipmentsHtml: shipmentsHtml(o.shipments, o.promisedBy, tz),
    cases: o.cases.map((c) => caseRow(base, c)),
  };
}

export function ordersView(base: string, orders: PortalOrder[], otherCases: PortalCaseSummary[], tz: string) {
  return { orders: orders.map((o) => orderView(base, o, tz)), otherCases: otherCases.map((c) => caseRow(base, c)) };
}

export function kindChoices(checked: string | undefined) {
  return issueKinds.map((k: PortalIssueKind) => ({ value: k, label: issueSubject[k], checked: k === checked }));
}

export function caseView(c: PortalCase, tz: string) {
  const s = caseStatus[c.status] ?? { label: humanize(c.status), tone: '' };
  return {
    ...c,
    statusLabel: s.label,
    tone: s.tone,
    messages: c.messages.map((m) => ({ ...m, who: m.from === 'customer' ? 'You' : 'Us', when: dateTime(m.at, tz) })),
  };
}

export interface RemedyNote {
  tone: string;
  heading: string;
  text: string;
  code: string | null;
}

const remedyValue = (r: PortalRemedy) =>
  describeOffer({
    kind: r.kind as Parameters<typeof describeOffer>[0]['kind'],
    amount: r.amount,
    percentOff: null,
    points: null,
    label: r.label,
  });

/**
 * What the customer reads about remedies on their case. Only their own choice in the portal (`portal:<case>`) is
 * "you chose", in whatever became of it — declined and failed said plainly, never offered again. Anything else
 * (an automatic remedy at intake, an agent's grant) is shown once it is issued: "the store gave you".
 */
export function remedyNotes(chosen: PortalRemedy | null, given: PortalRemedy | null, c: PortalCase, tz: string): RemedyNote[] {
  const notes: RemedyNote[] = [];
  if (chosen) notes.push(chosenNote(chosen, c, tz));
  if (given && given.id !== chosen?.id) {
    notes.push({
      tone: 'ok',
      heading: given.kind === 'store_credit' ? 'Store credit issued' : 'Done',
      text: `The store gave you ${remedyValue(given)}.`,
      code: given.code,
    });
  }
  return notes;
}

function chosenNote(r: PortalRemedy, c: PortalCase, tz: string): RemedyNote {
  const value = remedyValue(r);
  const by = c.firstResponseDueAt && !c.firstRespondedAt ? dateTime(c.firstResponseDueAt, tz) : null;
  const inTouch = `a person will be in touch here${by ? ` by ${by}` : ' soon'}. You don't need to tell us again.`;
  switch (r.status) {
    case 'issued':
      return {
        tone: 'ok',
        heading: r.kind === 'store_credit' ? 'Store credit issued' : 'Done',
        text: `You've got ${value}.`,
        code: r.code,
      };
    case 'approved':
    case 'issuing':
      return {
        tone: '',
        heading: 'On its way',
        text: `You chose ${value}. We're issuing it now; reload this page in a moment.`,
        code: null,
      };
    case 'cancelled':
      return { tone: 'warn', heading: 'Declined', text: `You chose ${value}, but it was declined by the store — ${inTouch}`, code: null };
    case 'failed':
      return {
        tone: 'warn',
        heading: 'Could not be issued',
        text: `You chose ${value}, but it could not be issued — ${inTouch}`,
        code: null,
      };
    default:
      return {
        tone: 'warn',
        heading: 'A person will confirm this',
        text: `You chose ${value}. A member of our team has everything you sent and will answer here${by ? ` by ${by}` : ' soon'}. You don't need to tell us again.`,
        code: null,
      };
  }
}

export const maxDescription = MAX_DESCRIPTION;
export type { PortalOffer };
