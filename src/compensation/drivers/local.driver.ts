/**
 * The default commerce driver: remedies recorded in Amends' own database.
 * Discount codes are random and unguessable; store credit and points are
 * ledgers; a refund is a `refund.recorded` event through the one ingest path;
 * in-kind remedies become tasks for the store team. Every write is keyed by
 * the compensation, so a retry finds what the first attempt did.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EventIngestor } from '../../events/ingest.ts';
import type { DB } from '../../platform/db/schema.ts';
import { type CommerceDriver, type IssueRequest, type IssueResult, PermanentIssueError } from '../commerce.ts';

// Crockford's base32 without I, L, O, U: no characters to misread over the phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 12 symbols of 5 bits = 60 random bits: unguessable, and short enough to type. */
export function newDiscountCode(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `SORRY-${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

const addDays = (iso: string, days: number | null) => (days === null ? null : new Date(Date.parse(iso) + days * 86_400_000).toISOString());

export function createLocalDriver(db: Kysely<DB>, ingestor: EventIngestor): CommerceDriver {
  return {
    name: 'local',
    async issue(req: IssueRequest): Promise<IssueResult> {
      switch (req.kind) {
        case 'apology_only':
          return { reference: `apology:${req.compensationId}`, code: null, amount: null, details: {} };
        case 'discount_code':
          return issueCode(db, req);
        case 'store_credit':
          return issueLedger(db, req, 'store_credit_ledger');
        case 'loyalty_points':
          return issueLedger(db, req, 'loyalty_ledger');
        case 'refund_partial':
        case 'refund_full':
          return issueRefund(ingestor, req);
        default:
          return issueTask(db, req);
      }
    },
  };
}

async function issueCode(db: Kysely<DB>, req: IssueRequest): Promise<IssueResult> {
  const existing = await db
    .selectFrom('discount_codes')
    .selectAll()
    .where('store_id', '=', req.storeId)
    .where('compensation_id', '=', req.compensationId)
    .executeTakeFirst();
  const currency = req.amount?.currency ?? 'XXX';
  const row = existing ?? {
    store_id: req.storeId,
    code: newDiscountCode(),
    compensation_id: req.compensationId,
    customer_id: req.customerId,
    percent_off: req.percent,
    amount: req.percent === null ? (req.amount?.amount ?? null) : null,
    currency,
    expires_at: addDays(req.now, req.validDays),
    created_at: req.now,
    redeemed_at: null,
  };
  if (!existing) {
    // A concurrent retry of the same compensation loses on the unique compensation id and reads the winner's code.
    const r = await db
      .insertInto('discount_codes')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return issueCode(db, req);
  }
  return {
    reference: `discount:${row.code}`,
    code: row.code,
    amount: row.amount === null ? null : { amount: Number(row.amount), currency: row.currency },
    details: { percentOff: row.percent_off, expiresAt: row.expires_at },
  };
}

async function issueLedger(db: Kysely<DB>, req: IssueRequest, table: 'store_credit_ledger' | 'loyalty_ledger'): Promise<IssueResult> {
  if (!req.customerId) throw new PermanentIssueError(`${req.kind} needs a known customer`, 'customer_required');
  const value = table === 'store_credit_ledger' ? req.amount?.amount : req.points;
  if (value === undefined || value === null || value <= 0)
    throw new PermanentIssueError(`${req.kind} needs a positive amount`, 'amount_required');
  const id = `comp-${req.compensationId}`;
  const base = {
    store_id: req.storeId,
    id,
    customer_id: req.customerId,
    compensation_id: req.compensationId,
    currency: table === 'store_credit_ledger' ? req.amount!.currency : 'PTS',
    expires_at: addDays(req.now, req.validDays),
    at: req.now,
  };
  if (table === 'store_credit_ledger') {
    await db
      .insertInto('store_credit_ledger')
      .values({ ...base, amount: value })
      .onConflict((oc) => oc.doNothing())
      .execute();
  } else {
    await db
      .insertInto('loyalty_ledger')
      .values({ ...base, points: value })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const balance = await db
    .selectFrom(table)
    .select((eb) => eb.fn.sum<number>(table === 'store_credit_ledger' ? 'amount' : 'points').as('total'))
    .where('store_id', '=', req.storeId)
    .where('customer_id', '=', req.customerId)
    .where('currency', '=', base.currency)
    .executeTakeFirstOrThrow();
  return {
    reference: `${table === 'store_credit_ledger' ? 'credit' : 'points'}:${id}`,
    code: null,
    amount: table === 'store_credit_ledger' ? req.amount : null,
    details: { balance: Number(balance.total ?? 0), ...(table === 'loyalty_ledger' ? { points: value } : {}), expiresAt: base.expires_at },
  };
}

async function issueRefund(ingestor: EventIngestor, req: IssueRequest): Promise<IssueResult> {
  if (!req.orderId || !req.amount) throw new PermanentIssueError('a refund needs an order and an amount', 'order_required');
  const refundId = `amends-${req.compensationId}`;
  // Through the one way in: the event id is the idempotency, and the projection updates order and customer.
  await ingestor.ingest(
    req.storeId,
    [
      {
        id: `refund-${refundId}`,
        type: 'refund.recorded',
        occurredAt: req.now,
        data: { refundId, orderId: req.orderId, amount: req.amount, reason: req.note },
      },
    ],
    'compensation',
  );
  return { reference: `refund:${refundId}`, code: null, amount: req.amount, details: { refundId } };
}

async function issueTask(db: Kysely<DB>, req: IssueRequest): Promise<IssueResult> {
  await db
    .insertInto('remedy_tasks')
    .values({
      store_id: req.storeId,
      compensation_id: req.compensationId,
      kind: req.kind,
      order_id: req.orderId,
      customer_id: req.customerId,
      details: JSON.stringify({ note: req.note, value: req.amount }),
      status: 'open',
      created_at: req.now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { reference: `task:${req.compensationId}`, code: null, amount: null, details: { task: 'open' } };
}
