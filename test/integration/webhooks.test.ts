/**
 * Outbound webhooks and Slack alerts through the real app on both engines:
 * notifications made by real events and API calls, delivered by the outbox to
 * HTTP receivers on 127.0.0.1 that record what they get.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDriver } from '../../src/channels/webhooks/webhook.driver.ts';
import { verifyWebhookSignature } from '../../src/channels/webhooks/webhook-signature.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** How it answers each request (default 200 "ok"); `null` never answers. */
  answer: (n: number, r: Received) => { status: number; body?: string } | null;
  close(): Promise<void>;
}

async function startReceiver(path = '/hooks'): Promise<Receiver> {
  const requests: Received[] = [];
  const rx: Receiver = {
    url: '',
    port: 0,
    requests,
    answer: () => ({ status: 200, body: 'ok' }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      const a = rx.answer(requests.length, r);
      if (!a) return;
      res.writeHead(a.status, { 'content-type': 'text/plain' });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.port = (server.address() as AddressInfo).port;
  rx.url = `http://127.0.0.1:${rx.port}${path}`;
  return rx;
}

interface EndpointJson {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  secret?: string;
}

interface DeliveryJson {
  id: string;
  channel?: string;
  endpointId: string;
  eventType: string;
  notificationId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  response: string | null;
  replayOf: string | null;
}

interface AttemptJson {
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] outbound webhooks and Slack alerts`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    const receivers: Receiver[] = [];
    const secrets = new Map<string, string>();

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await Promise.all(receivers.map((r) => r.close()));
      await t?.close();
    });

    const receiver = async (path?: string) => {
      const r = await startReceiver(path);
      receivers.push(r);
      return r;
    };
    const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, token = t.tokens.admin) =>
      t.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });
    const ingest = async (...events: unknown[]) => {
      const res = await api('POST', '/api/v1/events', { events });
      expect(res.statusCode, res.body).toBe(201);
    };
    const register = async (url: string, events: string[], description?: string): Promise<EndpointJson> => {
      const res = await api('POST', '/api/v1/webhooks/endpoints', { url, events, ...(description ? { description } : {}) });
      expect(res.statusCode, res.body).toBe(201);
      const e = res.json() as EndpointJson;
      secrets.set(e.id, e.secret!);
      return e;
    };
    /** Delivers everything due now. */
    const drain = async () => {
      for (let i = 0; i < 50 && (await t.ctx.outbox.runDue()) > 0; i++);
    };
    const deliveriesOf = async (endpointId: string): Promise<DeliveryJson[]> => {
      const res = await api('GET', `/api/v1/webhooks/endpoints/${endpointId}/deliveries`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().deliveries;
    };
    const deliveryDetail = async (id: string) => {
      const res = await api('GET', `/api/v1/webhooks/deliveries/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as DeliveryJson & { payload: { id: string; type: string }; attemptLog: AttemptJson[] };
    };
    const now = () => clock.now().toISOString();
    let customerN = 0;
    /** A customer with an order and a complaint about it; returns the case id. */
    const complaint = async (body: string, total = 4000): Promise<string> => {
      const c = `cust-${++customerN}`;
      await ingest(
        ev(`${c}-profile`, 'customer.upserted', { customerId: c, email: `${c}@example.com`, name: 'Maria Lopez' }, '2026-01-01T00:00:00Z'),
        ev(`${c}-order`, 'order.placed', { orderId: `${c}-o`, customerId: c, total: usd(total) }, '2026-02-20T00:00:00Z'),
        ev(
          `${c}-complaint`,
          'complaint.received',
          { complaintId: `cmp-${c}`, customerId: c, orderId: `${c}-o`, channel: 'email', body },
          now(),
        ),
      );
      const list = await api('GET', `/api/v1/cases?customerId=${c}`);
      return (list.json() as { cases: { id: string }[] }).cases[0]!.id;
    };
    const resolve = async (caseId: string) => {
      for (const status of ['in_progress', 'resolved']) {
        const res = await api('POST', `/api/v1/cases/${caseId}/status`, { status }, t.tokens.agent);
        expect(res.statusCode, res.body).toBe(200);
      }
    };
    /** Checks one webhook request: headers, signature over the raw body, and returns the notification. */
    const checkSigned = (r: Received, endpointId: string) => {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('Amends-Webhooks/1');
      const n = JSON.parse(r.body) as { id: string; type: string; store: string; createdAt: string; data: Record<string, unknown> };
      expect(r.headers['amends-event']).toBe(n.type);
      expect(r.headers['amends-notification']).toBe(n.id);
      expect(r.headers['amends-delivery']).toMatch(/^out_/);
      expect(n.store).toBe('acme');
      const header = r.headers['amends-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(secrets.get(endpointId)!, header, r.body, { now: clock.now() })).toMatchObject({ ok: true });
      expect(verifyWebhookSignature('whsec_someone-else', header, r.body, { now: clock.now() }).ok).toBe(false);
      return n;
    };
    const ofType = (rx: Receiver, type: string) => rx.requests.filter((r) => r.headers['amends-event'] === type);

    let cases: Receiver;
    let ops: Receiver;
    let slack: Receiver;
    let caseEndpoint: EndpointJson;
    let opsEndpoint: EndpointJson;
    let escalatedCase: string;

    it('delivers signed case, incident and compensation notifications, and Slack alerts, from the real paths', async () => {
      cases = await receiver();
      ops = await receiver();
      slack = await receiver('/services/T/B/X');
      caseEndpoint = await register(cases.url, ['case.*'], 'case tracker');
      opsEndpoint = await register(ops.url, ['compensation.*', 'incident.*']);
      expect(caseEndpoint).toMatchObject({ url: cases.url, events: ['case.*'], description: 'case tracker', active: true });
      expect(caseEndpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const put = await api('PUT', '/api/v1/store/channels', { slack: { webhookUrl: slack.url } });
      expect(put.statusCode, put.body).toBe(200);

      // A safety threat: severity 4, straight to the manager queue.
      escalatedCase = await complaint('The kettle caught fire and burned my hand. I am calling my lawyer.');
      await drain();
      const opened = ofType(cases, 'case.opened');
      expect(opened).toHaveLength(1);
      const n = checkSigned(opened[0]!, caseEndpoint.id);
      expect(n.data).toMatchObject({ caseId: escalatedCase, queue: 'manager', severity: 4 });
      expect(ofType(cases, 'case.escalated')).toHaveLength(1);
      const escalated = checkSigned(ofType(cases, 'case.escalated')[0]!, caseEndpoint.id);
      // Nothing about cases went to the other endpoint.
      expect(ops.requests.filter((r) => String(r.headers['amends-event']).startsWith('case.'))).toEqual([]);

      // Slack got the escalation (the default alert list), not the opening.
      expect(slack.requests).toHaveLength(1);
      const alert = slack.requests[0]!;
      expect(alert.method).toBe('POST');
      expect(alert.path).toBe('/services/T/B/X');
      expect(alert.headers['content-type']).toBe('application/json');
      const msg = JSON.parse(alert.body) as { text: string; blocks: { type: string }[] };
      expect(msg.text).toMatch(new RegExp(`^Case #${escalated.data.number} escalated to the manager queue: .+`));
      expect(msg.blocks[0]).toMatchObject({ type: 'section' });
      expect(JSON.stringify(msg.blocks)).toContain('4 (critical)');

      // The delivery log says what each receiver answered.
      const log = await deliveriesOf(caseEndpoint.id);
      expect(log.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode, d.response]).sort()).toEqual([
        ['case.escalated', 'sent', 1, 200, '200 ok'],
        ['case.opened', 'sent', 1, 200, '200 ok'],
      ]);
      expect(log.map((d) => d.id).sort()).toEqual(cases.requests.map((r) => r.headers['amends-delivery']).sort());
      const alerts = await api('GET', '/api/v1/outbox?kind=alert');
      expect(alerts.json().deliveries.map((d: DeliveryJson) => [d.channel, d.eventType, d.status])).toEqual([
        ['slack', 'case.escalated', 'sent'],
      ]);

      // A carrier loses a parcel: the monitor opens an incident (and a proactive case).
      await ingest(
        ev('lost-c', 'customer.upserted', { customerId: 'lost-c', email: 'lost@example.com', timezone: 'UTC' }, '2026-03-01T00:00:00Z'),
        ev('lost-o', 'order.placed', { orderId: 'lost-o', customerId: 'lost-c', total: usd(5000) }, '2026-03-01T09:00:00Z'),
        ev(
          'lost-s',
          'shipment.updated',
          { shipmentId: 'lost-s', orderId: 'lost-o', carrier: 'DHL', region: 'ES-MD', status: 'lost' },
          now(),
        ),
      );
      await drain();
      const incident = ofType(ops, 'incident.opened');
      expect(incident).toHaveLength(1);
      expect(checkSigned(incident[0]!, opsEndpoint.id).data).toMatchObject({ monitor: 'lost', kind: 'delivery_lost', status: 'open' });
      expect(ofType(cases, 'incident.opened')).toEqual([]);
      const incidentAlert = slack.requests.map((r) => JSON.parse(r.body) as { text: string }).filter((m) => m.text.startsWith('Incident'));
      expect(incidentAlert.map((m) => m.text)).toEqual(['Incident opened: Lost parcels: DHL to ES-MD (2026-03-02)']);

      // An agent asks for a refund above their authority: pending a manager's approval.
      const bigCase = await complaint('The espresso machine arrived with a cracked water tank.', 12_000);
      const grant = await api(
        'POST',
        `/api/v1/cases/${bigCase}/compensations`,
        { offerId: 'refund_full', idempotencyKey: 'wh-big-1', justification: 'Third broken machine' },
        t.tokens.agent,
      );
      expect(grant.statusCode, grant.body).toBe(201);
      expect(grant.json().status).toBe('pending_approval');
      await drain();
      const pending = ofType(ops, 'compensation.pending_approval');
      expect(pending).toHaveLength(1);
      expect(checkSigned(pending[0]!, opsEndpoint.id).data).toMatchObject({
        compensationId: grant.json().id,
        caseId: bigCase,
        cost: usd(12_000),
        status: 'pending_approval',
      });
      const approval = JSON.parse(slack.requests.at(-1)!.body) as { text: string; blocks: unknown[] };
      expect(approval.text).toMatch(/^Approval needed: .+ \(120\.00 USD\) on case #\d+, asked by Ada Agent$/);
      expect(JSON.stringify(approval.blocks)).toContain('over the agent per-case limit');
      expect(JSON.stringify(approval.blocks)).toContain('Third broken machine');

      // Resolving a case is told to the case endpoint (and not alerted).
      const slackBefore = slack.requests.length;
      await resolve(escalatedCase);
      await drain();
      const resolved = ofType(cases, 'case.resolved');
      expect(resolved).toHaveLength(1);
      expect(checkSigned(resolved[0]!, caseEndpoint.id).data).toMatchObject({ caseId: escalatedCase, status: 'resolved' });
      expect(slack.requests).toHaveLength(slackBefore);
      // Every request any receiver got was signed, and every notification id is distinct.
      const ids = [...cases.requests, ...ops.requests].map((r) => r.headers['amends-notification']);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('retries a receiver that fails twice with backoff, then succeeds; the same notification each time', async () => {
      const flaky = await receiver();
      flaky.answer = (n) => (n <= 2 ? { status: 500, body: 'database is down' } : { status: 200, body: 'ok' });
      const e = await register(flaky.url, ['case.resolved']);
      const caseId = await complaint('My parcel is late and nobody tells me where it is.');
      await resolve(caseId);
      await drain();
      expect(flaky.requests).toHaveLength(1);
      let [d] = await deliveriesOf(e.id);
      expect(d).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 500, lastError: 'answered 500 database is down' });
      // Not due again until the backoff (30 s, then 60 s) has passed.
      clock.advance(29_000);
      await drain();
      expect(flaky.requests).toHaveLength(1);
      clock.advance(1_000);
      await drain();
      expect(flaky.requests).toHaveLength(2);
      clock.advance(59_000);
      await drain();
      expect(flaky.requests).toHaveLength(2);
      clock.advance(1_000);
      await drain();
      expect(flaky.requests).toHaveLength(3);

      [d] = await deliveriesOf(e.id);
      expect(d).toMatchObject({ status: 'sent', attempts: 3, lastStatusCode: 200, lastError: null, response: '200 ok' });
      const detail = await deliveryDetail(d!.id);
      expect(detail.attemptLog.map((a) => [a.attempt, a.ok, a.statusCode])).toEqual([
        [1, false, 500],
        [2, false, 500],
        [3, true, 200],
      ]);
      expect(detail.attemptLog[0]!.error).toBe('answered 500 database is down');
      expect(detail.payload).toMatchObject({ id: d!.notificationId, type: 'case.resolved' });
      // One notification, one delivery id, three signed tries with their own timestamps.
      expect(new Set(flaky.requests.map((r) => r.headers['amends-notification']))).toEqual(new Set([d!.notificationId]));
      expect(new Set(flaky.requests.map((r) => r.headers['amends-delivery']))).toEqual(new Set([d!.id]));
      expect(new Set(flaky.requests.map((r) => r.body)).size).toBe(1);
      const stamps = flaky.requests.map((r) => Number(/t=(\d+)/.exec(r.headers['amends-signature'] as string)![1]));
      expect([stamps[1]! - stamps[0]!, stamps[2]! - stamps[1]!]).toEqual([30, 60]);
      checkSigned(flaky.requests[2]!, e.id);
    });

    it('a 400 fails at once; a 410 also deactivates the endpoint; timeouts and refused connections are retried', async () => {
      const refuses = await receiver();
      refuses.answer = () => ({ status: 400, body: 'unknown payload' });
      const gone = await receiver();
      gone.answer = () => ({ status: 410, body: 'gone' });
      const silent = await receiver();
      silent.answer = () => null;
      const closed = await receiver();
      await closed.close();
      receivers.splice(receivers.indexOf(closed), 1);
      const e400 = await register(refuses.url, ['case.opened']);
      const e410 = await register(gone.url, ['case.opened']);
      const eSilent = await register(silent.url, ['case.opened']);
      const eClosed = await register(closed.url, ['case.opened']);
      t.ctx.outbox.register('webhook', createWebhookDriver(t.ctx, { timeoutMs: 300 }));
      try {
        await complaint('The jumper I ordered is the wrong size.');
        await drain();
      } finally {
        t.ctx.outbox.register('webhook', createWebhookDriver(t.ctx));
      }
      expect(refuses.requests).toHaveLength(1);
      expect(gone.requests).toHaveLength(1);
      expect(await deliveriesOf(e400.id)).toMatchObject([
        { status: 'failed', attempts: 1, lastStatusCode: 400, lastError: 'answered 400 unknown payload' },
      ]);
      expect(await deliveriesOf(e410.id)).toMatchObject([{ status: 'failed', attempts: 1, lastStatusCode: 410 }]);
      expect((await deliveriesOf(e410.id))[0]!.lastError).toContain('endpoint deactivated');
      expect((await api('GET', `/api/v1/webhooks/endpoints/${e410.id}`)).json()).toMatchObject({ active: false });
      const [timedOut] = await deliveriesOf(eSilent.id);
      expect(timedOut).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: null });
      expect(timedOut!.lastError).toMatch(/^no answer from http:\/\/127\.0\.0\.1:\d+ within 0\.3 s$/);
      const [refused] = await deliveriesOf(eClosed.id);
      expect(refused).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: null });
      expect(refused!.lastError).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/);

      // The deactivated endpoint gets nothing more; the refusing one still gets new notifications.
      await api('PATCH', `/api/v1/webhooks/endpoints/${eSilent.id}`, { active: false });
      await api('PATCH', `/api/v1/webhooks/endpoints/${eClosed.id}`, { active: false });
      await complaint('The jumper I ordered is the wrong colour.');
      await drain();
      expect(gone.requests).toHaveLength(1);
      expect(await deliveriesOf(e410.id)).toHaveLength(1);
      expect(refuses.requests).toHaveLength(2);
      // A queued retry for an endpoint paused meanwhile is skipped, not sent.
      clock.advance(60_000);
      await drain();
      expect(silent.requests).toHaveLength(1);
      expect(await deliveriesOf(eSilent.id)).toMatchObject([{ status: 'skipped', lastError: `endpoint ${eSilent.id} is inactive` }]);
      // Resuming it (PATCH active) makes it receive again.
      const resumed = await api('PATCH', `/api/v1/webhooks/endpoints/${e410.id}`, { active: true });
      expect(resumed.json()).toMatchObject({ active: true });
      gone.answer = () => ({ status: 204 });
      await complaint('The jumper I ordered has a hole in the sleeve.');
      await drain();
      expect(gone.requests).toHaveLength(2);
      expect((await deliveriesOf(e410.id))[0]).toMatchObject({ status: 'sent', lastStatusCode: 204, response: '204' });
    });

    it('replays a delivered notification as a new delivery with the same notification id; other stores cannot see or replay it', async () => {
      const [original] = (await deliveriesOf(caseEndpoint.id)).filter((d) => d.eventType === 'case.resolved');
      expect(original).toMatchObject({ status: 'sent' });
      const before = cases.requests.length;
      const res = await api('POST', `/api/v1/webhooks/deliveries/${original!.id}/replay`);
      expect(res.statusCode, res.body).toBe(201);
      const replay = res.json() as DeliveryJson;
      expect(replay).toMatchObject({
        endpointId: caseEndpoint.id,
        eventType: 'case.resolved',
        notificationId: original!.notificationId,
        status: 'queued',
        replayOf: original!.id,
      });
      expect(replay.id).not.toBe(original!.id);
      // Replaying one still queued is refused until it is done.
      expect((await api('POST', `/api/v1/webhooks/deliveries/${replay.id}/replay`)).statusCode).toBe(409);
      await drain();
      expect(cases.requests).toHaveLength(before + 1);
      const again = cases.requests.at(-1)!;
      const n = checkSigned(again, caseEndpoint.id);
      expect(n.id).toBe(original!.notificationId);
      expect(again.headers['amends-delivery']).toBe(replay.id);
      const first = cases.requests.find((r) => r.headers['amends-delivery'] === original!.id)!;
      expect(again.body).toBe(first.body);
      expect(again.headers['amends-notification']).toBe(first.headers['amends-notification']);
      expect((await deliveryDetail(replay.id)).status).toBe('sent');

      // Another store: not found, whatever it tries.
      for (const [method, url] of [
        ['GET', `/api/v1/webhooks/deliveries/${original!.id}`],
        ['POST', `/api/v1/webhooks/deliveries/${original!.id}/replay`],
        ['GET', `/api/v1/webhooks/endpoints/${caseEndpoint.id}`],
        ['GET', `/api/v1/webhooks/endpoints/${caseEndpoint.id}/deliveries`],
        ['PATCH', `/api/v1/webhooks/endpoints/${caseEndpoint.id}`],
        ['POST', `/api/v1/webhooks/endpoints/${caseEndpoint.id}/rotate-secret`],
        ['DELETE', `/api/v1/webhooks/endpoints/${caseEndpoint.id}`],
      ] as const) {
        const r = await api(method, url, method === 'PATCH' ? { active: false } : undefined, t.other.token);
        expect(r.statusCode, `${method} ${url}`).toBe(404);
      }
      expect((await api('GET', '/api/v1/webhooks/endpoints', undefined, t.other.token)).json()).toEqual({ endpoints: [] });
      expect(cases.requests).toHaveLength(before + 1);
      expect((await api('GET', `/api/v1/webhooks/endpoints/${caseEndpoint.id}`)).json()).toMatchObject({ active: true });
      // Admins only.
      expect((await api('GET', '/api/v1/webhooks/endpoints', undefined, t.tokens.manager)).statusCode).toBe(403);
      expect((await api('POST', `/api/v1/webhooks/deliveries/${original!.id}/replay`, undefined, t.tokens.agent)).statusCode).toBe(403);
      // A delivery of another kind (an alert) is not a webhook delivery.
      const alert = (await api('GET', '/api/v1/outbox?kind=alert')).json().deliveries[0] as DeliveryJson;
      expect((await api('POST', `/api/v1/webhooks/deliveries/${alert.id}/replay`)).statusCode).toBe(404);
    });

    it('manages endpoints: list without secrets, change, rotate the secret, delete', async () => {
      const rx = await receiver();
      const e = await register(rx.url, ['case.opened']);
      const list = await api('GET', '/api/v1/webhooks/endpoints');
      expect(list.statusCode).toBe(200);
      const listed = list.json().endpoints as EndpointJson[];
      expect(listed.map((x) => x.id)).toContain(e.id);
      expect(list.body).not.toContain('whsec_');
      const one = await api('GET', `/api/v1/webhooks/endpoints/${e.id}`);
      expect(one.json()).toEqual({ ...listed.find((x) => x.id === e.id) });
      expect(one.body).not.toContain('whsec_');

      const patched = await api('PATCH', `/api/v1/webhooks/endpoints/${e.id}`, {
        events: ['case.opened', 'case.opened', 'compensation.*'],
        description: 'ops',
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ url: rx.url, events: ['case.opened', 'compensation.*'], description: 'ops', active: true });

      const rotated = await api('POST', `/api/v1/webhooks/endpoints/${e.id}/rotate-secret`);
      expect(rotated.statusCode, rotated.body).toBe(200);
      const newSecret = rotated.json().secret as string;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(secrets.get(e.id));
      const oldSecret = secrets.get(e.id)!;
      secrets.set(e.id, newSecret);
      await complaint('The lamp arrived with a scratch on the base.');
      await drain();
      expect(rx.requests).toHaveLength(1);
      const r = rx.requests[0]!;
      checkSigned(r, e.id);
      expect(verifyWebhookSignature(oldSecret, r.headers['amends-signature'] as string, r.body, { now: clock.now() }).ok).toBe(false);

      const del = await api('DELETE', `/api/v1/webhooks/endpoints/${e.id}`);
      expect(del.statusCode, del.body).toBe(200);
      expect((await api('GET', `/api/v1/webhooks/endpoints/${e.id}`)).statusCode).toBe(404);
      expect((await api('DELETE', `/api/v1/webhooks/endpoints/${e.id}`)).statusCode).toBe(404);
      // Its delivery log stays readable; a replay has nowhere to go.
      const [kept] = (await api('GET', `/api/v1/outbox?kind=webhook&limit=500`))
        .json()
        .deliveries.filter((d: DeliveryJson) => d.endpointId === e.id) as DeliveryJson[];
      expect((await deliveryDetail(kept!.id)).status).toBe('sent');
      const replay = await api('POST', `/api/v1/webhooks/deliveries/${kept!.id}/replay`);
      expect(replay.statusCode).toBe(409);
      expect(replay.json().error.code).toBe('endpoint_deleted');
      await complaint('The lamp arrived with a scratch on the shade.');
      await drain();
      expect(rx.requests).toHaveLength(1);
    });

    it('refuses bad endpoints with a 400 naming the field, writing nothing', async () => {
      const before = (await api('GET', '/api/v1/webhooks/endpoints')).json().endpoints.length as number;
      const bad = async (payload: object, path: string, message: RegExp) => {
        const res = await api('POST', '/api/v1/webhooks/endpoints', payload);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.path).toBe(path);
        expect(res.json().error.message).toMatch(message);
      };
      await bad({ url: 'http://hooks.example.com/in', events: ['*'] }, 'url', /https/);
      await bad({ url: 'https://user:pw@hooks.example.com/in', events: ['*'] }, 'url', /credentials/);
      await bad({ url: 'not a url', events: ['*'] }, 'url', /absolute URL/);
      await bad({ url: 'https://hooks.example.com/in', events: ['case.opened', 'case.deleted'] }, 'events[1]', /unknown event/);
      await bad({ url: 'https://hooks.example.com/in', events: ['cases.*'] }, 'events[0]', /unknown event/);
      await bad({ url: 'https://hooks.example.com/in', events: [] }, 'events', /at least one/);
      await bad({ url: 'https://hooks.example.com/in' }, 'events', /.+/);
      await bad({ url: 'https://hooks.example.com/in', events: ['*'], secret: 'mine' }, 'body', /Unrecognized key: "secret"/);
      const anyEndpoint = (await api('GET', '/api/v1/webhooks/endpoints')).json().endpoints[0] as EndpointJson;
      const patch = await api('PATCH', `/api/v1/webhooks/endpoints/${anyEndpoint.id}`, { url: 'http://example.com/x' });
      expect(patch.statusCode).toBe(400);
      expect(patch.json().error.path).toBe('url');
      expect((await api('GET', `/api/v1/webhooks/endpoints/${anyEndpoint.id}`)).json().url).toBe(anyEndpoint.url);
      expect((await api('GET', '/api/v1/webhooks/endpoints')).json().endpoints).toHaveLength(before);
    });

    it('Slack: a 429 is retried, a 404 fails the alert at once; no Slack settings, no alerts', async () => {
      const start = slack.requests.length;
      slack.answer = (n) => (n === start + 1 ? { status: 429, body: 'rate_limited' } : { status: 404, body: 'no_service' });
      await complaint('The heater sparked and gave me an electric shock.');
      await drain();
      const [first] = (await api('GET', '/api/v1/outbox?kind=alert&limit=1')).json().deliveries as DeliveryJson[];
      expect(first).toMatchObject({ eventType: 'case.escalated', status: 'queued', attempts: 1, lastStatusCode: 429 });
      clock.advance(30_000);
      await drain();
      const after = (await api('GET', `/api/v1/outbox/${first!.id}`)).json() as DeliveryJson;
      expect(after).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 404, lastError: 'answered 404 no_service' });
      expect(slack.requests).toHaveLength(start + 2);

      const cleared = await api('PUT', '/api/v1/store/channels', {});
      expect(cleared.statusCode, cleared.body).toBe(200);
      await complaint('The toaster caught fire in my kitchen.');
      await drain();
      expect(slack.requests).toHaveLength(start + 2);
      const latest = (await api('GET', '/api/v1/outbox?kind=alert&limit=1')).json().deliveries[0] as DeliveryJson;
      expect(latest.id).toBe(first!.id);
    });
  });
}
