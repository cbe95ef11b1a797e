import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { type ComposeInput, composeEmail, textToHtml } from './compose-email.ts';

const base: ComposeInput = {
  messageId: 'msg_0195aa',
  replyDomain: 'acme-reply.test',
  from: 'help@acme.test',
  fromName: 'Acme "Goods"',
  to: 'customer@example.test',
  toName: 'Cleo Customer',
  subject: 'About your order [#42]',
  body: 'Hi Cleo,\n\nSorry about <this> & that.\nWe are on it.\n\nAda',
  locale: 'en',
  replyToken: '42-abcdefghijkl',
  threadIds: ['first@example.test', 'msg_0195a0@acme-reply.test', 'latest@example.test'],
  template: 'en/ack',
  automatic: true,
  date: new Date('2026-03-02T10:00:00Z'),
};

/** The message as nodemailer writes it, read back by a real parser. */
async function render(i: ComposeInput) {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'crlf' });
  const info = await transport.sendMail(composeEmail(i));
  const raw = info.message as Buffer;
  return { raw: raw.toString('utf8'), parsed: await simpleParser(raw) };
}

describe('composeEmail', () => {
  it('threads, addresses and tags the message', async () => {
    const { raw, parsed } = await render(base);
    expect(parsed.messageId).toBe('<msg_0195aa@acme-reply.test>');
    expect(parsed.inReplyTo).toBe('<latest@example.test>');
    expect(parsed.references).toEqual(['<first@example.test>', '<msg_0195a0@acme-reply.test>', '<latest@example.test>']);
    expect(parsed.replyTo?.value[0]?.address).toBe('reply+42-abcdefghijkl@acme-reply.test');
    expect(parsed.from?.value[0]).toEqual({ address: 'help@acme.test', name: 'Acme "Goods"' });
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0] : null).toEqual({
      address: 'customer@example.test',
      name: 'Cleo Customer',
    });
    expect(parsed.subject).toBe('About your order [#42]');
    expect(parsed.date?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(parsed.text?.trim()).toBe(base.body);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(raw).not.toMatch(/^List-Unsubscribe:/im);
  });

  it('sends the HTML twin with the same words, escaped, paragraphs kept', async () => {
    const { parsed } = await render(base);
    const html = String(parsed.html);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<p style="margin:0 0 16px">Sorry about &lt;this&gt; &amp; that.<br>\nWe are on it.</p>');
    expect(html).toContain('<title>About your order [#42]</title>');
    expect(html).not.toContain('<this>');
  });

  it('puts List-Unsubscribe on surveys only', async () => {
    const { parsed } = await render({ ...base, template: 'en/survey-csat' });
    const line = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r?\n\s+/g, ' ');
    expect(line).toBe('List-Unsubscribe: <mailto:unsubscribe+42-abcdefghijkl@acme-reply.test?subject=unsubscribe>');
  });

  it('starts a thread without In-Reply-To, and a person’s reply is not marked automatic', async () => {
    const { raw, parsed } = await render({ ...base, threadIds: [], automatic: false, toName: null });
    expect(parsed.inReplyTo).toBeUndefined();
    expect(parsed.references).toBeUndefined();
    expect(raw).not.toMatch(/^Auto-Submitted:/im);
  });
});

describe('textToHtml', () => {
  it('makes paragraphs and line breaks, and falls back to English for an odd language tag', () => {
    const html = textToHtml('one\ntwo\n\n\nthree', { title: 'T"', lang: 'x"><script>' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<p style="margin:0 0 16px">one<br>\ntwo</p>\n<p style="margin:0 0 16px">three</p>');
    expect(html).toContain('<title>T&quot;</title>');
  });
});
