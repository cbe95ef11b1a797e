import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signShopifyBody } from '../../src/channels/shopify/verify-webhook.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { connectShopify } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, freshDatabaseUrl, type TestApp } from '../helper.ts';
import { runAmends } from '../support/amends-process.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/shopify');
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as Record<string, unknown>;
type Json = Record<string, unknown>;
// Shopify's REST-era webhooks deliver the bare resource: the object inside the fixture's top-level key.
const order = () => load('shopify_python_api/order.json').order as Json;
const refund = () => load('shopify_python_api/refund.json').refund as Json;
const customer = () => load('shopify_python_api/customer.json').customer as Json;
const fulfillment = () => load('shopify-fulfillment-integration/fulfillment_webhook.json');

const DOMAIN = 'acme-goods.myshopify.com';
const SECRET = 'shpss_acme_test_secret_0123456789';
const OTHER_DOMAIN = 'other-shop.myshopify.com';
const OTHER_SECRET = 'shpss_other_test_secret_9876543210';

const BOB = { id: 207119551, email: 'bob.norman@hostmail.com', phone: '555-625-1199' };
const ORDER_ID = '450789469';
const CANCELLED_ORDER_ID = '450789470';

const _bin = path.resolve(import.meta.dirname, '../../bin/amends.js');

describe.each(engines)('Shopify webhooks [%s]', (engine) => {
  const available = engineAvailable(engine);
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine);
    await connectShopify(t.database.db, t.storeId, { domain: DOMAIN, secret: SECRET });
    await connectShopify(t.database.db, t.other.storeId, { domain: OTHER_DOMAIN, secret: OTHER_SECRET });
  });
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.database.db;

  interface SendOptions {
    id?: string;
    secret?: string;
    domain?: string;
    omit?: 'hmac' | 'domain' | 'topic' | 'id';
  }
  /** A delivery as Shopify makes it: the raw JSON bytes, signed. */
  const send = async (topic: string, payload: unknown, o: SendOptions = {}) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': signShopifyBody(o.secret ?? SECRET, body),
      'x-shopify-shop-domain': o.domain ?? DOMAIN,
      'x-shopify-webhook-id': o.id ?? `wh-${++seq}`,
      'x-shopify-api-version': '2024-01',
    };
    if (o.omit)
      delete headers[
        { hmac: 'x-shopify-hmac-sha256', domain: 'x-shopify-shop-domain', topic: 'x-shopify-topic', id: 'x-shopify-webhook-id' }[o.omit]
      ];
    return t.app.inject({ method: 'POST', url: '/webhooks/shopify', headers, payload: body });
  };
  /** Runs queued jobs until none is due. */
  const work = async () => {
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const n = await t.ctx.jobs.runDue();
      total += n;
      if (n === 0) break;
    }
    return total;
  };
  const receipt = (webhookId: string, storeId = t.storeId) =>
    db()
      .selectFrom('webhook_receipts')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('provider', '=', 'shopify')
      .where('webhook_id', '=', webhookId)
      .executeTakeFirst();
  const count = async (table: 'webhook_receipts' | 'events' | 'privacy_requests' | 'customers' | 'orders') => {
    const r = await db()
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const snapshot = async () => ({
    receipts: await count('webhook_receipts'),
    events: await count('events'),
    privacy: await count('privacy_requests'),
    customers: await count('customers'),
    orders: await count('orders'),
  });
  const eventIds = async () =>
    (await db().selectFrom('events').select('id').where('store_id', '=', t.storeId).where('source', '=', 'shopify').execute()).map(
      (e) => e.id,
    );

  /**
   * The three ways every topic is tested: a wrong signature (401, nothing written anywhere),
   * the right one (200, processed by the job), and the same webhook id again (one effect).
   */
  const threeWays = async (topic: string, payload: unknown, check: () => Promise<void>) => {
    const id = `wh-${topic}-${++seq}`;
    const before = await snapshot();
    const forged = await send(topic, payload, { id, secret: 'shpss_not_the_secret_at_all' });
    expect(forged.statusCode, forged.body).toBe(401);
    expect(forged.json()).toEqual({ error: { code: 'unauthorized', message: 'the webhook could not be verified' } });
    expect(await work()).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(await receipt(id)).toBeUndefined();

    const ok = await send(topic, payload, { id });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(await work()).toBeGreaterThan(0);
    const r = await receipt(id);
    expect(r?.status, r?.error ?? '').toBe('processed');
    expect(r?.topic).toBe(topic);
    await check();

    const after = await snapshot();
    const again = await send(topic, payload, { id });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ok: true, duplicate: true });
    expect(await work()).toBe(0);
    expect(await snapshot()).toEqual(after);
    return id;
  };

  const bobRow = () =>
    db().selectFrom('customers').selectAll().where('store_id', '=', t.storeId).where('id', '=', String(BOB.id)).executeTakeFirst();

  it.skipIf(!available)('customers/create → customer.upserted: the profile from Shopify’s customer', async () => {
    await threeWays('customers/create', customer(), async () => {
      const c = await bobRow();
      expect(c).toMatchObject({ email: BOB.email, name: 'Bob Norman', phone: BOB.phone, created_at: '2015-05-27T22:11:24.000Z' });
      expect(await eventIds()).toContain('shopify:customer:207119551:2015-05-27T18:11:24-04:00');
    });
  });

  it.skipIf(!available)('customers/update → customer.upserted with the newer profile', async () => {
    await threeWays('customers/update', { ...customer(), tags: 'VIP, newsletter', updated_at: '2015-06-01T10:00:00-04:00' }, async () => {
      const c = await bobRow();
      expect(JSON.parse(c!.tags)).toEqual(['VIP', 'newsletter']);
    });
  });

  it.skipIf(!available)('a redelivered webhook id is one effect even when its body differs', async () => {
    const id = 'wh-same-id';
    expect((await send('customers/update', { ...customer(), updated_at: '2015-07-01T00:00:00Z' }, { id })).statusCode).toBe(200);
    await work();
    const events = await count('events');
    const again = await send('customers/update', { ...customer(), updated_at: '2015-08-01T00:00:00Z', first_name: 'Robert' }, { id });
    expect(again.json()).toEqual({ ok: true, duplicate: true });
    expect(await work()).toBe(0);
    expect(await count('events')).toBe(events);
    expect((await bobRow())?.name).toBe('Bob Norman');
  });

  it.skipIf(!available)('orders/create → the order, its lines in minor units, its payment; answered well under a second', async () => {
    const paid = { ...order(), financial_status: 'paid' };
    const started = performance.now();
    const res = await send('orders/create', paid, { id: 'wh-timing' });
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(200);
    // Nothing is mapped or ingested while Shopify waits: the answer only records and queues.
    expect(await db().selectFrom('orders').select('id').where('id', '=', ORDER_ID).executeTakeFirst()).toBeUndefined();
    expect(elapsed).toBeLessThan(500);
    process.stderr.write(`shopify webhook answered in ${elapsed.toFixed(1)} ms [${engine}]\n`);
    // The timing delivery was a full one; the three-way check of the same order must still count it once.
    await work();
    await threeWays('orders/create', paid, async () => {
      const o = await db()
        .selectFrom('orders')
        .selectAll()
        .where('store_id', '=', t.storeId)
        .where('id', '=', ORDER_ID)
        .executeTakeFirstOrThrow();
      expect(o).toMatchObject({ customer_id: '207119551', total_amount: 40994, currency: 'USD', status: 'placed', channel: 'web' });
      expect(JSON.parse(o.items)).toEqual([
        { sku: 'IPOD2008GREEN', name: 'IPod Nano - 8gb - green', quantity: 1, price: { amount: 19900, currency: 'USD' } },
        { sku: 'IPOD2008RED', name: 'IPod Nano - 8gb - red', quantity: 1, price: { amount: 19900, currency: 'USD' } },
        { sku: 'IPOD2008BLACK', name: 'IPod Nano - 8gb - black', quantity: 1, price: { amount: 19900, currency: 'USD' } },
      ]);
      const pay = await db()
        .selectFrom('payments')
        .selectAll()
        .where('store_id', '=', t.storeId)
        .where('order_id', '=', ORDER_ID)
        .execute();
      expect(pay).toMatchObject([{ status: 'succeeded', amount: 40994, customer_id: '207119551' }]);
      const ship = await db().selectFrom('shipments').selectAll().where('id', '=', '255858046').executeTakeFirstOrThrow();
      expect(ship).toMatchObject({ order_id: ORDER_ID, tracking_number: '1Z2345', region: 'US-KY' });
      // Two deliveries of the same order, one order on the customer.
      expect(await bobRow()).toMatchObject({ orders_count: 1, total_spent: 40994 });
    });
  });

  it.skipIf(!available)('orders/updated → shipment status from its fulfillments; the order still counts once', async () => {
    const o = order();
    const f = (o.fulfillments as Json[])[0]!;
    const updated = {
      ...o,
      financial_status: 'paid',
      updated_at: '2014-01-23T09:00:00-05:00',
      fulfillments: [{ ...f, shipment_status: 'in_transit', tracking_company: 'UPS', updated_at: '2014-01-23T09:00:00-05:00' }],
    };
    await threeWays('orders/updated', updated, async () => {
      const ship = await db().selectFrom('shipments').selectAll().where('id', '=', '255858046').executeTakeFirstOrThrow();
      expect(ship).toMatchObject({ status: 'in_transit', carrier: 'UPS' });
      expect(await bobRow()).toMatchObject({ orders_count: 1, total_spent: 40994 });
      expect(await eventIds()).toContain('shopify:fulfillment:255858046:2014-01-23T09:00:00-05:00');
    });
  });

  it.skipIf(!available)('fulfillments/create → shipment.created from Shopify’s own webhook body', async () => {
    await threeWays('fulfillments/create', fulfillment(), async () => {
      const e = await db()
        .selectFrom('events')
        .selectAll()
        .where('store_id', '=', t.storeId)
        .where('id', '=', 'shopify:fulfillment:255858046:2014-04-28T13:28:03-04:00')
        .executeTakeFirstOrThrow();
      expect(e).toMatchObject({ type: 'shipment.created', source: 'shopify', order_id: ORDER_ID });
      expect(JSON.parse(e.data)).toMatchObject({ shipmentId: '255858046', trackingNumber: '1Z2345' });
    });
  });

  it.skipIf(!available)('fulfillments/update → delivered (and shipment.delivered)', async () => {
    const f = { ...fulfillment(), shipment_status: 'delivered', tracking_company: 'UPS', updated_at: '2014-05-01T10:00:00-04:00' };
    await threeWays('fulfillments/update', f, async () => {
      const ship = await db().selectFrom('shipments').selectAll().where('id', '=', '255858046').executeTakeFirstOrThrow();
      expect(ship).toMatchObject({ status: 'delivered', delivered_at: '2014-05-01T14:00:00.000Z' });
      expect(await eventIds()).toContain('shopify:fulfillment:255858046:delivered');
    });
  });

  it.skipIf(!available)('refunds/create → refund.recorded for the money that moved', async () => {
    await threeWays('refunds/create', refund(), async () => {
      const r = await db()
        .selectFrom('refunds')
        .selectAll()
        .where('store_id', '=', t.storeId)
        .where('id', '=', '509562969')
        .executeTakeFirstOrThrow();
      expect(r).toMatchObject({ order_id: ORDER_ID, amount: 20900, currency: 'USD', reason: 'it broke during shipping' });
      const o = await db().selectFrom('orders').select('refunded_amount').where('id', '=', ORDER_ID).executeTakeFirstOrThrow();
      expect(Number(o.refunded_amount)).toBe(20900);
      expect(await bobRow()).toMatchObject({ total_refunded: 20900 });
    });
  });

  it.skipIf(!available)('orders/cancelled → order.cancelled with the reason; the cancelled order does not count', async () => {
    const cancelled = {
      ...order(),
      id: Number(CANCELLED_ORDER_ID),
      name: '#1002',
      financial_status: 'voided',
      fulfillments: [],
      cancelled_at: '2008-01-11T09:00:00-05:00',
      cancel_reason: 'customer',
    };
    await threeWays('orders/cancelled', cancelled, async () => {
      const o = await db().selectFrom('orders').selectAll().where('id', '=', CANCELLED_ORDER_ID).executeTakeFirstOrThrow();
      expect(o).toMatchObject({ status: 'cancelled', cancel_reason: 'customer', customer_id: '207119551' });
      expect(await bobRow()).toMatchObject({ orders_count: 1, total_spent: 40994 });
    });
  });

  it.skipIf(!available)('a topic Amends does not use is taken (200) and set aside', async () => {
    const res = await send('products/update', { id: 632910392, title: 'IPod Nano - 8gb' }, { id: 'wh-product' });
    expect(res.json()).toEqual({ ok: true, ignored: true });
    expect(await work()).toBe(0);
    expect(await receipt('wh-product')).toMatchObject({ status: 'ignored', topic: 'products/update' });
  });

  it.skipIf(!available)('missing headers, an unknown shop, another shop’s secret: 401, all alike, nothing written', async () => {
    const before = await snapshot();
    const answers = [
      await send('customers/create', customer(), { omit: 'hmac' }),
      await send('customers/create', customer(), { omit: 'domain' }),
      await send('customers/create', customer(), { omit: 'topic' }),
      await send('customers/create', customer(), { omit: 'id' }),
      await send('customers/create', customer(), { domain: 'nobody.myshopify.com' }),
      await send('customers/create', customer(), { secret: OTHER_SECRET }),
      await send('customers/create', customer(), { domain: OTHER_DOMAIN }),
    ];
    for (const a of answers) {
      expect(a.statusCode).toBe(401);
      expect(a.json()).toEqual({ error: { code: 'unauthorized', message: 'the webhook could not be verified' } });
    }
    // The signature is over the exact bytes: the same JSON re-spaced does not verify.
    const body = JSON.stringify(customer());
    const respaced = await t.app.inject({
      method: 'POST',
      url: '/webhooks/shopify',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'customers/create',
        'x-shopify-hmac-sha256': signShopifyBody(SECRET, body),
        'x-shopify-shop-domain': DOMAIN,
        'x-shopify-webhook-id': 'wh-respaced',
      },
      payload: JSON.stringify(customer(), null, 2),
    });
    expect(respaced.statusCode).toBe(401);
    expect(await work()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it.skipIf(!available)('a signed payload of the wrong shape is kept as failed with the reason (no retries)', async () => {
    const { total_price: _, ...broken } = order();
    const res = await send('orders/create', { ...broken, id: 1 }, { id: 'wh-broken' });
    expect(res.statusCode).toBe(200);
    await work();
    const r = await receipt('wh-broken');
    expect(r?.status).toBe('failed');
    expect(r?.error).toMatch(/total_price/);
    const dead = await t.ctx.jobs.deadLetters({ name: 'channels.shopify-webhook', limit: 10 });
    expect(dead.map((d) => d.data)).toContainEqual({ storeId: t.storeId, webhookId: 'wh-broken' });
  });

  it.skipIf(!available)('the webhook route is public and in the OpenAPI document', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = doc.json().paths as Record<string, Record<string, { security?: unknown[] }>>;
    expect(paths['/webhooks/shopify']?.post).toBeDefined();
    expect(paths['/webhooks/shopify']?.post?.security).toEqual([]);
    expect(paths['/api/v1/privacy-requests']?.get).toBeDefined();
  });

  const privacyPayload = (file: string, over: Json) => ({ ...load(`documented/${file}`), shop_domain: DOMAIN, ...over });

  it.skipIf(!available)('customers/data_request → an export of everything held about them, readable by admins', async () => {
    const payload = privacyPayload('customers-data_request.json', { customer: BOB, orders_requested: [Number(ORDER_ID)] });
    await threeWays('customers/data_request', payload, async () => {
      const rows = await db().selectFrom('privacy_requests').selectAll().where('store_id', '=', t.storeId).execute();
      expect(rows).toMatchObject([{ kind: 'export', customer_id: '207119551', source: 'shopify' }]);
    });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/privacy-requests', headers: auth(t.tokens.admin) });
    expect(list.statusCode).toBe(200);
    const [req] = list.json().requests as { id: string; kind: string; customerId: string }[];
    expect(req).toMatchObject({ kind: 'export', customerId: '207119551' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/privacy-requests', headers: auth(t.tokens.agent) })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/privacy-requests/${req!.id}`, headers: auth(t.other.token) })).statusCode,
    ).toBe(404);
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/privacy-requests/${req!.id}`, headers: auth(t.tokens.admin) });
    expect(one.statusCode).toBe(200);
    const result = one.json().result as {
      customers: { id: string; email: string; name: string }[];
      orders: { id: string }[];
      shipments: { id: string }[];
      payments: unknown[];
      refunds: { id: string }[];
      events: { id: string; data: Json }[];
    };
    expect(result.customers).toMatchObject([{ id: '207119551', email: BOB.email, name: 'Bob Norman' }]);
    expect(result.orders.map((o) => o.id).sort()).toEqual([ORDER_ID, CANCELLED_ORDER_ID]);
    expect(result.shipments.map((s) => s.id)).toEqual(['255858046']);
    expect(result.refunds.map((r) => r.id)).toEqual(['509562969']);
    expect(result.payments).toHaveLength(1);
    expect(result.events.map((e) => e.id)).toContain('shopify:order:450789469:placed');
  });

  /** Every text-like column of every table (all schemas on PostgreSQL), as [table, column]. */
  const textColumns = async (): Promise<[string, string][]> => {
    if (engine === 'sqlite') {
      const { rows: tables } = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db());
      const out: [string, string][] = [];
      for (const { name } of tables) {
        const { rows: cols } = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(db());
        for (const c of cols) out.push([`"${name}"`, c.name]);
      }
      return out;
    }
    const { rows } = await sql<{ table_schema: string; table_name: string; column_name: string }>`
      select table_schema, table_name, column_name from information_schema.columns
      where table_schema not in ('pg_catalog', 'information_schema')
        and data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')`.execute(db());
    return rows.map((r) => [`"${r.table_schema}"."${r.table_name}"`, r.column_name]);
  };
  /** Where a string still is: "table.column" for every column holding it (case-sensitive unless `anyCase`). */
  const findEverywhere = async (needle: string, anyCase = false): Promise<string[]> => {
    const hits: string[] = [];
    for (const [table, col] of await textColumns()) {
      const c = sql.raw(`cast("${col}" as text)`);
      const target = anyCase ? sql`lower(${c})` : c;
      const n = anyCase ? needle.toLowerCase() : needle;
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.raw(table)} where ${
        engine === 'sqlite' ? sql`instr(${target}, ${n}) > 0` : sql`position(${n} in ${target}) > 0`
      }`.execute(db());
      if (Number(rows[0]?.n ?? 0) > 0) hits.push(`${table}.${col}`);
    }
    return hits;
  };

  it.skipIf(!available)('customers/redact leaves no personal data of the customer in any table, and keeps the aggregates', async () => {
    // Another customer of the same store, who must keep everything.
    const alice = {
      ...customer(),
      id: 31337,
      email: 'alice.quill@example.org',
      first_name: 'Alice',
      last_name: 'Quill',
      last_order_id: null,
      last_order_name: null,
      default_address: null,
      addresses: [],
    };
    expect((await send('customers/create', alice)).statusCode).toBe(200);
    await work();

    // Bob's words reach Amends the other ways too: a complaint (by e-mail) naming him, an agent's reply, a review, a mail.
    const words = 'The zebra-striped porcelain teapot arrived smashed';
    const complaint = {
      id: 'cmp-bob-1',
      type: 'complaint.received',
      occurredAt: '2026-03-01T12:00:00Z',
      data: {
        complaintId: 'cmp-bob-1',
        email: BOB.email,
        orderId: ORDER_ID,
        channel: 'email',
        subject: 'Zebra teapot smashed',
        body: `Hello, this is Bob Norman (${BOB.email}, ${BOB.phone}) of Chestnut Street 92, Louisville. ${words}. I am furious.`,
      },
    };
    const review = {
      id: 'rev-bob-1',
      type: 'review.posted',
      occurredAt: '2026-03-02T12:00:00Z',
      data: {
        reviewId: 'rev-bob-1',
        customerId: String(BOB.id),
        orderId: ORDER_ID,
        rating: 1,
        title: 'Smashed zebra teapot',
        body: `Bob Norman here. ${words}.`,
      },
    };
    const ingested = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth(t.tokens.manager),
      payload: { events: [complaint, review] },
    });
    expect(ingested.statusCode, ingested.body).toBeLessThan(300);
    const cases = await db().selectFrom('cases').select(['id', 'customer_id']).where('store_id', '=', t.storeId).execute();
    expect(cases.filter((c) => c.customer_id === String(BOB.id))).toHaveLength(2);
    const caseId = cases.find((c) => c.customer_id === String(BOB.id))!.id;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      headers: auth(t.tokens.agent),
      payload: {
        kind: 'reply',
        body: 'Dear Bob Norman, we are so sorry about the zebra-striped teapot. A new one is on its way to Chestnut Street.',
      },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const note = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      headers: auth(t.tokens.agent),
      payload: { kind: 'note', body: 'Bob Norman called from 555-625-1199 about the teapot.' },
    });
    expect(note.statusCode, note.body).toBe(201);
    await db()
      .insertInto('inbound_emails')
      .values({
        store_id: t.storeId,
        id: 'inm-bob-1',
        message_id: 'abc123@mx.example.net',
        content_hash: 'f'.repeat(64),
        from_address: 'Bob.Norman@Hostmail.com',
        subject: 'Re: Zebra teapot smashed',
        case_id: caseId,
        case_message_id: null,
        outcome: 'threaded',
        reason: null,
        size: 1234,
        received_at: '2026-03-03T12:00:00.000Z',
      })
      .execute();
    await db()
      .insertInto('attachments')
      .values({
        store_id: t.storeId,
        id: 'att-bob-1',
        case_id: caseId,
        message_id: null,
        filename: 'bob-norman-teapot.jpg',
        content_type: 'image/jpeg',
        size: 10,
        sha256: 'e'.repeat(64),
        content: Buffer.from('Bob Norman'),
        created_at: '2026-03-03T12:00:00.000Z',
      })
      .execute();

    // A copy in a table erasure has no rule for (and in other letter case): the sweep of every text column finds it.
    await db()
      .insertInto('monitor_buckets')
      .values({
        store_id: t.storeId,
        metric: `complaints:Bob.Norman@HostMail.com:${BOB.phone}`,
        bucket: '2026-03-01T12',
        total: 1,
        failed: 0,
      })
      .execute();

    // Before: the customer is everywhere (or the scan below would prove nothing).
    expect(await findEverywhere('Norman')).toEqual(
      expect.arrayContaining(['customers', 'events', 'case_messages', 'webhook_receipts'].map((x) => expect.stringContaining(x))),
    );
    const casesBefore = await db()
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', t.storeId)
      .executeTakeFirstOrThrow();
    const eventsBefore = await count('events');

    const payload = privacyPayload('customers-redact.json', {
      customer: BOB,
      orders_to_redact: [Number(ORDER_ID), Number(CANCELLED_ORDER_ID)],
    });
    const webhookId = await threeWays('customers/redact', payload, async () => {
      const req = await db().selectFrom('privacy_requests').selectAll().where('kind', '=', 'redact').executeTakeFirstOrThrow();
      expect(req).toMatchObject({ customer_id: '207119551', source: 'shopify' });
      const result = JSON.parse(req.result!) as { customerRows: number; cases: number; changed: Record<string, number> };
      expect(result.customerRows).toBe(1);
      expect(result.cases).toBe(2);
      expect(result.changed.events).toBeGreaterThan(5);
      expect(result.changed.attachmentsDeleted).toBe(1);
      // Counts only: the result names nobody.
      expect(req.result).not.toMatch(/Norman|hostmail/i);
    });
    expect((await receipt(webhookId))?.payload).toBe('{"redacted":true}');

    const needles: [string, boolean][] = [
      [BOB.email, true],
      ['hostmail', true],
      ['Bob', false],
      ['Norman', false],
      [BOB.phone, false],
      ['6251199', false],
      ['Chestnut', false],
      ['Louisville', false],
      ['zebra', true],
      ['teapot', true],
      ['porcelain', true],
      ['furious', true],
      ['it broke during shipping', true],
      ['1Z2345', false],
    ];
    const left: Record<string, string[]> = {};
    for (const [needle, anyCase] of needles) {
      const hits = await findEverywhere(needle, anyCase);
      if (hits.length > 0) left[needle] = hits;
    }
    expect(left).toEqual({});
    expect(await db().selectFrom('attachments').select('id').where('case_id', '=', caseId).execute()).toEqual([]);

    // What happened is kept: the customer's counters, the orders, the cases and their labels, the ledger.
    const bob = await bobRow();
    expect(bob).toMatchObject({
      email: null,
      name: null,
      phone: null,
      orders_count: 1,
      total_spent: 40994,
      total_refunded: 20900,
      failures_count: expect.any(Number),
    });
    const casesAfter = await db()
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', t.storeId)
      .executeTakeFirstOrThrow();
    expect(Number(casesAfter.n)).toBe(Number(casesBefore.n));
    const bobCases = await db()
      .selectFrom('cases')
      .select(['kind', 'severity', 'subject'])
      .where('customer_id', '=', String(BOB.id))
      .execute();
    expect(bobCases.every((c) => c.kind !== null && c.severity !== null)).toBe(true);
    expect(await count('events')).toBeGreaterThanOrEqual(eventsBefore);
    const o = await db().selectFrom('orders').selectAll().where('id', '=', ORDER_ID).executeTakeFirstOrThrow();
    expect(o).toMatchObject({ total_amount: 40994, refunded_amount: 20900, status: 'placed' });
    expect((await db().selectFrom('refunds').select('amount').where('id', '=', '509562969').executeTakeFirstOrThrow()).amount).toBe(20900);
    // The earlier export about them is gone; its request (when, which kind) stays.
    const exportRow = await db().selectFrom('privacy_requests').selectAll().where('kind', '=', 'export').executeTakeFirstOrThrow();
    expect(exportRow.result).toBeNull();

    // The other customer is untouched.
    const a = await db()
      .selectFrom('customers')
      .selectAll()
      .where('store_id', '=', t.storeId)
      .where('id', '=', '31337')
      .executeTakeFirstOrThrow();
    expect(a).toMatchObject({ email: 'alice.quill@example.org', name: 'Alice Quill' });
    expect(await findEverywhere('alice.quill@example.org')).not.toEqual([]);
  });

  it.skipIf(!available)('shop/redact erases every customer of that shop, and only that shop', async () => {
    const carol = { ...customer(), id: 555001, email: 'carol.vance@example.net', first_name: 'Carol', last_name: 'Vance', addresses: [] };
    expect((await send('customers/create', carol, { domain: OTHER_DOMAIN, secret: OTHER_SECRET })).statusCode).toBe(200);
    const carolOrder = { ...order(), id: 777001, customer: carol, email: carol.email };
    expect((await send('orders/create', carolOrder, { domain: OTHER_DOMAIN, secret: OTHER_SECRET })).statusCode).toBe(200);
    await work();
    expect(await findEverywhere('Vance')).not.toEqual([]);

    const payload = { ...load('documented/shop-redact.json'), shop_domain: OTHER_DOMAIN };
    // Signed with acme's secret but naming the other shop: not accepted for the other shop.
    expect((await send('shop/redact', payload, { domain: OTHER_DOMAIN })).statusCode).toBe(401);
    // A privacy payload naming another shop than the one that signed it changes nothing.
    const mismatched = await send('shop/redact', payload, { id: 'wh-mismatch' });
    expect(mismatched.statusCode).toBe(200);
    await work();
    expect((await receipt('wh-mismatch'))?.status).toBe('failed');
    expect(await db().selectFrom('privacy_requests').select('id').where('kind', '=', 'shop_redact').execute()).toEqual([]);

    const ok = await send('shop/redact', payload, { domain: OTHER_DOMAIN, secret: OTHER_SECRET, id: 'wh-shop-redact' });
    expect(ok.statusCode).toBe(200);
    await work();
    expect((await receipt('wh-shop-redact', t.other.storeId))?.status).toBe('processed');
    const again = await send('shop/redact', payload, { domain: OTHER_DOMAIN, secret: OTHER_SECRET, id: 'wh-shop-redact' });
    expect(again.json()).toEqual({ ok: true, duplicate: true });
    expect(await work()).toBe(0);

    for (const needle of ['Vance', 'carol.vance@example.net', 'Carol']) expect(await findEverywhere(needle)).toEqual([]);
    const requests = await db().selectFrom('privacy_requests').selectAll().where('kind', '=', 'shop_redact').execute();
    expect(requests).toMatchObject([{ store_id: t.other.storeId, customer_id: null }]);
    const c = await db()
      .selectFrom('customers')
      .selectAll()
      .where('store_id', '=', t.other.storeId)
      .where('id', '=', '555001')
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({ email: null, name: null, orders_count: 1, total_spent: 40994 });
    // acme's customers keep their data.
    const a = await db()
      .selectFrom('customers')
      .select('email')
      .where('store_id', '=', t.storeId)
      .where('id', '=', '31337')
      .executeTakeFirstOrThrow();
    expect(a.email).toBe('alice.quill@example.org');
  });
});

describe.each(engines)('amends store create --shopify-domain [%s]', (engine) => {
  const available = engineAvailable(engine);
  const amends = (dbUrl: string, args: string[]) => runAmends(dbUrl, args);

  it.skipIf(!available)('connects a new or an existing store; a malformed or taken domain is refused', async () => {
    const dbUrl = await freshDatabaseUrl(engine);
    const created = amends(dbUrl, [
      'store',
      'create',
      '--id',
      'shop-one',
      '--shopify-domain',
      'Shop-One.myshopify.com',
      '--shopify-secret',
      'shpss_one_secret',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('connected to Shopify shop shop-one.myshopify.com');
    const taken = amends(dbUrl, [
      'store',
      'create',
      '--id',
      'shop-two',
      '--shopify-domain',
      'shop-one.myshopify.com',
      '--shopify-secret',
      'shpss_two_secret',
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('shop-one.myshopify.com is already connected to store shop-one');
    const bad = amends(dbUrl, [
      'store',
      'create',
      '--id',
      'shop-three',
      '--shopify-domain',
      'shop.example.com',
      '--shopify-secret',
      'shpss_three_secret',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('myshopify.com');
    // An existing store changes shop (or connects for the first time) with `store shopify`.
    const connect = amends(dbUrl, [
      'store',
      'shopify',
      '--id',
      'shop-one',
      '--domain',
      'shop-two.myshopify.com',
      '--secret',
      'shpss_two_secret',
    ]);
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout).toContain('store shop-one connected to Shopify shop shop-two.myshopify.com');

    const database = openDatabase(dbUrl);
    try {
      const rows = await database.db.selectFrom('stores').select(['id', 'shopify_domain', 'shopify_secret']).orderBy('id').execute();
      expect(rows).toEqual([{ id: 'shop-one', shopify_domain: 'shop-two.myshopify.com', shopify_secret: 'shpss_two_secret' }]);
    } finally {
      await database.close();
    }
  });
});
