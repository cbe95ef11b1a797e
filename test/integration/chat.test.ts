/**
 * The chat widget's public API through the real app on both engines: opening
 * conversations (anonymous and signed), follow-ups, the conversation read
 * back, session tokens, CORS, validation, rate limits, and the live stream of
 * replies over a real HTTP connection.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp } from '../helper.ts';

const SHOP = 'https://shop.acme.example';

type Opened = { conversationId: string; caseId: string; token: string; expiresAt: string; identity: string; duplicate: boolean };
type Msg = { id: string; from: string; body: string; at: string; author: string | null };

/** Server-Sent Events read off a real response body, one event at a time. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(timeoutMs = 5000): Promise<{ id?: string; event?: string; data?: string }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
        }
        if (fields.event || fields.data) return fields;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms; buffered: ${JSON.stringify(buffer)}`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left)),
      ]);
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] chat widget API`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-01T12:00:00Z');

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });

    const tick = () => clock.advance(1000);
    const open = (payload: Record<string, unknown>, opts: { store?: string; origin?: string; ip?: string } = {}) => {
      tick();
      return t.app.inject({
        method: 'POST',
        url: `/widget/api/${opts.store ?? 'acme'}/conversations`,
        headers: { origin: opts.origin ?? SHOP },
        payload,
        ...(opts.ip ? { remoteAddress: opts.ip } : {}),
      });
    };
    const sendMsg = (id: string, token: string | null, payload: Record<string, unknown>, store = 'acme') => {
      tick();
      return t.app.inject({
        method: 'POST',
        url: `/widget/api/${store}/conversations/${id}/messages`,
        headers: { origin: SHOP, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload,
      });
    };
    const readConv = (id: string, token: string, store = 'acme') =>
      t.app.inject({ method: 'GET', url: `/widget/api/${store}/conversations/${id}/messages`, headers: auth(token) });
    const getCase = async (id: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: auth(t.tokens.agent) });
      expect(res.statusCode).toBe(200);
      return res.json() as {
        id: string;
        status: string;
        channel: string;
        subject: string;
        messages: { kind: string; body: string; channel: string | null; status: string | null }[];
        timeline: { type: string; data: Record<string, unknown> }[];
      };
    };
    const caseCount = async (store = 'acme') =>
      Number(
        (
          await t.database.db
            .selectFrom('cases')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('store_id', '=', store)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const reply = (caseId: string, body: string, kind: 'reply' | 'note' = 'reply') => {
      tick();
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseId}/messages`,
        headers: auth(t.tokens.agent),
        payload: { kind, body },
      });
    };

    it('serves the widget script to any site', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/widget.js' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toContain('attachShadow');
    });

    it('serves a page to try the widget on for a store, escaping its name, and 404s an unknown store', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/widget/try/acme' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<script src="/widget.js" data-store="acme" async></script>');
      expect(page.body).toContain('Acme Goods');
      expect((await t.app.inject({ method: 'GET', url: '/widget/try/nope' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/widget/try/%3Cscript%3E' })).statusCode).toBe(400);
    });

    it('tells the widget the store’s name and greeting, and 404s an unknown store', async () => {
      const cfg = await t.app.inject({ method: 'GET', url: '/widget/api/acme/config', headers: { origin: SHOP } });
      expect(cfg.statusCode).toBe(200);
      expect(cfg.json()).toEqual({ store: { id: 'acme', name: 'Acme Goods' }, greeting: null, requireIdentity: false });
      expect(cfg.headers['access-control-allow-origin']).toBe(SHOP);
      const missing = await t.app.inject({ method: 'GET', url: '/widget/api/nope/config' });
      expect(missing.statusCode).toBe(404);
    });

    let anon: Opened;
    it('opens a case on the chat channel for an anonymous visitor, marked unverified', async () => {
      const before = await caseCount();
      const res = await open({
        email: 'Visitor@Example.com',
        message: 'Hello, my order 1001 arrived with a broken lid. Can you help me?',
        pageUrl: `${SHOP}/products/teapot`,
        name: 'Vi Sitor',
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['access-control-allow-origin']).toBe(SHOP);
      anon = res.json();
      expect(anon.identity).toBe('unverified');
      expect(anon.duplicate).toBe(false);
      expect(anon.conversationId).toBe(anon.caseId);
      expect(anon.token).toMatch(/^v1\./);
      expect(Date.parse(anon.expiresAt) - clock.now().getTime()).toBeGreaterThan(29 * 86_400_000);
      expect(await caseCount()).toBe(before + 1);

      const c = await getCase(anon.caseId);
      expect(c.channel).toBe('chat');
      const row = await t.database.db.selectFrom('cases').select('complaint_id').where('id', '=', anon.caseId).executeTakeFirstOrThrow();
      expect(row.complaint_id).toMatch(/^chat-/);
      expect(c.subject).toBe('Hello, my order 1001 arrived with a broken…');
      expect(c.messages.filter((m) => m.kind === 'inbound').map((m) => m.body)).toEqual([
        'Hello, my order 1001 arrived with a broken lid. Can you help me?',
      ]);
      // The acknowledgement goes back by chat, not e-mail.
      const ack = c.messages.find((m) => m.kind === 'reply');
      expect(ack?.channel).toBe('chat');
      const started = c.timeline.find((e) => e.type === 'chat.started');
      expect(started?.data).toMatchObject({
        identity: 'unverified',
        email: 'visitor@example.com',
        name: 'Vi Sitor',
        pageUrl: `${SHOP}/products/teapot`,
      });
      const ev = await t.database.db
        .selectFrom('events')
        .select(['source', 'data'])
        .where('store_id', '=', 'acme')
        .where('type', '=', 'complaint.received')
        .execute();
      expect(ev.map((e) => e.source)).toEqual(['chat']);
      // Unproven: the chat has a visitor of its own, and the typed address is only on the timeline.
      const data = JSON.parse(ev[0]!.data);
      expect(data).toMatchObject({ channel: 'chat' });
      expect(data.customerId).toMatch(/^chat-visitor-[0-9a-f]{32}$/);
      expect(data.email).toBeUndefined();
    });

    it('an anonymous visitor typing a customer’s address sees nothing of that customer', async () => {
      const seeded = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth(t.tokens.admin),
        payload: {
          events: [ev('victim', 'customer.upserted', { customerId: 'victim', email: 'victim@example.com', name: 'Victoria Secretname' })],
        },
      });
      expect(seeded.statusCode).toBe(201);
      const res = await open({ email: 'victim@example.com', message: 'Hi, what did I order last time? My parcel is late.' });
      expect(res.statusCode).toBe(201);
      const c = await getCase(res.json().caseId);
      const row = await t.database.db.selectFrom('cases').select('customer_id').where('id', '=', c.id).executeTakeFirstOrThrow();
      expect(row.customer_id).not.toBe('victim');
      const replies = c.messages.filter((m) => m.kind === 'reply');
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.map((m) => m.body).join('\n')).not.toContain('Victoria');
      const history = await t.app.inject({
        method: 'GET',
        url: `/widget/api/acme/conversations/${res.json().caseId}/messages`,
        headers: { authorization: `Bearer ${res.json().token}`, origin: SHOP },
      });
      expect(history.statusCode).toBe(200);
      expect(history.body).not.toContain('Victoria');
    });

    it('a retried opening (same clientMessageId) returns the same conversation; another e-mail may not take it', async () => {
      const body = { email: 'retry@example.com', message: 'Is the blue kettle back in stock?', clientMessageId: 'open-retry-0001' };
      const first = await open(body);
      expect(first.statusCode).toBe(201);
      const before = await caseCount();
      const again = await open(body);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toMatchObject({ conversationId: first.json().conversationId, duplicate: true });
      expect(await caseCount()).toBe(before);
      const stolen = await open({ ...body, email: 'someone-else@example.com' });
      expect(stolen.statusCode).toBe(409);
      expect(stolen.json().error.path).toBe('clientMessageId');
    });

    it('opens a verified conversation with the store’s signature of the e-mail, and refuses a wrong one (401, nothing written)', async () => {
      const keyRes = await t.app.inject({ method: 'GET', url: '/api/v1/store/widget-key', headers: auth(t.tokens.admin) });
      expect(keyRes.statusCode).toBe(200);
      const { key } = keyRes.json() as { key: string };
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/store/widget-key', headers: auth(t.tokens.agent) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/store/widget-key' })).statusCode).toBe(401);

      // As the store's backend would: HMAC-SHA256 of the lower-cased e-mail, hex.
      const customerToken = createHmac('sha256', key).update('jo@example.com').digest('hex');
      const ok = await open({ email: 'Jo@example.com', customerToken, message: 'Where is my parcel? It is a week late.' });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().identity).toBe('verified');
      const c = await getCase(ok.json().caseId);
      expect(c.timeline.find((e) => e.type === 'chat.started')?.data.identity).toBe('verified');

      const before = await caseCount();
      const forged = await open({ email: 'ann@example.com', customerToken, message: 'Refund me everything' });
      expect(forged.statusCode).toBe(401);
      expect(forged.json().error).toMatchObject({ code: 'identity_invalid', path: 'customerToken' });
      const otherKey = createHmac('sha256', 'f'.repeat(64)).update('jo@example.com').digest('hex');
      expect((await open({ email: 'jo@example.com', customerToken: otherKey, message: 'hi' })).statusCode).toBe(401);
      expect(await caseCount()).toBe(before);
    });

    it('a store that requires identity refuses anonymous visitors and only lets its own sites in', async () => {
      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/channels',
        headers: auth(t.other.token),
        payload: { widget: { requireIdentity: true, allowedOrigins: ['https://other.example'], greeting: 'Hola from Other' } },
      });
      expect(put.statusCode).toBe(200);
      const before = await caseCount('other');
      const anonymous = await open({ email: 'x@example.com', message: 'hello' }, { store: 'other', origin: 'https://other.example' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe('identity_required');
      expect(await caseCount('other')).toBe(before);

      const key = (await t.app.inject({ method: 'GET', url: '/api/v1/store/widget-key', headers: auth(t.other.token) })).json().key;
      const customerToken = createHmac('sha256', key).update('x@example.com').digest('hex');
      const elsewhere = await open({ email: 'x@example.com', customerToken, message: 'hello' }, { store: 'other', origin: SHOP });
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
      const home = await open(
        { email: 'x@example.com', customerToken, message: 'hello' },
        { store: 'other', origin: 'https://other.example' },
      );
      expect(home.statusCode).toBe(201);
      expect(home.headers['access-control-allow-origin']).toBe('https://other.example');
      const cfg = await t.app.inject({ method: 'GET', url: '/widget/api/other/config', headers: { origin: 'https://other.example' } });
      expect(cfg.json()).toMatchObject({ greeting: 'Hola from Other', requireIdentity: true });
    });

    it('answers CORS preflights for allowed sites only', async () => {
      const pre = await t.app.inject({
        method: 'OPTIONS',
        url: `/widget/api/acme/conversations/${anon.caseId}/messages`,
        headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(SHOP);
      expect(pre.headers['access-control-allow-methods']).toContain('POST');
      expect(String(pre.headers['access-control-allow-headers'])).toMatch(/content-type.*authorization/);
      const refused = await t.app.inject({
        method: 'OPTIONS',
        url: '/widget/api/other/conversations',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('a follow-up joins the same case (no new case); a retry with the same clientMessageId has no second effect', async () => {
      const before = await caseCount();
      const res = await sendMsg(anon.conversationId, anon.token, {
        message: 'Also the box was soaked.',
        clientMessageId: 'msg-0000000002',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ accepted: true, duplicate: false });
      const again = await sendMsg(anon.conversationId, anon.token, {
        message: 'Also the box was soaked.',
        clientMessageId: 'msg-0000000002',
      });
      expect(again.json()).toEqual({ accepted: false, duplicate: true });
      expect(await caseCount()).toBe(before);
      const c = await getCase(anon.caseId);
      expect(c.messages.filter((m) => m.kind === 'inbound').map((m) => m.body)).toEqual([
        'Hello, my order 1001 arrived with a broken lid. Can you help me?',
        'Also the box was soaked.',
      ]);
      expect(c.timeline.some((e) => e.type === 'customer.replied')).toBe(true);
    });

    it('reads the conversation back: the visitor’s words and chat replies, never internal notes', async () => {
      expect((await reply(anon.caseId, 'Internal: check the courier claim first', 'note')).statusCode).toBe(201);
      expect((await reply(anon.caseId, 'So sorry about the lid! A new teapot ships today.')).statusCode).toBe(201);
      const res = await readConv(anon.conversationId, anon.token);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { conversationId: string; status: string; messages: Msg[] };
      expect(body.conversationId).toBe(anon.conversationId);
      const seen = body.messages.map((m) => [m.from, m.body] as const);
      expect(seen[0]).toEqual(['customer', 'Hello, my order 1001 arrived with a broken lid. Can you help me?']);
      expect(seen[1]?.[0]).toBe('store'); // the acknowledgement
      expect(seen.slice(2)).toEqual([
        ['customer', 'Also the box was soaked.'],
        ['store', 'So sorry about the lid! A new teapot ships today.'],
      ]);
      expect(body.messages.at(-1)?.author).toBe('Ada Agent');
      expect(JSON.stringify(body)).not.toContain('Internal');
    });

    it('a message on a resolved case reopens it', async () => {
      const moved = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${anon.caseId}/status`,
        headers: auth(t.tokens.agent),
        payload: { status: 'resolved' },
      });
      expect(moved.statusCode).toBe(200);
      expect((await sendMsg(anon.conversationId, anon.token, { message: 'The new one is cracked too!' })).statusCode).toBe(201);
      expect((await getCase(anon.caseId)).status).toBe('reopened');
    });

    it('refuses a missing, wrong, expired or other store’s session token with 401', async () => {
      const none = await sendMsg(anon.conversationId, null, { message: 'hi' });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('session_required');
      const wrong = await readConv(anon.conversationId, `${anon.token.slice(0, -2)}xx`);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('session_invalid');
      // A valid token for another conversation of the same store.
      const other = (await open({ email: 'b@example.com', message: 'My card was charged twice' })).json() as Opened;
      expect((await readConv(anon.conversationId, other.token)).statusCode).toBe(401);

      // Another store's conversation token, on this store's paths.
      const key = (await t.app.inject({ method: 'GET', url: '/api/v1/store/widget-key', headers: auth(t.other.token) })).json().key;
      const theirs = (
        await open(
          { email: 'y@example.com', customerToken: createHmac('sha256', key).update('y@example.com').digest('hex'), message: 'hi there' },
          { store: 'other', origin: 'https://other.example' },
        )
      ).json() as Opened;
      expect((await readConv(theirs.conversationId, theirs.token, 'acme')).statusCode).toBe(401);
      expect((await readConv(anon.conversationId, theirs.token, 'acme')).statusCode).toBe(401);
      expect((await sendMsg(theirs.conversationId, theirs.token, { message: 'sneaky' }, 'acme')).statusCode).toBe(401);

      const now = clock.now();
      clock.advance(31 * 86_400_000);
      try {
        const expired = await readConv(anon.conversationId, anon.token);
        expect(expired.statusCode).toBe(401);
        expect(expired.json().error.code).toBe('session_expired');
      } finally {
        clock.set(now);
      }
      expect((await readConv(anon.conversationId, anon.token)).statusCode).toBe(200);
    });

    it('refuses bad bodies with 400 naming the field, writing nothing', async () => {
      const before = await caseCount();
      const ip = '10.9.9.1';
      const cases: [Record<string, unknown>, string][] = [
        [{ email: 'a@example.com' }, 'message'],
        [{ email: 'not-an-email', message: 'hi' }, 'email'],
        [{ message: 'hi' }, 'email'],
        [{ email: 'a@example.com', message: '   ' }, 'message'],
        [{ email: 'a@example.com', message: 'x'.repeat(5001) }, 'message'],
        [{ email: 'a@example.com', message: 'hi', pageUrl: 'javascript:alert(1)' }, 'pageUrl'],
        [{ email: 'a@example.com', message: 'hi', clientMessageId: 'short' }, 'clientMessageId'],
      ];
      for (const [payload, field] of cases) {
        const res = await open(payload, { ip });
        expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
        expect(res.json().error.path).toBe(field);
      }
      const followUp = await sendMsg(anon.conversationId, anon.token, { message: 'y'.repeat(5001) });
      expect(followUp.statusCode).toBe(400);
      expect(followUp.json().error.path).toBe('message');
      expect(await caseCount()).toBe(before);
    });

    it('limits how fast one visitor can open conversations (429), per IP', async () => {
      const ip = '10.7.7.7';
      for (let i = 0; i < 20; i++) {
        // Invalid on purpose: attempts count whether or not they succeed, and these write nothing.
        expect((await open({ email: 'bad' }, { ip })).statusCode).toBe(400);
      }
      const limited = await open({ email: 'c@example.com', message: 'hello?' }, { ip });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await open({ email: 'c@example.com', message: 'hello?' }, { ip: '10.7.7.8' })).statusCode).toBe(201);
    });

    it('streams the agent’s reply to a listening visitor over Server-Sent Events, and resumes after Last-Event-ID', async () => {
      const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      tick();
      const openRes = await fetch(`${base}/widget/api/acme/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SHOP },
        body: JSON.stringify({ email: 'live@example.com', message: 'Is anyone there? My order never shipped.' }),
      });
      expect(openRes.status).toBe(201);
      const conv = (await openRes.json()) as Opened;
      const streamUrl = `${base}/widget/api/acme/conversations/${conv.conversationId}/stream?token=${encodeURIComponent(conv.token)}`;

      const bad = await fetch(`${base}/widget/api/acme/conversations/${conv.conversationId}/stream?token=v1.1.${'A'.repeat(43)}`);
      expect(bad.status).toBe(401);

      const aborter = new AbortController();
      const res = await fetch(streamUrl, { headers: { origin: SHOP }, signal: aborter.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
      const next = sseReader(res);
      // The acknowledgement is the first reply.
      const ack = await next();
      expect(ack.event).toBe('message');
      const ackMsg = JSON.parse(ack.data!) as Msg;
      expect(ackMsg.from).toBe('store');
      expect(ack.id).toBe(ackMsg.id);

      expect((await reply(conv.caseId, 'Internal: warehouse delay', 'note')).statusCode).toBe(201);
      expect((await reply(conv.caseId, 'Hi! It ships today; tracking follows by e-mail.')).statusCode).toBe(201);
      const live = await next();
      expect(live.event).toBe('message');
      expect(JSON.parse(live.data!)).toMatchObject({
        from: 'store',
        body: 'Hi! It ships today; tracking follows by e-mail.',
        author: 'Ada Agent',
      });

      // The in-app driver marks it sent; it is not sent to the stream a second time.
      while ((await t.ctx.outbox.runDue()) > 0);
      await expect(next(1500)).rejects.toThrow(/no event/);
      aborter.abort();

      const resumed = new AbortController();
      const again = await fetch(streamUrl, { headers: { 'last-event-id': ackMsg.id }, signal: resumed.signal });
      const read = sseReader(again);
      const first = await read();
      expect(JSON.parse(first.data!).body).toBe('Hi! It ships today; tracking follows by e-mail.');

      // Shutting down ends open streams rather than waiting for their clients to leave.
      const started = performance.now();
      const closing = t.app.close();
      await expect(read(3000)).rejects.toThrow(/stream ended|terminated/);
      expect(performance.now() - started).toBeLessThan(2000);
      await closing;
    });
  });
}
