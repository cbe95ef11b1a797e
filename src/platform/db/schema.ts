import type { Generated } from 'kysely';

/**
 * Table types for Kysely. Conventions (docs/adr/0002-portable-schema.md):
 * every table has `store_id`; timestamps are ISO-8601 UTC text; money is an
 * integer of minor units beside a currency column; JSON is text; booleans are 0/1.
 */
export interface StoresTable {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  case_seq: number;
  created_at: string;
  /** JSON: business hours, SLA targets, guardrails, routing rules, reply templates (src/stores/store-settings.ts). */
  settings: Generated<string>;
  /** `shop.myshopify.com` when the store is connected to Shopify (unique). */
  shopify_domain: Generated<string | null>;
  /** The Shopify app's secret: verifies X-Shopify-Hmac-Sha256 on its webhooks. */
  shopify_secret: Generated<string | null>;
  /** The store's own HMAC key (reply tokens, widget sessions, signed links); made on first use. */
  signing_secret: Generated<string | null>;
  /** JSON channel settings (src/channels/channel-settings.ts): e-mail (SMTP, reply domain), Slack, widget. */
  channels: Generated<string>;
}

export interface UsersTable {
  store_id: string;
  id: string;
  email: string;
  name: string | null;
  role: string;
  created_at: string;
  /** argon2id PHC string; null until a password is set (`amends user create`). Never leaves the server. */
  password_hash: Generated<string | null>;
  /** Failed sign-ins since the last success or lock. */
  failed_logins: Generated<number>;
  locked_until: Generated<string | null>;
  last_login_at: Generated<string | null>;
  /** Set when an admin deactivates the user: no sign-in, no sessions, no tokens, not assignable; the row stays for history. */
  disabled_at: Generated<string | null>;
}

/** A console session (src/stores/sessions.service.ts): `id` is the SHA-256 of the cookie's secret. */
export interface SessionsTable {
  id: string;
  store_id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  store_id: string;
  user_id: string | null;
  role: string;
  name: string | null;
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** The user who created it in the console (null for the CLI). */
  created_by: Generated<string | null>;
}

export interface EventsTable {
  seq: Generated<number>;
  store_id: string;
  id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  source: string;
  customer_id: string | null;
  order_id: string | null;
  data: string;
}

export interface CustomersTable {
  store_id: string;
  id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  tags: string;
  created_at: string | null;
  currency: string | null;
  orders_count: number;
  total_spent: number;
  total_refunded: number;
  first_order_at: string | null;
  last_order_at: string | null;
  failures_count: number;
  last_failure_at: string | null;
  /** Last proactive message to them: the contact cool-down counts from it. */
  last_contacted_at: Generated<string | null>;
  preferred_remedy: string | null;
  relationship_manager_id: Generated<string | null>;
  first_seen_at: string;
  updated_at: string;
}

export interface OrdersTable {
  store_id: string;
  id: string;
  customer_id: string | null;
  status: string;
  total_amount: number;
  currency: string;
  items: string;
  promised_by: string | null;
  channel: string | null;
  placed_at: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  refunded_amount: number;
  failed_at: string | null;
  updated_at: string;
}

export interface ShipmentsTable {
  store_id: string;
  id: string;
  order_id: string;
  carrier: string | null;
  tracking_number: string | null;
  status: string;
  shipped_at: string | null;
  promised_by: string | null;
  last_carrier_event_at: string | null;
  region: Generated<string | null>;
  delivered_at: string | null;
  updated_at: string;
}

export interface PaymentsTable {
  store_id: string;
  id: string;
  order_id: string | null;
  customer_id: string;
  status: string;
  amount: number;
  currency: string;
  reason: string | null;
  occurred_at: string;
}

export interface RefundsTable {
  store_id: string;
  id: string;
  order_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  occurred_at: string;
}

export interface ReviewsTable {
  store_id: string;
  id: string;
  customer_id: string | null;
  order_id: string | null;
  rating: number;
  title: string | null;
  body: string | null;
  posted_at: string;
}

export interface CasesTable {
  store_id: string;
  id: string;
  number: number;
  status: string;
  source: string;
  channel: string | null;
  customer_id: string | null;
  order_id: string | null;
  complaint_id: string | null;
  subject: string | null;
  assignee_id: string | null;
  opened_by_event: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  kind: Generated<string | null>;
  severity: Generated<number | null>;
  emotion: Generated<string | null>;
  emotion_intensity: Generated<number | null>;
  priority: Generated<string | null>;
  priority_score: Generated<number | null>;
  queue: Generated<string | null>;
  customer_tier: Generated<string | null>;
  /** 0/1: an agent or an incident said the failure could have been avoided. */
  avertable: Generated<number>;
  /** JSON TriageResult of the opening text, with evidence. */
  triage: Generated<string | null>;
  /** JSON array of guardrail firings: rule, reason, at. */
  guardrails: Generated<string>;
  /** JSON: what the priority score is made of. */
  priority_factors: Generated<string | null>;
  first_response_due_at: Generated<string | null>;
  resolution_due_at: Generated<string | null>;
  first_responded_at: Generated<string | null>;
  /** Hash of the policy version that decided the case's offers. */
  policy_version: Generated<string | null>;
  /** JSON OfferDecision made when the case was triaged (for Amends itself, the system actor). */
  offer_decision: Generated<string | null>;
  /** The incident a proactive case came from. */
  incident_id: Generated<string | null>;
  /** The failure's moment (a promise passing, a payment failing); time to first message counts from it. */
  failure_at: Generated<string | null>;
}

export interface CaseMessagesTable {
  store_id: string;
  id: string;
  case_id: string;
  kind: string;
  author_type: string;
  author_id: string | null;
  body: string;
  created_at: string;
  /** Outbound messages: `queued` until a channel delivers them. */
  status: Generated<string | null>;
  channel: Generated<string | null>;
  locale: Generated<string | null>;
  subject: Generated<string | null>;
  /** Which template produced it, e.g. `en/ack` or `store:es/ack`. */
  template: Generated<string | null>;
  /** JSON TriageResult for inbound customer text. */
  triage: Generated<string | null>;
  /** RFC 5322 Message-ID (without <>) of the e-mail this message arrived in or left as. */
  email_message_id: Generated<string | null>;
  /** Why a queued message was skipped or failed. */
  status_detail: Generated<string | null>;
  delivered_at: Generated<string | null>;
}

export interface CaseSlasTable {
  store_id: string;
  case_id: string;
  metric: string;
  target_minutes: number;
  started_at: string;
  status: string;
  due_at: string | null;
  warn_at: string | null;
  paused_at: string | null;
  remaining_minutes: number;
  met_at: string | null;
  breached: number;
  near_breach_signalled_at: string | null;
  breach_signalled_at: string | null;
}

export interface CaseActivitiesTable {
  seq: Generated<number>;
  store_id: string;
  case_id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  type: string;
  data: string;
}

export interface PolicyVersionsTable {
  store_id: string;
  hash: string;
  name: string;
  source: string;
  author: string;
  created_at: string;
}

export interface PolicyActivationsTable {
  seq: Generated<number>;
  store_id: string;
  hash: string;
  author: string;
  activated_at: string;
}

export interface CompensationsTable {
  store_id: string;
  id: string;
  idempotency_key: string;
  case_id: string;
  customer_id: string | null;
  order_id: string | null;
  offer_id: string;
  kind: string;
  label: string;
  amount: number | null;
  percent_off: number | null;
  points: number | null;
  valid_days: number | null;
  cost: number;
  currency: string;
  status: string;
  policy_version: string;
  rule_id: string;
  requested_by_type: string;
  requested_by_id: string | null;
  requested_role: string | null;
  justification: string | null;
  /** JSON array of strings: why it needs approval. */
  approval_reasons: Generated<string>;
  approver_role: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** Whose allowance (and which period) the cost was charged to, so a cancellation can give it back. */
  allowance_user_id: string | null;
  allowance_period: string | null;
  driver: string | null;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  lease_until: string | null;
  last_error: string | null;
  reference: string | null;
  code: string | null;
  issued_amount: number | null;
  issued_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AllowanceUsageTable {
  store_id: string;
  user_id: string;
  period: string;
  currency: string;
  spent: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  store_id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  rule: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
}

export interface DiscountCodesTable {
  store_id: string;
  code: string;
  compensation_id: string;
  customer_id: string | null;
  percent_off: number | null;
  amount: number | null;
  currency: string;
  expires_at: string | null;
  created_at: string;
  redeemed_at: string | null;
}

export interface StoreCreditLedgerTable {
  store_id: string;
  id: string;
  customer_id: string;
  compensation_id: string | null;
  amount: number;
  currency: string;
  expires_at: string | null;
  at: string;
}

export interface LoyaltyLedgerTable {
  store_id: string;
  id: string;
  customer_id: string;
  compensation_id: string | null;
  points: number;
  currency: string;
  expires_at: string | null;
  at: string;
}

export interface RemedyTasksTable {
  store_id: string;
  compensation_id: string;
  kind: string;
  order_id: string | null;
  customer_id: string | null;
  details: string;
  status: string;
  created_at: string;
}

/** Durable jobs of the embedded driver (src/platform/jobs/embedded.driver.ts); pg-boss keeps its own tables. */
export interface JobsTable {
  id: string;
  name: string;
  /** JSON, validated by the job's schema on send and again before it runs. */
  data: string;
  /** `queued` → `active` → `completed`, or back to `queued` for a retry, or `failed` (the dead letter). */
  status: string;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  /** At most one queued or active job per (name, singleton_key). */
  singleton_key: string | null;
  /** The claiming worker's lease; once past, another worker may run the job again. */
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** Links sent to customers (ADR 0009): the token's SHA-256 is the id; one store, one purpose. */
export interface SignedLinksTable {
  store_id: string;
  id: string;
  purpose: string;
  subject_type: string;
  subject_id: string;
  customer_id: string | null;
  data: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface PublicSessionsTable {
  store_id: string;
  id: string;
  purpose: string;
  customer_id: string | null;
  member_id: string | null;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}

export interface FollowupsTable {
  store_id: string;
  id: string;
  kind: string;
  case_id: string | null;
  customer_id: string;
  dedup_key: string;
  status: string;
  due_at: string;
  assignee_id: string | null;
  message_id: string | null;
  detail: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SurveyResponsesTable {
  store_id: string;
  id: string;
  event_id: string;
  followup_id: string | null;
  case_id: string | null;
  customer_id: string | null;
  metric: string;
  score: number;
  comment: string | null;
  answered_at: string;
}

export interface IncidentUpdatesTable {
  store_id: string;
  id: string;
  incident_id: string;
  state: string;
  body: string;
  public: number;
  author_id: string | null;
  created_at: string;
}

export interface CommunityMembersTable {
  store_id: string;
  id: string;
  email: string;
  display_name: string;
  customer_id: string | null;
  user_id: string | null;
  reputation: Generated<number>;
  banned_at: string | null;
  created_at: string;
}

export interface CommunityPostsTable {
  store_id: string;
  id: string;
  kind: string;
  question_id: string | null;
  author_id: string;
  title: string | null;
  body: string;
  tags: string;
  status: string;
  score: Generated<number>;
  answer_count: Generated<number>;
  accepted_answer_id: string | null;
  case_id: string | null;
  topic_kind: string | null;
  created_at: string;
  updated_at: string;
}

export interface CommunityVotesTable {
  store_id: string;
  post_id: string;
  member_id: string;
  value: number;
  created_at: string;
}

export interface CommunityReportsTable {
  store_id: string;
  id: string;
  post_id: string;
  reporter_id: string | null;
  reason: string;
  status: string;
  resolved_by: string | null;
  created_at: string;
}

export interface CommunityBadgesTable {
  store_id: string;
  member_id: string;
  badge: string;
  awarded_at: string;
}

/** A playbook (src/analytics/playbooks.service.ts); `search` (PostgreSQL's tsvector) is not selected directly. */
export interface PlaybooksTable {
  store_id: string;
  id: string;
  title: string;
  summary: string;
  kind: string;
  severity: number;
  customer_tier: string | null;
  emotion: string | null;
  /** JSON array of { title, detail }. */
  steps: string;
  /** JSON array of message texts with placeholders. */
  messages: string;
  /** JSON remedy or null. */
  remedy: string | null;
  /** JSON outcome of the source case. */
  outcome: string;
  source_case_id: string | null;
  status: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  search_text: string;
}

export interface PlaybookApplicationsTable {
  store_id: string;
  playbook_id: string;
  case_id: string;
  applied_by_type: string;
  applied_by_id: string | null;
  applied_at: string;
}

/** Analytics rollups (migration 0010, src/analytics/rollups.ts). */
type DurationSeries = 'frt_wall' | 'frt_biz' | 'res_wall' | 'res_biz';
type HistogramColumns = {
  [K in `${DurationSeries}_h${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14}`]: Generated<number>;
};
export type AnalyticsDailyTable = HistogramColumns & {
  store_id: string;
  grain: string;
  day: string;
  channel: string;
  kind: string;
  tier: string;
  source: string;
  assignee: string;
  cases: Generated<number>;
  resolved: Generated<number>;
  reopened: Generated<number>;
  fcr: Generated<number>;
  inbound: Generated<number>;
  frt_n: Generated<number>;
  frt_wall_sum: Generated<number>;
  frt_biz_sum: Generated<number>;
  res_n: Generated<number>;
  res_wall_sum: Generated<number>;
  res_biz_sum: Generated<number>;
  sla_fr_met: Generated<number>;
  sla_fr_breached: Generated<number>;
  sla_res_met: Generated<number>;
  sla_res_breached: Generated<number>;
  csat_n: Generated<number>;
  csat_sum: Generated<number>;
  csat_ge4: Generated<number>;
  ces_n: Generated<number>;
  ces_sum: Generated<number>;
  nps_n: Generated<number>;
  nps_promoters: Generated<number>;
  nps_detractors: Generated<number>;
  cost: Generated<number>;
  compensations: Generated<number>;
  compensated_cases: Generated<number>;
};

export interface AnalyticsRevenueDailyTable {
  store_id: string;
  day: string;
  orders: number;
  revenue: number;
}

export interface AnalyticsOutcomesTable {
  store_id: string;
  subject_id: string;
  customer_id: string;
  cohort: string;
  ref_at: string;
  severity: number | null;
  repeat: Generated<number>;
  source: string;
  channel: string;
  kind: string;
  tier: string;
  assignee: string;
  next_order_min: number | null;
}

export interface AnalyticsDirtyTable {
  store_id: string;
  kind: string;
  key: string;
}

/** A recurring issue (src/analytics/recurring.service.ts): spikes of one week that share their failures. */
export interface RecurringIssuesTable {
  store_id: string;
  id: string;
  week: string;
  dimension: string;
  value: string;
  title: string;
  suggestion: string;
  case_ids: string;
  cases: number;
  status: string;
  alerted_at: string | null;
  detected_at: string;
  updated_at: string;
}

export interface RecurringSpikesTable {
  store_id: string;
  dimension: string;
  value: string;
  week: string;
  issue_id: string;
  count: number;
  baseline_mean: number;
  baseline_weeks: number;
  z: number;
  detected_at: string;
}

export interface DB {
  stores: StoresTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  events: EventsTable;
  customers: CustomersTable;
  orders: OrdersTable;
  shipments: ShipmentsTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  reviews: ReviewsTable;
  cases: CasesTable;
  case_messages: CaseMessagesTable;
  case_activities: CaseActivitiesTable;
  case_slas: CaseSlasTable;
  policy_versions: PolicyVersionsTable;
  policy_activations: PolicyActivationsTable;
  compensations: CompensationsTable;
  allowance_usage: AllowanceUsageTable;
  audit_log: AuditLogTable;
  discount_codes: DiscountCodesTable;
  store_credit_ledger: StoreCreditLedgerTable;
  loyalty_ledger: LoyaltyLedgerTable;
  remedy_tasks: RemedyTasksTable;
  jobs: JobsTable;
  incidents: IncidentsTable;
  monitor_firings: MonitorFiringsTable;
  incident_contacts: IncidentContactsTable;
  inventory: InventoryTable;
  monitor_buckets: MonitorBucketsTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptsTable;
  inbound_emails: InboundEmailsTable;
  attachments: AttachmentsTable;
  webhook_receipts: WebhookReceiptsTable;
  webhook_endpoints: WebhookEndpointsTable;
  privacy_requests: PrivacyRequestsTable;
  signed_links: SignedLinksTable;
  public_sessions: PublicSessionsTable;
  followups: FollowupsTable;
  survey_responses: SurveyResponsesTable;
  incident_updates: IncidentUpdatesTable;
  community_members: CommunityMembersTable;
  community_posts: CommunityPostsTable;
  community_votes: CommunityVotesTable;
  community_reports: CommunityReportsTable;
  community_badges: CommunityBadgesTable;
  recurring_issues: RecurringIssuesTable;
  recurring_spikes: RecurringSpikesTable;
  analytics_daily: AnalyticsDailyTable;
  analytics_revenue_daily: AnalyticsRevenueDailyTable;
  analytics_outcomes: AnalyticsOutcomesTable;
  analytics_dirty: AnalyticsDirtyTable;
  playbooks: PlaybooksTable;
  playbook_applications: PlaybookApplicationsTable;
}

/** One outbound delivery: a case message, a webhook delivery or an alert (src/channels/outbox.ts). */
export interface OutboxTable {
  store_id: string;
  id: string;
  kind: string;
  channel: string;
  case_id: string | null;
  message_id: string | null;
  endpoint_id: string | null;
  event_type: string | null;
  payload: string;
  /** queued → sending → sent | failed (attempts used up) | skipped (nowhere to send). */
  status: string;
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  last_status_code: number | null;
  provider_ref: string | null;
  replay_of: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OutboxAttemptsTable {
  store_id: string;
  outbox_id: string;
  attempt: number;
  at: string;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface InboundEmailsTable {
  store_id: string;
  id: string;
  message_id: string;
  content_hash: string;
  from_address: string | null;
  subject: string | null;
  case_id: string | null;
  case_message_id: string | null;
  outcome: string;
  reason: string | null;
  size: number;
  received_at: string;
}

export interface AttachmentsTable {
  store_id: string;
  id: string;
  case_id: string;
  message_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: string;
}

export interface WebhookReceiptsTable {
  store_id: string;
  provider: string;
  webhook_id: string;
  topic: string;
  payload: string;
  status: string;
  error: string | null;
  received_at: string;
  processed_at: string | null;
}

export interface WebhookEndpointsTable {
  store_id: string;
  id: string;
  url: string;
  events: string;
  secret: string;
  description: string | null;
  active: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PrivacyRequestsTable {
  store_id: string;
  id: string;
  kind: string;
  customer_id: string | null;
  source: string;
  requested_at: string;
  completed_at: string | null;
  result: string | null;
}

export interface IncidentsTable {
  store_id: string;
  id: string;
  monitor: string;
  /** The issue kind of its cases (delivery_late, payment_problem, website_bug…). */
  kind: string;
  severity: number;
  cause_key: string;
  /** JSON: what the firings share (carrier, region, day; metric and window; sku). */
  cause: string;
  title: string;
  avertable: number;
  status: string;
  public: number;
  public_title: string | null;
  public_summary: string | null;
  started_at: string;
  resolved_at: string | null;
  firings: number;
  affected_customers: number;
  created_at: string;
  updated_at: string;
}

export interface MonitorFiringsTable {
  store_id: string;
  id: string;
  monitor: string;
  subject_key: string;
  incident_id: string;
  customer_id: string | null;
  order_id: string | null;
  case_id: string | null;
  severity: number;
  failure_at: string;
  fired_at: string;
  details: string;
}

export interface IncidentContactsTable {
  store_id: string;
  incident_id: string;
  customer_id: string;
  case_id: string;
  /** waiting (quiet hours, cool-down, minimum lateness) → sent | suppressed */
  status: string;
  due_at: string;
  reason: string | null;
  message_id: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface InventoryTable {
  store_id: string;
  sku: string;
  available: number;
  restock_at: string | null;
  updated_at: string;
}

export interface MonitorBucketsTable {
  store_id: string;
  metric: string;
  bucket: string;
  total: number;
  failed: number;
}
