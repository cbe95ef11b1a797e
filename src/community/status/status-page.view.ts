/**
 * The status page's HTML body, its Atom feed and its JSON summary, from `StatusPageData` (pure). Times are shown
 * in the store's timezone with a machine-readable `<time datetime>`; everything people wrote is escaped (the
 * page by Handlebars, the feed by `xmlText`).
 */
import fs from 'node:fs';
import { DateTime } from 'luxon';
import { compilePage, type PageLanguage } from '../../public/layout.ts';
import { publicTitleOf } from './public-text.ts';
import type { PublicIncident, PublicUpdate, StatusPageData, StatusStore } from './status-page.service.ts';

const template = (name: string) => compilePage(fs.readFileSync(new URL(`./views/${name}.hbs`, import.meta.url), 'utf8'));
const statusTemplate = template('status');
const notFoundTemplate = template('not-found');

const words = {
  en: {
    title: 'Status',
    heading: 'Service status',
    normal: 'All systems normal',
    normalNote: 'Orders, payments and deliveries are working as usual.',
    degraded: 'Some services are affected',
    degradedNote: 'We know about the problems below and are working on them.',
    current: 'Current incidents',
    recent: `Resolved in the last 30 days`,
    noneResolved: 'No incidents resolved in the last 30 days.',
    subscribe: 'Subscribe to updates (Atom feed)',
    subscribeNote: 'in any feed reader.',
    since: 'Since',
    resolvedAt: 'Resolved',
    updates: 'Updates, newest first',
    history: (n: number) => `All updates (${n})`,
    contacted: (n: number) => `We contacted ${n} affected ${n === 1 ? 'customer' : 'customers'} directly.`,
    states: { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' } as Record<
      string,
      string
    >,
    feedTitle: (store: string) => `${store} status`,
    notFound: 'Page not found',
    notFoundText: 'There is no status page at this address.',
  },
  es: {
    title: 'Estado',
    heading: 'Estado del servicio',
    normal: 'Todo funciona con normalidad',
    normalNote: 'Los pedidos, los pagos y las entregas funcionan como siempre.',
    degraded: 'Algunos servicios están afectados',
    degradedNote: 'Conocemos los problemas que siguen y estamos trabajando en ellos.',
    current: 'Incidencias en curso',
    recent: 'Resueltas en los últimos 30 días',
    noneResolved: 'Ninguna incidencia resuelta en los últimos 30 días.',
    subscribe: 'Suscríbete a las novedades (feed Atom)',
    subscribeNote: 'en cualquier lector de feeds.',
    since: 'Desde',
    resolvedAt: 'Resuelta',
    updates: 'Novedades, la más reciente primero',
    history: (n: number) => `Todas las novedades (${n})`,
    contacted: (n: number) => `Contactamos directamente con ${n} ${n === 1 ? 'cliente afectado' : 'clientes afectados'}.`,
    states: { investigating: 'Investigando', identified: 'Identificada', monitoring: 'En observación', resolved: 'Resuelta' } as Record<
      string,
      string
    >,
    feedTitle: (store: string) => `Estado de ${store}`,
    notFound: 'Página no encontrada',
    notFoundText: 'No hay ninguna página de estado en esta dirección.',
  },
} satisfies Record<PageLanguage, unknown>;

export const pageWords = (lang: PageLanguage) => words[lang];

/** An instant as the page shows it: in the store's timezone, with its zone, and as ISO for `<time datetime>`. */
export function timeOf(iso: string, timezone: string, lang: PageLanguage): { iso: string; text: string } {
  const d = DateTime.fromISO(iso, { zone: 'utc' });
  if (!d.isValid) return { iso, text: iso };
  const local = d.setZone(timezone);
  // The zone as people know it where one exists (EST, CET…), else its offset (GMT-3).
  const zone = local.setLocale('en-US').toFormat('ZZZZ');
  return {
    iso: d.toISO({ suppressMilliseconds: true }) ?? iso,
    text: `${local.setLocale(lang === 'es' ? 'es-ES' : 'en-GB').toFormat('d LLL yyyy, HH:mm')} ${zone}`,
  };
}

const stateClass = (state: string) =>
  state === 'resolved' ? 'ok' : state === 'monitoring' ? 'ok' : state === 'identified' ? 'warn' : 'bad';

function updateView(u: PublicUpdate, store: StatusStore, lang: PageLanguage) {
  return { stateLabel: words[lang].states[u.state] ?? u.state, body: u.body, at: timeOf(u.at, store.timezone, lang) };
}

function incidentView(i: PublicIncident, store: StatusStore, lang: PageLanguage) {
  const w = words[lang];
  const resolution = i.status === 'resolved' ? i.updates.find((u) => u.state === 'resolved') : undefined;
  return {
    id: i.id,
    title: publicTitleOf(i, lang),
    summary: i.summary,
    stateLabel: w.states[i.state] ?? i.state,
    stateClass: stateClass(i.state),
    sinceLabel: w.since,
    resolvedLabel: w.resolvedAt,
    updatesLabel: w.updates,
    historyLabel: w.history(i.updates.length),
    startedAt: timeOf(i.startedAt, store.timezone, lang),
    resolvedAt: i.resolvedAt ? timeOf(i.resolvedAt, store.timezone, lang) : null,
    resolution: resolution?.body ?? null,
    contacted: i.customersContacted > 0 ? w.contacted(i.customersContacted) : null,
    updates: i.updates.map((u) => updateView(u, store, lang)),
  };
}

export function statusPageBody(data: StatusPageData, lang: PageLanguage, feedUrl: string): string {
  const w = words[lang];
  return statusTemplate({
    t: w,
    state: data.state,
    stateText: data.state === 'normal' ? w.normal : w.degraded,
    stateNote: data.state === 'normal' ? w.normalNote : w.degradedNote,
    open: data.open.map((i) => incidentView(i, data.store, lang)),
    resolved: data.resolved.map((i) => incidentView(i, data.store, lang)),
    feedUrl,
  });
}

export function notFoundBody(lang: PageLanguage): string {
  return notFoundTemplate({ heading: words[lang].notFound, text: words[lang].notFoundText });
}

/** Keeps only what XML 1.0 may carry (its `Char` production): no other controls, no lone surrogates, no U+FFFE/FFFF. */
function xmlChars(s: string): string {
  let out = '';
  // for…of walks code points: a pair is one character, a lone surrogate its own.
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000) out += ch;
  }
  return out;
}

/** Text for an XML element or attribute: escaped, and without characters XML cannot carry. */
export function xmlText(s: string): string {
  return xmlChars(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** `upd_0195…` (a UUIDv7 without dashes) as a permanent `urn:uuid:` IRI. */
function entryId(updateId: string): string {
  const hex = updateId.replace(/^[a-z]+_/, '');
  if (/^[0-9a-f]{32}$/.test(hex))
    return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return `urn:amends:incident-update:${encodeURIComponent(updateId)}`;
}

/** The Atom feed (RFC 4287): one entry per public update, newest first. */
export function atomFeed(
  store: StatusStore,
  entries: { update: PublicUpdate; incident: Pick<PublicIncident, 'id' | 'monitor' | 'kind' | 'publicTitle'> }[],
  pageUrl: string,
  feedUrl: string,
): string {
  const w = words.en;
  const updated = entries[0]?.update.at ?? store.createdAt;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    `  <id>${xmlText(pageUrl)}</id>`,
    `  <title>${xmlText(w.feedTitle(store.name))}</title>`,
    `  <updated>${xmlText(updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(feedUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(pageUrl)}"/>`,
    `  <author><name>${xmlText(store.name)}</name></author>`,
  ];
  for (const { update, incident } of entries) {
    const title = `${publicTitleOf(incident)}: ${w.states[update.state] ?? update.state}`;
    lines.push(
      '  <entry>',
      `    <id>${entryId(update.id)}</id>`,
      `    <title type="text">${xmlText(title)}</title>`,
      `    <updated>${xmlText(update.at)}</updated>`,
      `    <published>${xmlText(update.at)}</published>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(`${pageUrl}#incident-${incident.id}`)}"/>`,
      `    <category term="${xmlText(update.state)}"/>`,
      `    <content type="text">${xmlText(update.body)}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

/** The summary for widgets (`/status/:store.json`). */
export function statusJson(data: StatusPageData, pageUrl: string) {
  const one = (i: PublicIncident) => ({
    id: i.id,
    title: publicTitleOf(i),
    summary: i.summary,
    status: i.status,
    state: i.state,
    startedAt: i.startedAt,
    resolvedAt: i.resolvedAt,
    customersContacted: i.customersContacted,
    updates: i.updates.map((u) => ({ id: u.id, state: u.state, body: u.body, at: u.at })),
  });
  return {
    store: { id: data.store.id, name: data.store.name },
    state: data.state,
    url: pageUrl,
    open: data.open.map(one),
    resolved: data.resolved.map(one),
  };
}
