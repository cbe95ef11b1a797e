/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that keeps what it is sent, for tests of Amends' outgoing mail:
 * point a store's SMTP settings at `port` and read `mails` (raw RFC 5322; parse with mailparser).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Captured {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** A mail server that keeps what it is sent, or refuses it: `reject` answers 550 at RCPT TO, `defer` 451 after DATA. */
export async function captureServer() {
  const mails: Captured[] = [];
  const state = { mode: 'accept' as 'accept' | 'reject' | 'defer' };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, cb) {
      if (state.mode === 'reject') cb(Object.assign(new Error(`5.1.1 <${address.address}>: no such user`), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.mode === 'defer') {
          cb(Object.assign(new Error('4.3.2 try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    mails,
    state,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until a mail to `to` whose text matches `pattern` has arrived; returns its raw text. */
export async function waitForMail(capture: { mails: Captured[] }, to: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const m of capture.mails) {
      const raw = m.raw.toString('utf8');
      if (m.rcptTo.includes(to) && pattern.test(raw)) return raw;
    }
    if (Date.now() > until)
      throw new Error(`no mail to ${to} matching ${pattern} within ${timeoutMs} ms (${capture.mails.length} mails caught)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
