/**
 * The outbox: replies are queued in the decision's transaction and delivered
 * once by the sender, whichever process runs it; deliveries are visible and
 * retryable through the API; channel settings keep their secrets. Both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxSender } from '../../src/channels/outbox.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp } from '../helper.ts';

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] outbox`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });

    const post = (events: unknown[]) =>
      t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.admin), payload: { events } });
    const outboxRows = (caseId: string) =>
      t.database.db
        .selectFrom('outbox')
        .selectAll()
        .where('store_id', '=', 'acme')
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute();
    const caseOf = async (complaintId: string) =>
      (
        await t.database.db
          .selectFrom('cases')
          .select('id')
          .where('store_id', '=', 'acme')
          .where('complaint_id', '=', complaintId)
          .executeTakeFirstOrThrow()
      ).id;
    const drain = async (sender = t.ctx.outbox) => {
      let n = 0;
      for (let i = 0; i < 20; i++) {
        const ran = await sender.runDue();
        n += ran;
        if (ran === 0) break;
      }
      return n;
    };

    it('queues the acknowledgement with its case and delivers a chat reply once', async () => {
      const at = clock.now().toISOString();
      const res = await post([
        ev(
          'k1',
          'complaint.received',
          { complaintId: 'k1', email: 'ann@example.com', channel: 'chat', body: 'My parcel arrived broken.' },
          at,
        ),
      ]);
      expect(res.statusCode).toBe(201);
      const caseId = await caseOf('k1');
      const [row] = await outboxRows(caseId);
      expect(row).toMatchObject({ kind: 'message', channel: 'chat', status: 'queued', attempts: 0 });
      const msg = await t.database.db.selectFrom('case_messages').selectAll().where('id', '=', row!.message_id!).executeTakeFirstOrThrow();
      expect(msg).toMatchObject({ kind: 'reply', status: 'queued', channel: 'chat' });

      expect(await drain()).toBeGreaterThanOrEqual(1);
      const after = await outboxRows(caseId);
      expect(after[0]).toMatchObject({ status: 'sent', attempts: 1, provider_ref: 'in-app' });
      const sent = await t.database.db.selectFrom('case_messages').selectAll().where('id', '=', row!.message_id!).executeTakeFirstOrThrow();
      expect(sent.status).toBe('sent');
      expect(sent.delivered_at).toBe(clock.now().toISOString());
      // Nothing is due any more: running again sends nothing twice.
      expect(await drain()).toBe(0);
      const attempts = await t.database.db.selectFrom('outbox_attempts').selectAll().where('outbox_id', '=', row!.id).execute();
      expect(attempts).toHaveLength(1);
    });

    it('skips a reply written for history instead of sending it days late', async () => {
      const old = new Date(clock.now().getTime() - 3 * 86_400_000).toISOString();
      await post([
        ev('k-old', 'complaint.received', { complaintId: 'k-old', email: 'old@example.com', channel: 'chat', body: 'Late again.' }, old),
      ]);
      const caseId = await caseOf('k-old');
      await drain();
      const [row] = await outboxRows(caseId);
      expect(row!.status).toBe('skipped');
      expect(row!.last_error).toMatch(/history/);
      const msg = await t.database.db
        .selectFrom('case_messages')
        .select(['status', 'status_detail'])
        .where('id', '=', row!.message_id!)
        .executeTakeFirstOrThrow();
      expect(msg.status).toBe('skipped');
      expect(msg.status_detail).toMatch(/history/);
    });

    it('takes over a delivery whose sender died mid-send, and two senders never deliver one row twice', async () => {
      const at = clock.now().toISOString();
      const events = Array.from({ length: 12 }, (_, i) =>
        ev(
          `race-${i}`,
          'complaint.received',
          { complaintId: `race-${i}`, email: `r${i}@example.com`, channel: 'chat', body: 'Where is my order?' },
          at,
        ),
      );
      expect((await post(events)).statusCode).toBe(201);
      const ids = await Promise.all(events.map((e) => caseOf(e.id)));
      // A sender that crashed after claiming: its lease ran out a minute ago.
      const [crashed] = await outboxRows(ids[0]!);
      await t.database.db
        .updateTable('outbox')
        .set({ status: 'sending', attempts: 1, lease_until: new Date(clock.now().getTime() - 60_000).toISOString() })
        .where('store_id', '=', 'acme')
        .where('id', '=', crashed!.id)
        .execute();
      const second = new OutboxSender(t.database, clock);
      const [a, b] = await Promise.all([drain(t.ctx.outbox), drain(second)]);
      expect(a + b).toBe(12);
      for (const caseId of ids) {
        const [row] = await outboxRows(caseId);
        expect(row!.status).toBe('sent');
        const attempts = await t.database.db.selectFrom('outbox_attempts').select('attempt').where('outbox_id', '=', row!.id).execute();
        // One recorded attempt per claim: the crashed one had claimed attempt 1 and never recorded it.
        expect(attempts.map((x) => Number(x.attempt))).toEqual(row!.id === crashed!.id ? [2] : [1]);
      }
    });

    it('lists deliveries with their attempts, and puts a skipped one back in the queue', async () => {
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/outbox?status=skipped', headers: auth(t.tokens.manager) });
      expect(list.statusCode).toBe(200);
      const skipped = list.json().deliveries as { id: string; status: string; lastError: string }[];
      expect(skipped.length).toBeGreaterThanOrEqual(1);
      expect(skipped.every((d) => d.status === 'skipped')).toBe(true);
      const one = await t.app.inject({ method: 'GET', url: `/api/v1/outbox/${skipped[0]!.id}`, headers: auth(t.tokens.manager) });
      expect(one.statusCode).toBe(200);
      expect(one.json().attempts_log).toHaveLength(1);
      expect(one.json().attempts_log[0]).toMatchObject({ attempt: 1, ok: true });

      expect((await t.app.inject({ method: 'GET', url: '/api/v1/outbox', headers: auth(t.tokens.agent) })).statusCode).toBe(403);
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/v1/outbox/${skipped[0]!.id}`, headers: auth(t.other.token) })).statusCode,
      ).toBe(404);
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/outbox/${skipped[0]!.id}/retry`, headers: auth(t.other.token) })).statusCode,
      ).toBe(404);

      const retry = await t.app.inject({ method: 'POST', url: `/api/v1/outbox/${skipped[0]!.id}/retry`, headers: auth(t.tokens.admin) });
      expect(retry.statusCode).toBe(200);
      const row = await t.database.db.selectFrom('outbox').selectAll().where('id', '=', skipped[0]!.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('queued');
      const sent = (
        await t.app.inject({ method: 'GET', url: '/api/v1/outbox?status=sent&limit=1', headers: auth(t.tokens.manager) })
      ).json().deliveries[0] as { id: string };
      const again = await t.app.inject({ method: 'POST', url: `/api/v1/outbox/${sent.id}/retry`, headers: auth(t.tokens.admin) });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.path).toBe('id');
    });

    it('stores channel settings, masks their secrets, and keeps a secret that is sent back masked', async () => {
      const put = (body: unknown, token = t.tokens.admin) =>
        t.app.inject({ method: 'PUT', url: '/api/v1/store/channels', headers: auth(token), payload: body as object });
      const settings = {
        email: {
          from: 'help@acme.test',
          replyDomain: 'reply.acme.test',
          smtp: { host: 'smtp.acme.test', port: 587, user: 'mailer', pass: 's3cret-password' },
        },
        slack: { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' },
      };
      const saved = await put(settings);
      expect(saved.statusCode).toBe(200);
      expect(JSON.stringify(saved.json())).not.toContain('s3cret-password');
      expect(JSON.stringify(saved.json())).not.toContain('XXXX');
      const read = await t.app.inject({ method: 'GET', url: '/api/v1/store/channels', headers: auth(t.tokens.admin) });
      expect(read.json().channels.email.smtp.pass).toBe('********');
      expect(read.json().shopify).toEqual({ domain: null, connected: false });

      // The console sends back what it read: the stored secrets stay.
      expect((await put(read.json().channels)).statusCode).toBe(200);
      const row = await t.database.db.selectFrom('stores').select('channels').where('id', '=', 'acme').executeTakeFirstOrThrow();
      const stored = JSON.parse(row.channels);
      expect(stored.email.smtp.pass).toBe('s3cret-password');
      expect(stored.slack.webhookUrl).toBe('https://hooks.slack.com/services/T000/B000/XXXX');

      const bad = await put({ email: { ...settings.email, from: 'not an address' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.path).toBe('email.from');
      const unknown = await put({ fax: {} });
      expect(unknown.statusCode).toBe(400);
      expect((await put(settings, t.tokens.manager)).statusCode).toBe(403);
      // Nothing half-written: the good settings are still there.
      const still = JSON.parse(
        (await t.database.db.selectFrom('stores').select('channels').where('id', '=', 'acme').executeTakeFirstOrThrow()).channels,
      );
      expect(still.email.from).toBe('help@acme.test');
      await put({});
    });
    it('refuses an inbound address or reply domain that another store already receives at (409), writing nothing', async () => {
      const put = (token: string, body: unknown) =>
        t.app.inject({ method: 'PUT', url: '/api/v1/store/channels', headers: auth(token), payload: body as object });
      const acme = { email: { from: 'help@acme.test', replyDomain: 'reply.acme.test', inboundAddresses: ['help@acme.test'] } };
      expect((await put(t.tokens.admin, acme)).statusCode).toBe(200);
      const sameAddress = await put(t.other.token, {
        email: { from: 'hi@other.test', replyDomain: 'reply.other.test', inboundAddresses: ['sales@other.test', 'HELP@acme.test'] },
      });
      expect(sameAddress.statusCode).toBe(409);
      expect(sameAddress.json().error.path).toBe('email.inboundAddresses.1');
      const sameDomain = await put(t.other.token, { email: { from: 'hi@other.test', replyDomain: 'Reply.Acme.test' } });
      expect(sameDomain.statusCode).toBe(409);
      expect(sameDomain.json().error.path).toBe('email.replyDomain');
      const other = await t.database.db.selectFrom('stores').select('channels').where('id', '=', 'other').executeTakeFirstOrThrow();
      expect(JSON.parse(other.channels)).toEqual({});
      // Its own addresses are fine, and acme may save its own again.
      expect(
        (
          await put(t.other.token, {
            email: { from: 'hi@other.test', replyDomain: 'reply.other.test', inboundAddresses: ['sales@other.test'] },
          })
        ).statusCode,
      ).toBe(200);
      expect((await put(t.tokens.admin, acme)).statusCode).toBe(200);
      await put(t.other.token, {});
      await put(t.tokens.admin, {});
    });
  });
}
