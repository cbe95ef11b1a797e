import type { Kysely, Selectable } from 'kysely';
import type { DB, IncidentsTable } from '../platform/db/schema.ts';
import { notFound } from '../platform/errors.ts';

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

/** An incident with what each firing found, the case it went to, and whether the customer was told. */
export async function getIncident(db: Kysely<DB>, storeId: string, id: string) {
  const row = await db.selectFrom('incidents').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('incident', id);
  const [firings, contacts] = await Promise.all([
    db
      .selectFrom('monitor_firings')
      .select(['id', 'monitor', 'subject_key', 'customer_id', 'order_id', 'case_id', 'severity', 'failure_at', 'fired_at', 'details'])
      .where('store_id', '=', storeId)
      .where('incident_id', '=', id)
      .orderBy('fired_at')
      .execute(),
    db
      .selectFrom('incident_contacts')
      .select(['customer_id', 'case_id', 'status', 'due_at', 'reason', 'message_id', 'sent_at'])
      .where('store_id', '=', storeId)
      .where('incident_id', '=', id)
      .execute(),
  ]);
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
  };
}
