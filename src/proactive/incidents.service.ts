import { type Kysely, type Selectable, sql } from 'kysely';
import { DateTime, IANAZone } from 'luxon';
import { toCustomer } from '../customers/customers.service.ts';
import { customerTier } from '../customers/tier.ts';
import { type AuditActor, appendAudit } from '../platform/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB, IncidentsTable } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { resolveIncident } from './monitors.service.ts';

export interface IncidentView {
  id: string;
  monitor: string;
  kind: string;
  severity: number;
  title: string;
  cause: Record<string, unknown>;
  avertable: boolean;
  status: string;
  public: boolean;
  /** What the status page calls it (null: a generic title by kind, never `title`). */
  publicTitle: string | null;
  /** A short public explanation for the status page. */
  publicSummary: string | null;
  startedAt: string;
  resolvedAt: string | null;
  firings: number;
  affectedCustomers: number;
}

function toIncident(r: Selectable<IncidentsTable>): IncidentView {
  return {
    id: r.id,
    monitor: r.monitor,
    kind: r.kind,
    severity: Number(r.severity),
    title: r.title,
    cause: JSON.parse(r.cause) as Record<string, unknown>,
    avertable: Number(r.avertable) === 1,
    status: r.status,
    public: Number(r.public) === 1,
    publicTitle: r.public_title ?? null,
    publicSummary: r.public_summary ?? null,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    firings: Number(r.firings),
    affectedCustomers: Number(r.affected_customers),
  };
}

export async function listIncidents(
  db: Kysely<DB>,
  storeId: string,
  q: { status?: 'open' | 'resolved' | undefined; limit: number },
): Promise<IncidentView[]> {
  let query = db.selectFrom('incidents').selectAll().where('store_id', '=', storeId);
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toIncident);
}

async function incidentRow(db: Kysely<DB>, storeId: string, id: string): Promise<Selectable<IncidentsTable>> {
  const row = await db.selectFrom('incidents').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('incident', id);
  return row;
}

type Money = { amount: number; currency: string };

/** Sums per currency, in a stable order (the currency's code). */
function byCurrency(items: readonly Money[]): { currency: string; amount: number; count: number }[] {
  const sums = new Map<string, { amount: number; count: number }>();
  for (const m of items) {
    const s = sums.get(m.currency) ?? { amount: 0, count: 0 };
    s.amount += m.amount;
    s.count += 1;
    sums.set(m.currency, s);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, s]) => ({ currency, ...s }));
}

/** Statuses of a remedy decided but not settled yet: it may still become money out. */
const pendingRemedy = new Set(['proposed', 'pending_approval', 'approved', 'issuing']);
/** Statuses that mean someone (a person or the policy) said yes. */
const approvedRemedy = new Set(['approved', 'issuing', 'issued', 'failed']);

/**
 * An incident with what each firing found, the case it went to, whether the customer was told (and with which
 * words, delivered or not), who was affected, and the remedies granted on its cases.
 */
export async function getIncident(db: Kysely<DB>, storeId: string, id: string, now: Date) {
  const row = await incidentRow(db, storeId, id);
  const [firings, contacts] = await Promise.all([
    db
      .selectFrom('monitor_firings')
      .select(['id', 'monitor', 'subject_key', 'customer_id', 'order_id', 'case_id', 'severity', 'failure_at', 'fired_at', 'details'])
      .where('store_id', '=', storeId)
      .where('incident_id', '=', id)
      .orderBy('fired_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('incident_contacts')
      .select(['customer_id', 'case_id', 'status', 'due_at', 'reason', 'message_id', 'sent_at'])
      .where('store_id', '=', storeId)
      .where('incident_id', '=', id)
      .orderBy('created_at')
      .orderBy('customer_id')
      .execute(),
  ]);

  // The incident's cases: those it opened, and those a finding joined (the customer had written first).
  const joined = [...new Set([...firings.map((f) => f.case_id), ...contacts.map((c) => c.case_id)].filter((x): x is string => !!x))];
  const cases = await db
    .selectFrom('cases')
    .select(['id', 'number', 'status', 'source', 'customer_id', 'order_id', 'subject', 'created_at'])
    .where('store_id', '=', storeId)
    .where((eb) => (joined.length ? eb.or([eb('incident_id', '=', id), eb('id', 'in', joined)]) : eb('incident_id', '=', id)))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const caseIds = cases.map((c) => c.id);
  const messageIds = contacts.map((c) => c.message_id).filter((x): x is string => !!x);
  const customerIds = [
    ...new Set(
      [...firings.map((f) => f.customer_id), ...contacts.map((c) => c.customer_id), ...cases.map((c) => c.customer_id)].filter(
        (x): x is string => !!x,
      ),
    ),
  ];
  const [customers, messages, deliveries, remedies, policy] = await Promise.all([
    customerIds.length
      ? db.selectFrom('customers').selectAll().where('store_id', '=', storeId).where('id', 'in', customerIds).execute()
      : Promise.resolve([]),
    messageIds.length
      ? db
          .selectFrom('case_messages')
          .select([
            'id',
            'case_id',
            'body',
            'subject',
            'channel',
            'locale',
            'template',
            'status',
            'status_detail',
            'created_at',
            'delivered_at',
          ])
          .where('store_id', '=', storeId)
          .where('id', 'in', messageIds)
          .execute()
      : Promise.resolve([]),
    messageIds.length
      ? db
          .selectFrom('outbox')
          .select(['message_id', 'status', 'attempts', 'last_error', 'sent_at', 'updated_at'])
          .where('store_id', '=', storeId)
          .where('kind', '=', 'message')
          .where('message_id', 'in', messageIds)
          .execute()
      : Promise.resolve([]),
    caseIds.length
      ? db
          .selectFrom('compensations')
          .select([
            'id',
            'case_id',
            'customer_id',
            'kind',
            'label',
            'amount',
            'percent_off',
            'points',
            'cost',
            'currency',
            'status',
            'requested_by_type',
            'requested_by_id',
            'decided_at',
            'issued_at',
            'created_at',
          ])
          .where('store_id', '=', storeId)
          .where('case_id', 'in', caseIds)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      : Promise.resolve([]),
    activePolicy(db, storeId),
  ]);

  const caseById = new Map(cases.map((c) => [c.id, c]));
  const customerById = new Map(customers.map((c) => [c.id, c]));
  const messageById = new Map(messages.map((m) => [m.id, m]));
  const deliveryOf = new Map(deliveries.map((d) => [d.message_id, d]));
  const tierOf = (customerId: string) => {
    const c = customerById.get(customerId);
    if (!c) return null;
    const m = toCustomer(c, now).metrics;
    return customerTier(
      { lifetimeValue: m.lifetimeValue, ordersCount: m.ordersCount, tenureDays: m.tenureDays, tags: JSON.parse(c.tags) as string[] },
      policy.policy.tiers,
    ).tier;
  };
  const caseRef = (caseId: string | null) => {
    const c = caseId ? caseById.get(caseId) : undefined;
    return c ? { caseNumber: Number(c.number), caseStatus: c.status } : { caseNumber: null, caseStatus: null };
  };

  const affected = customerIds.map((customerId) => {
    const c = customerById.get(customerId);
    return {
      customerId,
      name: c?.name ?? null,
      email: c?.email ?? null,
      tier: tierOf(customerId),
      cases: cases
        .filter((k) => k.customer_id === customerId)
        .map((k) => ({ id: k.id, number: Number(k.number), status: k.status, source: k.source, orderId: k.order_id })),
    };
  });

  const sentMessages = contacts
    .filter((c) => c.message_id && messageById.has(c.message_id))
    .map((c) => {
      const m = messageById.get(c.message_id!)!;
      const d = deliveryOf.get(m.id);
      return {
        id: m.id,
        customerId: c.customer_id,
        customerName: customerById.get(c.customer_id)?.name ?? null,
        caseId: m.case_id,
        ...caseRef(m.case_id),
        subject: m.subject,
        body: m.body,
        channel: m.channel,
        locale: m.locale,
        template: m.template,
        createdAt: m.created_at,
        delivery: {
          // The outbox row is the delivery; a message without one (never queued out) reports its own status.
          status: d?.status ?? m.status ?? 'queued',
          attempts: d ? Number(d.attempts) : 0,
          detail: d?.last_error ?? m.status_detail ?? null,
          sentAt: d?.sent_at ?? m.delivered_at ?? null,
        },
      };
    });

  const remedyViews = remedies.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    ...caseRef(r.case_id),
    customerId: r.customer_id,
    kind: r.kind,
    label: r.label,
    amount: r.amount === null ? null : { amount: Number(r.amount), currency: r.currency },
    percentOff: r.percent_off === null ? null : Number(r.percent_off),
    points: r.points === null ? null : Number(r.points),
    cost: { amount: Number(r.cost), currency: r.currency },
    status: r.status,
    requestedBy: { type: r.requested_by_type, id: r.requested_by_id },
    approvedAt: approvedRemedy.has(r.status) ? r.decided_at : null,
    issuedAt: r.issued_at,
    createdAt: r.created_at,
  }));

  const count = (s: string) => contacts.filter((c) => c.status === s).length;
  return {
    ...toIncident(row),
    findings: firings.map((f) => ({
      id: f.id,
      monitor: f.monitor,
      subject: f.subject_key,
      customerId: f.customer_id,
      orderId: f.order_id,
      caseId: f.case_id,
      severity: Number(f.severity),
      failureAt: f.failure_at,
      firedAt: f.fired_at,
      details: JSON.parse(f.details) as Record<string, unknown>,
    })),
    contacts: contacts.map((c) => ({
      customerId: c.customer_id,
      caseId: c.case_id,
      status: c.status,
      dueAt: c.due_at,
      reason: c.reason,
      messageId: c.message_id,
      sentAt: c.sent_at,
    })),
    affected,
    messages: sentMessages,
    remedies: remedyViews,
    totals: {
      messages: { sent: count('sent'), waiting: count('waiting'), suppressed: count('suppressed') },
      remediesIssued: byCurrency(remedyViews.filter((r) => r.status === 'issued').map((r) => r.cost)),
      remediesPending: byCurrency(remedyViews.filter((r) => pendingRemedy.has(r.status)).map((r) => r.cost)),
    },
  };
}

/** What a person may change about how the incident shows on the status page. */
export interface IncidentPublication {
  public?: boolean | undefined;
  /** null clears it (the page falls back to a generic title). */
  publicTitle?: string | null | undefined;
  publicSummary?: string | null | undefined;
  reason?: string | undefined;
  actor: AuditActor;
}

/**
 * Shows or hides the incident on the status page, and sets its public title and summary. A person's change,
 * audited with who and why; setting what it already is changes (and audits) nothing.
 */
export async function setIncidentPublic(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  id: string,
  input: IncidentPublication,
): Promise<IncidentView> {
  return db.transaction().execute(async (tx) => {
    let row = await incidentRow(tx, storeId, id);
    const at = clock.now().toISOString();
    if (input.public !== undefined && (Number(row.public) === 1) !== input.public) {
      const was = Number(row.public) === 1;
      // Conditional on the value read: of two people flipping it at once, one changes it and the other sees theirs.
      const r = await tx
        .updateTable('incidents')
        .set({ public: input.public ? 1 : 0, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', id)
        .where('public', '=', was ? 1 : 0)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) {
        await appendAudit(tx, {
          storeId,
          at,
          actor: input.actor,
          action: input.public ? 'incident.made_public' : 'incident.made_private',
          subjectType: 'incident',
          subjectId: id,
          before: { public: was },
          after: { public: input.public },
          reason: input.reason || null,
        });
      }
      row = await incidentRow(tx, storeId, id);
    }
    const text: { public_title?: string | null; public_summary?: string | null } = {};
    if (input.publicTitle !== undefined && input.publicTitle !== row.public_title) text.public_title = input.publicTitle;
    if (input.publicSummary !== undefined && input.publicSummary !== row.public_summary) text.public_summary = input.publicSummary;
    if (Object.keys(text).length) {
      await tx
        .updateTable('incidents')
        .set({ ...text, updated_at: at })
        .where('store_id', '=', storeId)
        .where('id', '=', id)
        .execute();
      await appendAudit(tx, {
        storeId,
        at,
        actor: input.actor,
        action: 'incident.public_text_changed',
        subjectType: 'incident',
        subjectId: id,
        before: {
          ...('public_title' in text ? { publicTitle: row.public_title } : {}),
          ...('public_summary' in text ? { publicSummary: row.public_summary } : {}),
        },
        after: {
          ...('public_title' in text ? { publicTitle: text.public_title } : {}),
          ...('public_summary' in text ? { publicSummary: text.public_summary } : {}),
        },
        reason: input.reason || null,
      });
      row = await incidentRow(tx, storeId, id);
    }
    return toIncident(row);
  });
}

/**
 * A person resolves an open incident, in the caller's transaction: the monitors' own resolve (the same
 * conditional update and incident.resolved notification) and an audit entry. `statusUpdate: false` when the
 * person's own words go on the status page instead of the system's. Not an outage: its monitor resolves it.
 */
export async function resolveAsPerson(
  tx: Kysely<DB>,
  storeId: string,
  id: string,
  at: string,
  input: { reason?: string | undefined; actor: AuditActor; statusUpdate?: boolean; field?: string },
): Promise<void> {
  const row = await incidentRow(tx, storeId, id);
  const field = input.field ?? 'id';
  if (row.monitor === 'metric_threshold')
    throw new AppError(409, 'resolved_by_monitor', 'an outage resolves itself when its metric is back within bounds', field);
  if (row.status !== 'open') throw new AppError(409, 'conflict', `incident ${id} is already ${row.status}`, field);
  if (!(await resolveIncident(tx, storeId, id, at, { statusUpdate: input.statusUpdate ?? true })))
    throw new AppError(409, 'conflict', `incident ${id} was resolved meanwhile`, field);
  await appendAudit(tx, {
    storeId,
    at,
    actor: input.actor,
    action: 'incident.resolved',
    subjectType: 'incident',
    subjectId: id,
    before: { status: row.status },
    after: { status: 'resolved', resolvedAt: at },
    reason: input.reason || null,
  });
}

/**
 * A person closes an incident the monitors never will: delivery, payment and stock incidents have no "back to
 * normal" signal. An outage (metric_threshold) is the monitor's to close when its metric is back within bounds.
 */
export async function resolveIncidentManually(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  id: string,
  input: { reason?: string | undefined; actor: AuditActor },
): Promise<IncidentView> {
  return db.transaction().execute(async (tx) => {
    await resolveAsPerson(tx, storeId, id, clock.now().toISOString(), input);
    return toIncident(await incidentRow(tx, storeId, id));
  });
}

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

/**
 * Incidents started per day of the store's calendar over the last `days` days (today included), and the
 * customers they affected, by monitor. SQL sums per started minute and monitor (portable: the instants are
 * ISO text on both engines); the minutes fold into local days here, exact in every timezone.
 */
export async function incidentStats(db: Kysely<DB>, storeId: string, now: Date, days: number): Promise<IncidentStats> {
  const store = await db.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirstOrThrow();
  const timezone = IANAZone.isValidZone(store.timezone) ? store.timezone : 'UTC';
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const first = today.minus({ days: days - 1 });
  const end = today.plus({ days: 1 });
  const minute = sql<string>`substr(started_at, 1, 16)`;
  const rows = await db
    .selectFrom('incidents')
    .select([
      minute.as('minute'),
      'monitor',
      sql<string | number>`count(*)`.as('incidents'),
      sql<string | number>`sum(affected_customers)`.as('affected'),
    ])
    .where('store_id', '=', storeId)
    .where('started_at', '>=', first.toJSDate().toISOString())
    .where('started_at', '<', end.toJSDate().toISOString())
    .groupBy([minute, 'monitor'])
    .execute();
  const list: IncidentStats['days'] = [];
  const index = new Map<string, IncidentStats['days'][number]>();
  for (let d = first; d < end; d = d.plus({ days: 1 })) {
    const day = { day: d.toISODate()!, incidents: 0, affectedCustomers: 0, byMonitor: {} };
    list.push(day);
    index.set(day.day, day);
  }
  const monitors = new Set<string>();
  for (const r of rows) {
    const day = index.get(DateTime.fromISO(`${r.minute}:00Z`, { zone: 'utc' }).setZone(timezone).toISODate()!);
    if (!day) continue;
    const n = Number(r.incidents);
    const a = Number(r.affected ?? 0);
    day.incidents += n;
    day.affectedCustomers += a;
    const m = day.byMonitor[r.monitor] ?? { incidents: 0, affectedCustomers: 0 };
    day.byMonitor[r.monitor] = m;
    m.incidents += n;
    m.affectedCustomers += a;
    monitors.add(r.monitor);
  }
  return {
    timezone,
    from: first.toISODate()!,
    to: today.toISODate()!,
    monitors: [...monitors].sort(),
    days: list,
    totals: {
      incidents: list.reduce((s, d) => s + d.incidents, 0),
      affectedCustomers: list.reduce((s, d) => s + d.affectedCustomers, 0),
    },
  };
}
