import type { Incident, IncidentDetail } from '../../api/types.ts';

export type Money = { amount: number; currency: string };

export interface AffectedCustomer {
  customerId: string;
  name: string | null;
  email: string | null;
  /** The customer's tier now (new, regular, loyal, vip), from their relationship and the active policy. */
  tier: string | null;
  cases: { id: string; number: number; status: string; source: string; orderId: string | null }[];
}

export interface IncidentMessage {
  id: string;
  customerId: string;
  customerName: string | null;
  caseId: string;
  caseNumber: number | null;
  caseStatus: string | null;
  subject: string | null;
  body: string;
  channel: string | null;
  locale: string | null;
  template: string | null;
  createdAt: string;
  /** From the outbox: queued, sending, sent, failed or skipped. */
  delivery: { status: string; attempts: number; detail: string | null; sentAt: string | null };
}

export interface IncidentRemedy {
  id: string;
  caseId: string;
  caseNumber: number | null;
  caseStatus: string | null;
  customerId: string | null;
  kind: string;
  label: string;
  amount: Money | null;
  percentOff: number | null;
  points: number | null;
  cost: Money;
  status: string;
  requestedBy: { type: string; id: string | null };
  approvedAt: string | null;
  issuedAt: string | null;
  createdAt: string;
}

export interface CurrencyTotal {
  currency: string;
  amount: number;
  count: number;
}

/** GET /api/v1/incidents/:id as the console reads it. */
export interface IncidentFull extends IncidentDetail {
  affected: AffectedCustomer[];
  messages: IncidentMessage[];
  remedies: IncidentRemedy[];
  totals: {
    messages: { sent: number; waiting: number; suppressed: number };
    remediesIssued: CurrencyTotal[];
    remediesPending: CurrencyTotal[];
  };
}

/** GET /api/v1/incidents/stats. */
export interface IncidentStats {
  timezone: string;
  from: string;
  to: string;
  monitors: string[];
  days: {
    day: string;
    incidents: number;
    affectedCustomers: number;
    byMonitor: Record<string, { incidents: number; affectedCustomers: number }>;
  }[];
  totals: { incidents: number; affectedCustomers: number };
}

export type { Incident };
