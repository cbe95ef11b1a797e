/**
 * The shapes the console reads from the API (see /api/openapi.json). Written out here rather than imported
 * from the server's source so the browser bundle never pulls in server code.
 */

export type Role = 'agent' | 'manager' | 'admin';

export interface Money {
  amount: number;
  currency: string;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  storeId: string;
}

export interface SessionStore {
  id: string;
  name: string;
  timezone: string;
  currency: string;
}

export interface Session {
  user: SessionUser;
  store: SessionStore;
  csrfToken: string;
}

export const caseStatuses = ['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'resolved', 'closed', 'reopened'] as const;
export type CaseStatus = (typeof caseStatuses)[number];
export const openStatuses: readonly CaseStatus[] = ['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened'];

export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export type Tier = 'new' | 'regular' | 'loyal' | 'vip';
export type Emotion = 'anger' | 'frustration' | 'disappointment' | 'anxiety' | 'confusion' | 'neutral' | 'satisfied';

export interface CaseSummary {
  id: string;
  /** In lists: the customer's name or e-mail (null when unknown); absent elsewhere. */
  customerName?: string | null;
  number: number;
  status: CaseStatus;
  source: 'reactive' | 'proactive';
  channel: string | null;
  customerId: string | null;
  orderId: string | null;
  subject: string | null;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  kind: string | null;
  severity: number | null;
  emotion: { primary: Emotion; intensity: number } | null;
  priority: { level: Priority; score: number } | null;
  queue: 'vip' | 'manager' | 'general' | null;
  customerTier: Tier | null;
  avertable: boolean;
  due: { firstResponse: string | null; resolution: string | null };
  firstRespondedAt: string | null;
}

export interface Evidence {
  rule: string;
  phrase?: string;
  span?: [number, number];
  detail?: string;
  weight?: number;
}

export interface FlagLabel {
  value: boolean;
  evidence: Evidence[];
}

export interface TriageResult {
  kind: { value: string; confidence: number; evidence: Evidence[] };
  severity: { value: number; evidence: Evidence[] };
  emotion: { primary: Emotion; intensity: number; evidence: Evidence[] };
  sentiment: { compound: number; positive: number; negative: number; neutral: number };
  churnThreat: FlagLabel;
  legalOrPublicThreat: FlagLabel;
  repeatMention: FlagLabel;
  urgency: FlagLabel & { cues: string[] };
  language: { value: string; evidence: Evidence[] };
}

export interface CaseMessage {
  id: string;
  kind: 'inbound' | 'reply' | 'note';
  authorType: string;
  authorId: string | null;
  body: string;
  createdAt: string;
  status: string | null;
  channel: string | null;
  subject: string | null;
  locale: string | null;
  template: string | null;
  triage: TriageResult | null;
}

export interface GuardrailFiring {
  rule: 'repeat_failure' | 'critical_severity' | 'avertable';
  reason: string;
  at: string;
  effect: { severityFrom?: number; severityTo?: number; route: 'manager' };
}

export interface SlaClock {
  metric: 'first_response' | 'resolution';
  status: string;
  targetMinutes: number;
  startedAt: string;
  dueAt: string | null;
  warnAt: string | null;
  pausedAt: string | null;
  metAt: string | null;
  breached: boolean;
  percentUsed: number;
}

export interface TimelineEntry {
  at: string;
  kind: 'activity' | 'message' | 'event';
  type: string;
  actor?: { type: string; id: string | null };
  data: Record<string, unknown>;
}

export interface CaseDetail extends CaseSummary {
  triage: TriageResult | null;
  guardrails: GuardrailFiring[];
  guidance: string[];
  priorityFactors: { factor: string; points: number; detail: string }[];
  sla: SlaClock[];
  acknowledgement: CaseMessage | null;
  messages: CaseMessage[];
  timeline: TimelineEntry[];
}

export interface CaseList {
  cases: CaseSummary[];
  nextCursor: string | null;
}

export interface CustomerMetrics {
  ordersCount: number;
  lifetimeValue: number;
  averageOrderValue: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  tenureDays: number;
  daysSinceLastOrder: number | null;
  failuresCount: number;
  lastFailureAt: string | null;
  segment: 'new' | 'active' | 'at_risk' | 'lapsed' | 'recovered';
}

export interface Customer {
  id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  tags: string[];
  createdAt: string | null;
  currency: string | null;
  preferredRemedy: string | null;
  relationshipManagerId: string | null;
  metrics: CustomerMetrics;
}

export interface CustomerDetail extends Customer {
  recentOrders: {
    id: string;
    status: string;
    total: Money;
    refunded: Money;
    placedAt: string;
    promisedBy: string | null;
    failedAt: string | null;
  }[];
  cases: { id: string; number: number; status: string; subject: string | null; createdAt: string }[];
}

export interface Shipment {
  id: string;
  carrier: string | null;
  trackingNumber: string | null;
  status: string;
  shippedAt: string | null;
  promisedBy: string | null;
  deliveredAt: string | null;
  lastCarrierEventAt: string | null;
}

export interface Order {
  id: string;
  customerId: string | null;
  status: string;
  total: Money;
  refunded: Money;
  items: unknown[];
  promisedBy: string | null;
  channel: string | null;
  placedAt: string;
  cancelledAt: string | null;
  failedAt: string | null;
  shipments: Shipment[];
  payments: { id: string; status: string; amount: Money; reason: string | null; occurredAt: string }[];
  refunds: { id: string; amount: Money; reason: string | null; occurredAt: string }[];
}

export interface Approval {
  needed: boolean;
  reasons: string[];
  approverRole: Role | null;
  justificationRequired: boolean;
}

export interface SuggestedOffer {
  offerId: string;
  kind: string;
  label: string;
  amount: Money | null;
  percentOff: number | null;
  points: number | null;
  validDays: number | null;
  cost: Money;
  source: 'matrix' | 'refund_alternative' | 'welcome_back' | 'exclusive_perk' | 'exception';
  preferred: boolean;
  approval: Approval;
}

export interface Allowance {
  holder: string;
  role: Role;
  period: string;
  currency: string;
  limit: number | null;
  spent: number;
  remaining: number | null;
}

export interface OffersResponse {
  policy: { hash: string; name: string; isDefault: boolean };
  decision: {
    tier: { tier: Tier; reason: string };
    kind: string;
    severity: number;
    rule: { id: string; index: number };
    offers: SuggestedOffer[];
    unavailable: { offerId: string; reason: string }[];
    firings: { rule: string; detail: string; offerIds: string[] }[];
    onCase: number;
    manualReview: boolean;
    auto: { issue: boolean; offerId: string | null; reasons: string[] };
    reasons: string[];
  };
  allowance: Allowance;
}

export type CompensationStatus = 'proposed' | 'pending_approval' | 'approved' | 'issuing' | 'issued' | 'rejected' | 'cancelled' | 'failed';

export interface Compensation {
  id: string;
  caseId: string;
  customerId: string | null;
  orderId: string | null;
  idempotencyKey: string;
  offerId: string;
  kind: string;
  label: string;
  amount: Money | null;
  percentOff: number | null;
  points: number | null;
  cost: Money;
  status: CompensationStatus | string;
  policyVersion: string;
  ruleId: string;
  requestedBy: { type: string; id: string | null; role: string | null };
  justification: string | null;
  approvalReasons: string[];
  approverRole: Role | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  attempts: number;
  lastError: string | null;
  reference: string | null;
  code: string | null;
  issuedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ToneFinding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  span: [number, number] | null;
  excerpt: string | null;
  suggestion: string;
}

export interface ToneCheck {
  ok: boolean;
  findings: ToneFinding[];
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface Incident {
  id: string;
  monitor: string;
  kind: string;
  severity: number;
  title: string;
  cause: Record<string, unknown>;
  avertable: boolean;
  status: string;
  public: boolean;
  startedAt: string;
  resolvedAt: string | null;
  firings: number;
  affectedCustomers: number;
}

export interface IncidentDetail extends Omit<Incident, 'firings'> {
  findings: {
    id: string;
    monitor: string;
    subject: string;
    customerId: string | null;
    orderId: string | null;
    caseId: string | null;
    severity: number;
    failureAt: string;
    firedAt: string;
    details: Record<string, unknown>;
  }[];
  contacts: {
    customerId: string;
    caseId: string;
    status: string;
    dueAt: string;
    reason: string | null;
    messageId: string | null;
    sentAt: string | null;
  }[];
}

export interface ActivePolicy {
  hash: string;
  name: string;
  isDefault: boolean;
  author: string | null;
  activatedAt: string | null;
  source: string;
  policy: unknown;
}

export interface PolicyVersion {
  hash: string;
  name: string;
  author: string;
  createdAt: string;
  activations: { at: string; author: string }[];
}

export interface StoreInfo {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  createdAt: string;
}

export interface StoreSettings {
  settings: Record<string, unknown>;
  effective: {
    calendar?: { timezone: string; weekly: Record<string, { start: string; end: string }[]>; holidays: unknown[] };
    sla?: { firstResponse: Record<Priority, number>; resolution: Record<Priority, number> };
    repeatFailureWindowDays?: number;
    routingRules?: unknown[];
    templates?: Record<string, unknown>;
    [k: string]: unknown;
  };
}

export interface StoreChannels {
  channels: Record<string, unknown>;
  shopify: { domain: string | null; connected: boolean };
}
