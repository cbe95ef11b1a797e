/** One line of plain words for a timeline entry; unknown kinds fall back to their type and short facts. */
import type { TimelineEntry } from '../../api/types.ts';
import { formatMoney, humanize } from '../../ui/format.ts';
import { statusLabel } from './labels.ts';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function money(v: unknown): string | null {
  if (v && typeof v === 'object' && 'amount' in v && 'currency' in v) {
    const m = v as { amount: unknown; currency: unknown };
    if (typeof m.amount === 'number' && typeof m.currency === 'string') return formatMoney(m.amount, m.currency);
  }
  return null;
}

const statusName = (v: unknown) => {
  const s = str(v);
  return s && s in statusLabel ? statusLabel[s as keyof typeof statusLabel] : humanize(s);
};

export function describeEntry(e: TimelineEntry, userName: (id: string | null) => string): string {
  const d = e.data;
  switch (e.type) {
    case 'status.changed':
      return `Status ${statusName(d.from)} → ${statusName(d.to)}${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'assignee.changed':
      return d.to ? `Assigned to ${userName(str(d.to))}` : 'Unassigned';
    case 'guardrail.fired':
      return `Guardrail: ${str(d.reason) ?? humanize(str(d.rule))}`;
    case 'case.opened':
      return 'Case opened';
    case 'case.routed':
      return `Routed to the ${str(d.queue) ?? str(d.to) ?? ''} queue`.replace('  ', ' ');
    case 'sla.breached':
    case 'sla.near_breach':
    case 'sla.met':
    case 'sla.started':
    case 'sla.paused':
    case 'sla.resumed':
    case 'sla.restarted':
      return `${humanize(str(d.metric) ?? 'SLA')}: ${e.type.slice(4).replace('_', ' ')}`;
    case 'compensation.requested':
    case 'compensation.approved':
    case 'compensation.issued':
    case 'compensation.failed':
      return `${humanize(e.type.replace('compensation.', 'compensation '))}${str(d.label) ? `: ${str(d.label)}` : ''}${money(d.cost) ? ` (${money(d.cost)})` : ''}`;
    case 'order.placed':
      return `Order ${str(d.orderId) ?? ''} placed${money(d.total) ? ` (${money(d.total)})` : ''}`;
    case 'shipment.created':
    case 'shipment.updated':
      return `Shipment ${humanize(str(d.status) ?? e.type.split('.')[1])}${str(d.carrier) ? ` with ${str(d.carrier)}` : ''}`;
    case 'shipment.delivered':
      return 'Delivered';
    case 'payment.succeeded':
    case 'payment.failed':
      return `Payment ${e.type.split('.')[1]}${money(d.amount) ? ` (${money(d.amount)})` : ''}${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
    case 'refund.recorded':
      return `Refund recorded${money(d.amount) ? ` (${money(d.amount)})` : ''}`;
    case 'message.inbound':
      return 'Customer wrote';
    case 'message.reply':
      return e.actor?.type === 'system' ? 'Automatic message sent' : `Reply by ${userName(e.actor?.id ?? null)}`;
    case 'message.note':
      return `Note by ${userName(e.actor?.id ?? null)}`;
    default: {
      const facts = Object.entries(d)
        .filter(([k, v]) => !k.endsWith('Id') && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
        .slice(0, 3)
        .map(([k, v]) => `${humanize(k).toLowerCase()} ${String(v)}`);
      return `${humanize(e.type)}${facts.length ? ` (${facts.join(', ')})` : ''}`;
    }
  }
}
