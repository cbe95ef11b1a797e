/**
 * E-mail over HTTP, for providers that forward inbound mail as a raw RFC 822
 * message, and the attachments mail brings in.
 */
import { z } from 'zod';
import { AppError, notFound } from '../../platform/errors.ts';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { MAX_EMAIL_BYTES, receiveEmail } from './inbound-email.ts';

/** Room above the message limit, so an oversize mail is answered with its outcome rather than cut off. */
const HTTP_BODY_LIMIT = MAX_EMAIL_BYTES + 5 * 1024 * 1024;

const outcomeBody = z.object({
  outcome: z
    .enum(['case_opened', 'threaded', 'ignored', 'duplicate', 'rejected'])
    .describe('ignored: automatic mail (auto-reply, bounce, loop); duplicate: the same message was received before'),
  caseId: z.string().nullable(),
  messageId: z.string().nullable().describe('the inbound case message the mail became'),
  reason: z.string().nullable(),
});

const attachment = z.object({
  id: z.string(),
  caseId: z.string(),
  messageId: z.string().nullable(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});

/** `filename="…"` for old clients (ASCII, no quotes) and `filename*` (RFC 5987) with the real name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/gu, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function inboundEmailRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: HTTP_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });

  app.post(
    '/api/v1/inbound/email',
    {
      bodyLimit: HTTP_BODY_LIMIT,
      schema: {
        tags: ['channels'],
        summary: 'Receive one raw e-mail (Content-Type: message/rfc822) for the token’s store; 200 with what became of it',
        description:
          'Threads the mail to its case (reply token, In-Reply-To/References, then customer + subject) or opens a triaged case. Every outcome answers 200, including `duplicate` (the same Message-ID and content again), `ignored` (auto-replies, bounces, our own mail) and `rejected` (too large, not a valid complaint); a body that is not an e-mail answers 400. Admin token.',
        consumes: ['message/rfc822'],
        body: z.unknown().describe('the raw RFC 822 message, headers and body, as received'),
        response: { 200: outcomeBody, 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const raw = req.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0) {
        throw new AppError(400, 'invalid_request', 'send the raw e-mail as the body with Content-Type: message/rfc822', 'body');
      }
      const r = await receiveEmail(ctx, { storeId: p.storeId, raw });
      if (r.outcome === 'rejected' && (r.code === 'unparseable' || r.code === 'no_sender')) {
        throw new AppError(400, 'invalid_request', `body is not a usable e-mail: ${r.reason ?? 'unparseable'}`, 'body');
      }
      return { outcome: r.outcome, caseId: r.caseId ?? null, messageId: r.messageId ?? null, reason: r.reason ?? null };
    },
  );

  app.get(
    '/api/v1/cases/:id/attachments',
    {
      schema: {
        tags: ['channels'],
        summary: 'Files customers sent with their e-mails on this case (metadata; download each by id)',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: z.object({ attachments: z.array(attachment) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const c = await db
        .selectFrom('cases')
        .select('id')
        .where('store_id', '=', p.storeId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!c) throw notFound('case', req.params.id);
      const rows = await db
        .selectFrom('attachments')
        .select(['id', 'case_id', 'message_id', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
        .where('store_id', '=', p.storeId)
        .where('case_id', '=', c.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return {
        attachments: rows.map((a) => ({
          id: a.id,
          caseId: a.case_id,
          messageId: a.message_id,
          filename: a.filename,
          contentType: a.content_type,
          size: Number(a.size),
          sha256: a.sha256,
          createdAt: a.created_at,
        })),
      };
    },
  );

  app.get(
    '/api/v1/attachments/:id',
    {
      schema: {
        tags: ['channels'],
        summary: 'Download one attachment (always as a file, never rendered inline)',
        params: z.object({ id: z.string().min(1).max(200) }),
        produces: ['application/octet-stream'],
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'agent');
      const a = await db
        .selectFrom('attachments')
        .select(['filename', 'content_type', 'content'])
        .where('store_id', '=', p.storeId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!a) throw notFound('attachment', req.params.id);
      return reply
        .header('content-type', a.content_type)
        .header('content-disposition', contentDisposition(a.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(a.content));
    },
  );
}
