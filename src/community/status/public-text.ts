/**
 * What the status page may say about an incident, when nobody has written it yet (pure).
 *
 * An incident's internal title and cause are for the team: they name carriers and regions, SKUs, and sometimes an
 * order ("Payment did not go through for order 1042"). The status page never shows them. It shows the public title
 * a person wrote, or else a generic title chosen by what found the incident (its monitor) and its issue kind; the
 * system's own updates (opened, resolved) are calm, generic sentences of the same kind.
 */
import type { PageLanguage } from '../../public/layout.ts';

export const updateStates = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type UpdateState = (typeof updateStates)[number];

type Text = Record<PageLanguage, string>;

/** What customers notice, by monitor. */
const titleByMonitor: Record<string, Text> = {
  shipment_late: { en: 'Some deliveries are running late', es: 'Algunas entregas llegan con retraso' },
  tracking_stalled: {
    en: 'Tracking updates are delayed for some parcels',
    es: 'El seguimiento de algunos paquetes no se actualiza',
  },
  delivery_exception: { en: 'Some deliveries have run into problems', es: 'Algunas entregas han tenido problemas' },
  lost: { en: 'Some parcels have gone missing in transit', es: 'Algunos paquetes se han extraviado en el transporte' },
  payment_failed: { en: 'Some payments are not going through', es: 'Algunos pagos no se están completando' },
  payment_failure_rate: { en: 'Some payments are not going through', es: 'Algunos pagos no se están completando' },
  backorder: {
    en: 'Some items are delayed by a stock shortage',
    es: 'Algunos artículos se retrasan por falta de existencias',
  },
};

/** By issue kind, when the monitor says little (an outage: the metric's name is internal). */
const titleByKind: Record<string, Text> = {
  website_bug: { en: 'Our website is having problems', es: 'Nuestra web tiene problemas' },
  payment_problem: { en: 'Some payments are not going through', es: 'Algunos pagos no se están completando' },
  delivery_late: { en: 'Some deliveries are running late', es: 'Algunas entregas llegan con retraso' },
  delivery_lost: { en: 'Some parcels have gone missing in transit', es: 'Algunos paquetes se han extraviado en el transporte' },
};

const fallbackTitle: Text = { en: 'Some of our services are affected', es: 'Algunos de nuestros servicios están afectados' };

/** The title the status page shows: the public title a person wrote, or a generic one. Never the internal title. */
export function publicTitleOf(i: { publicTitle: string | null; monitor: string; kind: string }, lang: PageLanguage = 'en'): string {
  if (i.publicTitle?.trim()) return i.publicTitle.trim();
  return (titleByMonitor[i.monitor] ?? titleByKind[i.kind] ?? fallbackTitle)[lang];
}

/** What customers are affected by, as a phrase for the system's opening update (en). */
const affectedPhrase: Record<string, string> = {
  shipment_late: 'some deliveries are running later than we promised',
  tracking_stalled: 'tracking has stopped updating for some parcels',
  delivery_exception: 'some deliveries have run into problems on their way',
  lost: 'some parcels may have gone missing in transit',
  payment_failed: 'some payments are not going through',
  payment_failure_rate: 'some payments are not going through',
  backorder: 'some items are delayed by a stock shortage',
  metric_threshold: 'part of our service is not working as it should',
};

/** The system's update when an incident opens (state `investigating`). */
export function openedUpdateText(monitor: string): string {
  const what = affectedPhrase[monitor] ?? 'something is not working as it should';
  // An outage has no list of customers to write to; a delivery or payment incident does.
  const next =
    monitor === 'metric_threshold'
      ? 'We will post updates here.'
      : 'Customers affected will hear from us directly; we will post updates here.';
  return `We are aware that ${what} and we are looking into it. ${next}`;
}

/** The system's update when an incident that was resolved fails again and opens once more. */
export function reopenedUpdateText(): string {
  return 'The problem has come back and we are looking into it again. We will post updates here.';
}

/** The system's update when an incident resolves (state `resolved`). */
export function resolvedUpdateText(monitor: string): string {
  return monitor === 'metric_threshold'
    ? 'This has been resolved and everything is working normally again. Thank you for your patience.'
    : 'This has been resolved. Customers affected have been or will be contacted directly. Thank you for your patience.';
}
