import { humanize } from '../../../ui/format.ts';

/** What found the incident, in words a person uses. */
const monitorLabels: Record<string, string> = {
  shipment_late: 'Late delivery',
  tracking_stalled: 'Tracking stalled',
  delivery_exception: 'Delivery exception',
  lost: 'Lost parcel',
  payment_failed: 'Failed payment',
  payment_failure_rate: 'Payment failure spike',
  metric_threshold: 'Outage (metric)',
  backorder: 'Out of stock',
};

export const monitorLabel = (m: string): string => monitorLabels[m] ?? humanize(m);

/** One colour per monitor, the same in the chart and the badges. */
const monitorColors: Record<string, string> = {
  shipment_late: 'orange.6',
  tracking_stalled: 'yellow.6',
  delivery_exception: 'grape.6',
  lost: 'red.7',
  payment_failed: 'blue.6',
  payment_failure_rate: 'indigo.6',
  metric_threshold: 'cyan.7',
  backorder: 'teal.6',
};
const spare = ['pink.6', 'lime.7', 'violet.6', 'gray.6'];

export function monitorColor(m: string, i = 0): string {
  return monitorColors[m] ?? spare[i % spare.length]!;
}

export const severityLabel: Record<number, string> = { 1: 'Minor', 2: 'Moderate', 3: 'Major', 4: 'Critical' };
export const severityColor: Record<number, string> = { 1: 'gray', 2: 'yellow', 3: 'orange', 4: 'red' };

export const deliveryLabel: Record<string, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Delivered',
  failed: 'Failed',
  skipped: 'Not sent',
};
export const deliveryColor: Record<string, string> = { queued: 'gray', sending: 'blue', sent: 'green', failed: 'red', skipped: 'orange' };

export const contactLabel: Record<string, string> = { sent: 'Told', waiting: 'Waiting to send', suppressed: 'Not needed' };
