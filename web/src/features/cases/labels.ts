import type { CaseStatus, Emotion, Priority, Tier } from '../../api/types.ts';

export const priorityColor: Record<Priority, string> = { urgent: 'red', high: 'orange', normal: 'blue', low: 'gray' };
export const priorityRank: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export const tierColor: Record<Tier, string> = { vip: 'grape', loyal: 'teal', regular: 'blue', new: 'gray' };
export const tierLabel: Record<Tier, string> = { vip: 'VIP', loyal: 'Loyal', regular: 'Regular', new: 'New customer' };

export const statusLabel: Record<CaseStatus, string> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  in_progress: 'In progress',
  waiting_on_customer: 'Waiting on customer',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'Reopened',
};

export const statusColor: Record<CaseStatus, string> = {
  new: 'blue',
  acknowledged: 'cyan',
  in_progress: 'indigo',
  waiting_on_customer: 'yellow',
  resolved: 'green',
  closed: 'gray',
  reopened: 'orange',
};

export const emotionLabel: Record<Emotion, string> = {
  anger: 'Angry',
  frustration: 'Frustrated',
  disappointment: 'Disappointed',
  anxiety: 'Anxious',
  confusion: 'Confused',
  neutral: 'Neutral',
  satisfied: 'Satisfied',
};

export const kindLabel: Record<string, string> = {
  delivery_late: 'Late delivery',
  delivery_lost: 'Lost parcel',
  damaged_item: 'Damaged item',
  wrong_item: 'Wrong item',
  missing_item: 'Missing item',
  quality_defect: 'Quality defect',
  payment_problem: 'Payment problem',
  billing_error: 'Billing error',
  refund_request: 'Refund request',
  cancellation: 'Cancellation',
  account_access: 'Account access',
  website_bug: 'Website bug',
  rude_service: 'Rude service',
  other: 'Other',
};

export const severityLabel: Record<number, string> = { 1: 'Minor', 2: 'Moderate', 3: 'Major', 4: 'Critical' };

/** The lifecycle's allowed moves (the server's src/cases/lifecycle.ts decides; this only picks which buttons to show). */
export const nextStatuses: Record<CaseStatus, CaseStatus[]> = {
  new: ['acknowledged', 'in_progress'],
  acknowledged: ['in_progress', 'waiting_on_customer', 'resolved'],
  in_progress: ['waiting_on_customer', 'resolved'],
  waiting_on_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['in_progress', 'waiting_on_customer', 'resolved'],
};
