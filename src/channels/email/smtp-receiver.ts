/**
 * The built-in SMTP receiver (`amends serve --smtp-port`): an MX-style
 * endpoint for the stores' inbound and reply addresses. Recipients no store
 * receives at are refused at RCPT TO (550), so Amends never accepts mail it
 * would have to bounce later; accepted mail goes to receiveEmail, and an
 * internal failure answers 451 so the sending server tries again (a repeat
 * delivery is recognised as a duplicate). No AUTH: senders are other mail
 * servers. STARTTLS only when a key and certificate are given; put a TLS
 * terminating MTA in front otherwise.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppContext } from '../../platform/http/context.ts';
import { MAX_EMAIL_BYTES, receiveEmail, storesForRecipient } from './inbound-email.ts';

export interface SmtpReceiverLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SmtpReceiverOptions {
  port: number;
  host: string;
  maxBytes?: number;
  /** PEM key and certificate: STARTTLS is offered only with both. */
  key?: string | Buffer;
  cert?: string | Buffer;
  log?: SmtpReceiverLog;
}

export interface SmtpReceiver {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpReceiver(ctx: AppContext, opts: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const maxBytes = opts.maxBytes ?? MAX_EMAIL_BYTES;
  const tls = opts.key !== undefined && opts.cert !== undefined;
  const db = ctx.database.db;

  const onData = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<Error | null> => {
    const chunks: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => {
        size += c.length;
        // Past the limit the rest is read and dropped; smtp-server marks the stream and we refuse it below.
        if (size <= maxBytes) chunks.push(c);
      });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    if (stream.sizeExceeded || size > maxBytes) return smtpError(552, `5.3.4 message larger than ${maxBytes} bytes`);
    const raw = Buffer.concat(chunks);
    const rcptTo = session.envelope.rcptTo.map((a) => a.address);
    const mailFrom = session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address;
    const stores = new Set<string>();
    for (const a of rcptTo) for (const s of await storesForRecipient(db, a)) stores.add(s);
    // The settings changed between RCPT TO and now: refuse rather than accept mail no store will read.
    if (stores.size === 0) return smtpError(550, '5.1.1 no such mailbox here');
    for (const storeId of stores) {
      const r = await receiveEmail(ctx, { storeId, raw, envelope: { mailFrom, rcptTo } });
      if (r.outcome === 'rejected') return smtpError(550, `5.6.0 ${r.reason ?? 'message refused'}`);
    }
    return null;
  };

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: opts.key, cert: opts.cert } : {}),
    size: maxBytes,
    banner: 'Amends mail receiver',
    logger: false,
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      storesForRecipient(db, address.address).then(
        (stores) => callback(stores.length > 0 ? null : smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`)),
        (err: unknown) => {
          opts.log?.error({ err }, 'smtp receiver: recipient lookup failed');
          callback(smtpError(451, '4.3.0 temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      onData(stream, session).then(
        (err) => callback(err),
        (err: unknown) => {
          opts.log?.error({ err }, 'smtp receiver: could not take the message');
          callback(smtpError(451, '4.3.0 temporary failure, try again later'));
        },
      );
    },
  });
  server.on('error', (err) => opts.log?.warn({ err }, 'smtp receiver: connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
