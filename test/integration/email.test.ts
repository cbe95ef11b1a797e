/**
 * E-mail in and out with real mail: nodemailer sends to Amends' own SMTP
 * receiver (and to POST /api/v1/inbound/email), and Amends' replies are
 * caught by a test SMTP server on 127.0.0.1, on both engines.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpReceiver, startSmtpReceiver } from '../../src/channels/email/smtp-receiver.ts';
import { queueCaseMessage } from '../../src/channels/outbox.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { auth, buildTestApp, engineAvailable, engines, type TestApp } from '../helper.ts';
import { type Captured, captureServer } from '../support/smtp-capture.ts';

/** A message as nodemailer writes it (without sending), for raw deliveries. */
async function rawMessage(opts: SendMailOptions): Promise<Buffer> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'crlf' }).sendMail(opts);
  return info.message as Buffer;
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] e-mail in and out`, () => {
    let t: TestApp;
    let receiver: SmtpReceiver;
    let capture: Awaited<ReturnType<typeof captureServer>>;
    let client: Transporter;
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    const customer = { name: 'Cleo Customer', address: 'customer@example.test' };

    const db = () => t.database.db;
    const tick = () => clock.advance(60_000);
    /** Delivers everything due now. */
    const runOutbox = async () => {
      for (let i = 0; i < 20 && (await t.ctx.outbox.runDue()) > 0; i++);
    };
    const count = async (table: 'cases' | 'outbox' | 'case_messages' | 'inbound_emails') =>
      Number(
        (
          await db()
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('store_id', '=', 'acme')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const received = (messageId: string) =>
      db().selectFrom('inbound_emails').selectAll().where('store_id', '=', 'acme').where('message_id', '=', messageId).execute();
    const getCase = async (id: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: auth(t.tokens.agent) });
      expect(res.statusCode).toBe(200);
      return res.json() as {
        number: number;
        status: string;
        channel: string;
        kind: string;
        severity: number;
        messages: { id: string; kind: string; body: string; status: string | null }[];
      };
    };
    const parse = (c: Captured) => simpleParser(c.raw);

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      capture = await captureServer();
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/store/channels',
        headers: auth(t.tokens.admin),
        payload: {
          email: {
            from: 'help@acme.test',
            replyDomain: 'acme-reply.test',
            inboundAddresses: ['help@acme.test'],
            smtp: { host: '127.0.0.1', port: capture.port, secure: false },
          },
        },
      });
      expect(res.statusCode).toBe(200);
      receiver = await startSmtpReceiver(t.ctx, { port: 0, host: '127.0.0.1' });
      client = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
    });
    afterAll(async () => {
      client?.close();
      await receiver?.close();
      await capture?.close();
      await t?.close();
    });

    let caseId: string;
    let ack: ParsedMail;

    it('opens a triaged case from a new complaint and mails the acknowledgement back, threaded', async () => {
      const sent = await client.sendMail({
        from: customer,
        to: 'help@acme.test',
        subject: 'My vase arrived smashed',
        messageId: '<cleo-1@mail.example.test>',
        text: 'Hello, my order arrived today and the vase inside was smashed into pieces, the box was crushed. I am really disappointed.',
      });
      expect(sent.accepted).toEqual(['help@acme.test']);
      const [rec] = await received('cleo-1@mail.example.test');
      expect(rec?.outcome).toBe('case_opened');
      caseId = rec!.case_id!;
      const c = await getCase(caseId);
      expect(c.channel).toBe('email');
      expect(c.kind).toBe('damaged_item');
      expect(c.severity).toBeGreaterThanOrEqual(2);
      expect(c.status).toBe('acknowledged');
      expect(c.messages.filter((m) => m.kind === 'inbound')).toHaveLength(1);
      const queued = c.messages.find((m) => m.kind === 'reply');
      expect(queued?.status).toBe('queued');

      await runOutbox();
      expect(capture.mails).toHaveLength(1);
      const mail = capture.mails[0]!;
      expect(mail.rcptTo).toEqual(['customer@example.test']);
      expect(mail.mailFrom).toBe('help@acme.test');
      ack = await parse(mail);
      expect(ack.to && !Array.isArray(ack.to) ? ack.to.value[0]?.address : null).toBe('customer@example.test');
      expect(ack.from?.value[0]).toEqual({ address: 'help@acme.test', name: 'Acme Goods' });
      expect(ack.replyTo?.value[0]?.address).toMatch(new RegExp(`^reply\\+${c.number}-[a-z2-7]{12}@acme-reply\\.test$`));
      expect(ack.messageId).toBe(`<${queued!.id}@acme-reply.test>`);
      expect(ack.inReplyTo).toBe('<cleo-1@mail.example.test>');
      expect(ack.subject).toContain(`[#${c.number}]`);
      expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
      expect(String(ack.html)).toContain('<html lang="en">');

      const row = await db()
        .selectFrom('case_messages')
        .select(['status', 'email_message_id', 'delivered_at'])
        .where('store_id', '=', 'acme')
        .where('id', '=', queued!.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'sent', email_message_id: `${queued!.id}@acme-reply.test`, delivered_at: clock.now().toISOString() });
      const out = await db()
        .selectFrom('outbox')
        .selectAll()
        .where('store_id', '=', 'acme')
        .where('id', '=', queued!.id)
        .executeTakeFirstOrThrow();
      expect(out.status).toBe('sent');
      expect(out.provider_ref).toBe(`${queued!.id}@acme-reply.test`);
    });

    it("threads the customer's reply into the same case, without the quoted conversation", async () => {
      tick();
      const cases = await count('cases');
      const replyTo = ack.replyTo!.value[0]!.address!;
      await client.sendMail({
        from: customer,
        to: replyTo,
        subject: `Re: ${ack.subject}`,
        messageId: '<cleo-2@mail.example.test>',
        inReplyTo: ack.messageId!,
        references: ['<cleo-1@mail.example.test>', ack.messageId!],
        text: [
          'A replacement would be great, thank you.',
          '',
          `On Mon, 2 Mar 2026 at 10:00, Acme Goods <help@acme.test> wrote:`,
          '> Hello,',
          `> ${ack.text?.split('\n')[2] ?? 'quoted'}`,
        ].join('\n'),
      });
      expect(await count('cases')).toBe(cases);
      const [rec] = await received('cleo-2@mail.example.test');
      expect(rec).toMatchObject({ outcome: 'threaded', case_id: caseId, reason: 'threaded by reply token' });
      const c = await getCase(caseId);
      const inbound = c.messages.filter((m) => m.kind === 'inbound');
      expect(inbound.map((m) => m.body)).toEqual([
        'Hello, my order arrived today and the vase inside was smashed into pieces, the box was crushed. I am really disappointed.',
        'A replacement would be great, thank you.',
      ]);
      expect(inbound[1]!.id).toBe(rec!.case_message_id);
    });

    it('threads by In-Reply-To, and by the same customer and subject, when there is no reply token', async () => {
      tick();
      const cases = await count('cases');
      await client.sendMail({
        from: customer,
        to: 'help@acme.test',
        subject: 'One more thing',
        messageId: '<cleo-3@mail.example.test>',
        inReplyTo: ack.messageId!,
        text: 'The order number is on the box, if you need it.',
      });
      await client.sendMail({
        from: customer,
        to: 'help@acme.test',
        subject: 'Fwd: RE: my vase arrived SMASHED',
        messageId: '<cleo-4@mail.example.test>',
        text: 'Any news?',
      });
      expect(await count('cases')).toBe(cases);
      expect((await received('cleo-3@mail.example.test'))[0]).toMatchObject({
        outcome: 'threaded',
        case_id: caseId,
        reason: 'threaded by In-Reply-To/References',
      });
      expect((await received('cleo-4@mail.example.test'))[0]).toMatchObject({
        outcome: 'threaded',
        case_id: caseId,
        reason: 'threaded by same customer and subject',
      });
    });

    it('opens nothing and answers nothing for an auto-reply, a bounce or our own mail coming back', async () => {
      tick();
      const before = { cases: await count('cases'), outbox: await count('outbox'), messages: await count('case_messages') };
      await client.sendMail({
        from: customer,
        to: 'help@acme.test',
        subject: 'Out of office',
        messageId: '<ooo-1@mail.example.test>',
        headers: { 'Auto-Submitted': 'auto-replied' },
        text: 'I am away until Monday. My order is broken, by the way.',
      });
      // An auto-reply to the case's own address adds nothing to the case either.
      await client.sendMail({
        from: customer,
        to: ack.replyTo!.value[0]!.address!,
        subject: `Automatic reply: ${ack.subject}`,
        messageId: '<ooo-2@mail.example.test>',
        headers: { 'Auto-Submitted': 'auto-replied' },
        text: 'I am away until Monday.',
      });
      const bounce = [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>',
        'To: help@acme.test',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.example.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered: the mailbox is full.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.test',
        '',
        'Final-Recipient: rfc822; customer@example.test',
        'Action: failed',
        'Status: 5.2.2',
        '--b1--',
        '',
      ].join('\r\n');
      await client.sendMail({ envelope: { from: '', to: ['help@acme.test'] }, raw: bounce });
      // The acknowledgement itself, looped back to the store's inbound address.
      await client.sendMail({ envelope: { from: 'help@acme.test', to: ['help@acme.test'] }, raw: capture.mails[0]!.raw });

      expect(await count('cases')).toBe(before.cases);
      expect(await count('outbox')).toBe(before.outbox);
      expect(await count('case_messages')).toBe(before.messages);
      expect((await received('ooo-1@mail.example.test'))[0]).toMatchObject({ outcome: 'ignored', case_id: null });
      expect((await received('ooo-1@mail.example.test'))[0]!.reason).toContain('Auto-Submitted');
      expect((await received('ooo-2@mail.example.test'))[0]?.outcome).toBe('ignored');
      expect((await received('bounce-1@mx.example.test'))[0]?.reason).toContain('bounce');
      expect((await received(ack.messageId!.slice(1, -1)))[0]?.outcome).toBe('ignored');
    });

    it('refuses recipients no store receives at, at RCPT TO', async () => {
      for (const to of ['nobody@acme.test', 'reply+1-aaaaaaaaaaaa@acme-reply.test']) {
        const err = await client.sendMail({ from: customer, to, subject: 'hi', text: 'hello' }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
      }
    });

    it('has one effect for a message delivered twice, and two for different messages sharing a Message-ID', async () => {
      tick();
      const cases = await count('cases');
      const first = await rawMessage({
        from: { name: 'Dan', address: 'dan@example.test' },
        to: 'help@acme.test',
        subject: 'Parcel never arrived',
        messageId: '<shared-id@mail.example.test>',
        date: new Date('2026-03-02T09:00:00Z'),
        text: 'My parcel never arrived and tracking has not moved in a week.',
      });
      await client.sendMail({ envelope: { from: 'dan@example.test', to: ['help@acme.test'] }, raw: first });
      await client.sendMail({ envelope: { from: 'dan@example.test', to: ['help@acme.test'] }, raw: first });
      expect(await count('cases')).toBe(cases + 1);
      expect(await received('shared-id@mail.example.test')).toHaveLength(1);
      // The same bytes over HTTP are a duplicate too.
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/email',
        headers: { ...auth(t.tokens.admin), 'content-type': 'message/rfc822' },
        payload: first,
      });
      expect(again.json()).toMatchObject({ outcome: 'duplicate' });

      const other = await rawMessage({
        from: { name: 'Eve', address: 'eve@example.test' },
        to: 'help@acme.test',
        subject: 'Charged twice',
        messageId: '<shared-id@mail.example.test>',
        text: 'I was charged twice for my order, please refund one of the payments.',
      });
      await client.sendMail({ envelope: { from: 'eve@example.test', to: ['help@acme.test'] }, raw: other });
      expect(await count('cases')).toBe(cases + 2);
      const rows = await received('shared-id@mail.example.test');
      expect(rows.map((r) => r.outcome)).toEqual(['case_opened', 'case_opened']);
      expect(new Set(rows.map((r) => r.case_id)).size).toBe(2);
    });

    it('takes raw mail over HTTP, keeps accepted attachments and names the refused ones', async () => {
      tick();
      const raw = await rawMessage({
        from: 'fay@example.test',
        to: 'help@acme.test',
        subject: 'Wrong item in my box',
        messageId: '<fay-1@mail.example.test>',
        text: 'I ordered a blue lamp and received a red kettle. Photo and receipt attached.',
        attachments: [
          { filename: 'photo.png', content: PNG, contentType: 'image/png' },
          { filename: 'receipt.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), contentType: 'application/pdf' },
          { filename: 'tool.exe', content: Buffer.from('MZ...'), contentType: 'application/x-msdownload' },
          { filename: 'huge.jpg', content: Buffer.alloc(10 * 1024 * 1024 + 1, 1), contentType: 'image/jpeg' },
        ],
      });
      const post = (payload: Buffer | string, token = t.tokens.admin, type = 'message/rfc822') =>
        t.app.inject({ method: 'POST', url: '/api/v1/inbound/email', headers: { ...auth(token), 'content-type': type }, payload });

      expect((await post(raw, t.tokens.agent)).statusCode).toBe(403);
      const res = await post(raw);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { outcome: string; caseId: string; messageId: string; reason: string };
      expect(body.outcome).toBe('case_opened');
      expect(body.reason).toContain('tool.exe (type application/x-msdownload is not accepted)');
      expect(body.reason).toContain('huge.jpg (larger than 10 MB)');
      expect((await getCase(body.caseId)).kind).toBe('wrong_item');

      const list = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${body.caseId}/attachments`, headers: auth(t.tokens.agent) });
      expect(list.statusCode).toBe(200);
      const attachments = list.json().attachments as {
        id: string;
        filename: string;
        contentType: string;
        size: number;
        messageId: string;
      }[];
      expect(attachments.map((a) => [a.filename, a.contentType, a.size, a.messageId])).toEqual([
        ['photo.png', 'image/png', PNG.length, body.messageId],
        ['receipt.pdf', 'application/pdf', 15, body.messageId],
      ]);
      const file = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachments[0]!.id}`, headers: auth(t.tokens.agent) });
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.equals(PNG)).toBe(true);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.headers['content-disposition']).toBe(`attachment; filename="photo.png"; filename*=UTF-8''photo.png`);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      // Another store's token sees neither the case's files nor the file.
      const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachments[0]!.id}`, headers: auth(t.other.token) });
      expect(foreign.statusCode).toBe(404);

      for (const bad of ['hello, this is not an e-mail', '']) {
        const r = await post(bad);
        expect(r.statusCode).toBe(400);
        expect(r.json().error.path).toBe('body');
      }
      expect((await post(raw, t.tokens.admin, 'application/octet-stream')).statusCode).toBe(415);
      const tooBig = await post(
        Buffer.concat([Buffer.from('From: g@example.test\r\nSubject: big\r\n\r\n'), Buffer.alloc(26 * 1024 * 1024, 97)]),
      );
      expect(tooBig.statusCode).toBe(200);
      expect(tooBig.json()).toMatchObject({ outcome: 'rejected', caseId: null });
    });

    it('marks survey mail with List-Unsubscribe', async () => {
      tick();
      await runOutbox();
      const id = await queueCaseMessage(db(), clock, {
        storeId: 'acme',
        caseId,
        authorType: 'system',
        authorId: null,
        body: 'How did we do? Answer with a number from 1 to 5.',
        subject: 'How did we do?',
        template: 'en/survey-csat',
        channel: 'email',
        at: clock.now().toISOString(),
      });
      const before = capture.mails.length;
      await runOutbox();
      expect(capture.mails).toHaveLength(before + 1);
      const mail = await parse(capture.mails.at(-1)!);
      expect(mail.messageId).toBe(`<${id}@acme-reply.test>`);
      const line = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r?\n\s+/g, ' ');
      expect(line).toMatch(/^List-Unsubscribe: <mailto:unsubscribe\+\d+-[a-z2-7]{12}@acme-reply\.test\?subject=unsubscribe>$/);
      // The thread continues from the newest mail on the case, inbound or outbound.
      expect(mail.inReplyTo).toBe('<cleo-4@mail.example.test>');
      expect(mail.references).toContain(ack.messageId);
    });

    it('fails a message the mail server refuses (5xx) and retries one it defers (4xx)', async () => {
      tick();
      const reply = async (body: string) => {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/cases/${caseId}/messages`,
          headers: auth(t.tokens.agent),
          payload: { kind: 'reply', body },
        });
        expect(res.statusCode).toBe(201);
        return res.json().id as string;
      };
      const outbox = (id: string) =>
        db().selectFrom('outbox').selectAll().where('store_id', '=', 'acme').where('id', '=', id).executeTakeFirstOrThrow();
      const message = (id: string) =>
        db()
          .selectFrom('case_messages')
          .select(['status', 'status_detail'])
          .where('store_id', '=', 'acme')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();

      capture.state.mode = 'reject';
      const refused = await reply('We have sent a replacement today.');
      await runOutbox();
      expect(await outbox(refused)).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 550 });
      expect(await message(refused)).toMatchObject({ status: 'failed' });

      capture.state.mode = 'defer';
      const deferred = await reply('Tracking for the replacement: 1Z999.');
      await runOutbox();
      const row = await outbox(deferred);
      expect(row).toMatchObject({ status: 'queued', attempts: 1, last_status_code: 451 });
      expect(row.next_attempt_at > clock.now().toISOString()).toBe(true);
      expect((await message(deferred)).status).toBe('queued');

      capture.state.mode = 'accept';
      const before = capture.mails.length;
      clock.advance(31_000);
      await runOutbox();
      expect(await outbox(deferred)).toMatchObject({ status: 'sent', attempts: 2 });
      expect(capture.mails).toHaveLength(before + 1);
      expect((await parse(capture.mails.at(-1)!)).text?.trim()).toBe('Tracking for the replacement: 1Z999.');
    });

    it('skips mail for a store without e-mail settings', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth(t.other.token),
        payload: {
          events: [
            {
              id: 'other-c1',
              type: 'complaint.received',
              occurredAt: clock.now().toISOString(),
              data: { complaintId: 'oc1', channel: 'email', email: 'gus@example.test', body: 'My parcel is late.' },
            },
          ],
        },
      });
      expect(res.statusCode).toBe(201);
      await runOutbox();
      const ack = await db()
        .selectFrom('case_messages')
        .select(['status', 'status_detail'])
        .where('store_id', '=', 'other')
        .where('kind', '=', 'reply')
        .executeTakeFirstOrThrow();
      expect(ack).toEqual({ status: 'skipped', status_detail: 'e-mail is not configured for this store' });
    });
  });
}
