/**
 * The self-service portal's pages (`/help/:store…`, public: they check the signed link and the portal session
 * themselves) and its one API route (`POST /api/v1/customers/:id/portal-link`, agent and up).
 *
 * GET never changes anything (mail scanners open links): the link page shows "Continue" and only its POST spends
 * the link and opens the session. Every form after sign-in carries the session's `_csrf`; every order and case
 * is looked up with the store and the session's customer, so anyone else's is simply not found.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { noNul } from '../../platform/text.ts';
import { publicBaseUrl } from '../../public/base-url.ts';
import { sendPublicPage } from '../../public/layout.ts';
import {
  endPublicSession,
  formCsrfOk,
  openPublicSession,
  type PublicSession,
  publicBasePath,
  readPublicSession,
} from '../../public/public-sessions.ts';
import { peekLink, spendLink } from '../../public/signed-links.ts';
import { RateLimiter } from '../chat/rate-limit.ts';
import { safeFilename } from '../email/attachment-policy.ts';
import { checkPhoto } from './photo.ts';
import {
  afterAnswer,
  askForPerson,
  customerCase,
  customerOrders,
  FORM_KEY_RE,
  issueKinds,
  MAX_DESCRIPTION,
  PORTAL_SESSION_TTL_MS,
  type PortalIssueKind,
  type PortalPhoto,
  type PortalStore,
  portalStore,
  portalWorkSettled,
  replyOnCase,
  reportProblem,
  requestPortalLink,
  sendPortalLink,
} from './portal.service.ts';
import { chooseRemedy, issuedByStore, portalOffers, portalRemedy } from './portal-remedy.ts';
import { caseView, kindChoices, maxDescription, nav, ordersView, orderView, remedyNotes, views } from './views.ts';

export interface PortalOptions {
  /** Identify attempts per visitor IP and store in `windowMs`. */
  perIp?: number;
  /** Identify attempts per store and e-mail in `windowMs` (whoever sends them). */
  perEmail?: number;
  windowMs?: number;
}

const formKey = () => randomBytes(18).toString('base64url');
const field = (body: unknown, name: string): string => {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
};
const looksLikeEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) && s.length <= 320;

/** Console and developer API of this capability (under /api/v1, the usual auth). */
export function portalRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/customers/:id/portal-link',
    {
      schema: {
        tags: ['channels'],
        summary: 'E-mail a customer a sign-in link to the self-service portal (agent)',
        description:
          'The link works once, for 30 minutes, on `/help/<store>` only. The answer never contains the link: it goes to the customer’s own e-mail.',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          202: z.object({ sent: z.literal(true), to: z.string().describe('the address, masked'), expiresAt: z.string() }),
          404: errorBody,
          409: errorBody,
        },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'agent');
      const sent = await sendPortalLink(ctx, p.storeId, req.params.id, publicBaseUrl(ctx.config));
      return reply.status(202).send(sent);
    },
  );
}

/** Customer pages of this capability, in the public pages' context (forms and uploads parsed there only). */
export function portalPages(pub: App, ctx: AppContext, opts: PortalOptions = {}): void {
  const db = ctx.database.db;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const byIp = new RateLimiter(opts.perIp ?? 30, windowMs);
  const byEmail = new RateLimiter(opts.perEmail ?? 10, windowMs);

  type Params = { store: string; token?: string; orderId?: string; caseId?: string };

  // Link e-mails still being prepared when the server stops are finished first.
  pub.addHook('onClose', async () => {
    await portalWorkSettled();
  });

  const page = (reply: FastifyReply, store: PortalStore, title: string, body: string, status = 200, scripts?: string[]) =>
    sendPublicPage(
      reply,
      { lang: 'en', storeName: store.name, title, section: 'Help', body, noindex: true, ...(scripts ? { scripts } : {}) },
      status,
    );

  const notFoundPage = (reply: FastifyReply, store: PortalStore | null, n?: ReturnType<typeof navFor>) => {
    if (!store) {
      return sendPublicPage(
        reply,
        {
          lang: 'en',
          storeName: 'Amends',
          title: 'Not found',
          body: views.message({ title: 'Not found', message: 'There is no help page here.' }),
          noindex: true,
        },
        404,
      );
    }
    return page(
      reply,
      store,
      'Not found',
      views.message({
        nav: n ? nav(n) : '',
        title: 'Not found',
        message: 'We could not find that. It may belong to another account.',
        link: { href: `${publicBasePath('portal', store.id)}/orders`, text: 'Your orders' },
      }),
      404,
    );
  };

  const navFor = (store: PortalStore, s: PublicSession, extra: { caseId?: string; orderId?: string } = {}) => ({
    base: publicBasePath('portal', store.id),
    csrf: s.csrfToken,
    ...extra,
  });

  /** The store of the path and the portal session for it, or the answer already sent. */
  async function signedIn(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    const store = await portalStore(db, req.params.store);
    if (!store) {
      notFoundPage(reply, null);
      return null;
    }
    const session = await readPublicSession(ctx, req, store.id, 'portal');
    if (!session?.customerId) {
      reply.redirect(`${publicBasePath('portal', store.id)}?signin=1`, 303);
      return null;
    }
    return { store, session, customerId: session.customerId, base: publicBasePath('portal', store.id) };
  }

  /** A POST from a signed-in page: the session and its CSRF token, or the answer already sent. */
  async function signedInPost(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, body: unknown) {
    const s = await signedIn(req, reply);
    if (!s) return null;
    if (!formCsrfOk(s.session, body)) {
      staleForm(reply, s);
      return null;
    }
    return s;
  }

  /** The answer to a form whose CSRF token is missing or not this session's. */
  function staleForm(reply: FastifyReply, s: { store: PortalStore; session: PublicSession }) {
    return page(
      reply,
      s.store,
      'Please try again',
      views.message({
        nav: nav(navFor(s.store, s.session)),
        title: 'Please try again',
        message: 'This form was out of date. Go back, reload the page and send it again.',
      }),
      403,
    );
  }

  // ------------------------------------------------------------ identify

  const identifyPage = (
    reply: FastifyReply,
    store: PortalStore,
    v: { order?: string; email?: string; errors?: Record<string, string>; notice?: string },
    status = 200,
  ) => page(reply, store, 'Get help', views.identify({ base: publicBasePath('portal', store.id), ...v }), status);

  pub.get<{ Params: Params; Querystring: { signin?: string } }>('/help/:store', { schema: { hide: true } }, async (req, reply) => {
    const store = await portalStore(db, req.params.store);
    if (!store) return notFoundPage(reply, null);
    const notice = req.query.signin ? 'Please sign in again: we will e-mail you a new link.' : undefined;
    return identifyPage(reply, store, notice ? { notice } : {});
  });

  pub.post<{ Params: Params }>('/help/:store', { schema: { hide: true } }, async (req, reply) => {
    const store = await portalStore(db, req.params.store);
    if (!store) return notFoundPage(reply, null);
    const order = field(req.body, 'order').trim();
    const email = field(req.body, 'email').trim();
    const errors: Record<string, string> = {};
    if (!order || order.length > 200 || !noNul(order)) errors.order = 'Enter your order number, as in your order confirmation.';
    if (!looksLikeEmail(email) || !noNul(email)) errors.email = 'Enter the e-mail address you ordered with.';
    if (Object.keys(errors).length > 0) return identifyPage(reply, store, { order, email, errors }, 400);
    const wait = Math.max(byIp.take(`${req.ip}|${store.id}`), byEmail.take(`${store.id}|${email.toLowerCase()}`));
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return page(
        reply,
        store,
        'Too many attempts',
        views.message({ title: 'Too many attempts', message: 'Please wait a few minutes before asking for another link.' }),
        429,
      );
    }
    // The same page either way, sent before anything is looked up: a wrong pair reveals nothing, not even by
    // taking less time. The lookup, the link and its e-mail run afterwards; a failure there is logged.
    const sent = page(reply, store, 'Check your e-mail', views.sent({ base: publicBasePath('portal', store.id) }));
    const log = req.log;
    afterAnswer(
      reply.raw,
      async () => {
        const matched = await requestPortalLink(ctx, store, { order, email }, publicBaseUrl(ctx.config));
        log.info({ store: store.id, matched }, 'portal link requested');
      },
      (err) => log.error({ err, store: store.id }, 'portal link could not be sent'),
    );
    return sent;
  });

  // ------------------------------------------------------------ the signed link

  const linkProblem = (reason: 'not_found' | 'expired' | 'used') =>
    reason === 'expired'
      ? { title: 'This link has expired', message: 'Sign-in links work for 30 minutes. We can send you a new one.' }
      : reason === 'used'
        ? { title: 'This link was already used', message: 'Each sign-in link works once. We can send you a new one.' }
        : { title: 'This link does not work here', message: 'It may be mistyped, or meant for another shop. We can send you a new one.' };

  pub.get<{ Params: Params }>('/help/:store/link/:token', { schema: { hide: true } }, async (req, reply) => {
    const store = await portalStore(db, req.params.store);
    if (!store) return notFoundPage(reply, null);
    const base = publicBasePath('portal', store.id);
    const seen = await peekLink(db, store.id, 'portal', req.params.token ?? '', ctx.clock.now());
    if (seen.ok) {
      return page(reply, store, 'Sign in', views.link({ ok: true, storeName: store.name, action: `${base}/link/${req.params.token}` }));
    }
    return page(
      reply,
      store,
      'Link problem',
      views.link({ ok: false, base, ...linkProblem(seen.reason) }),
      seen.reason === 'not_found' ? 404 : 410,
    );
  });

  pub.post<{ Params: Params }>('/help/:store/link/:token', { schema: { hide: true } }, async (req, reply) => {
    const store = await portalStore(db, req.params.store);
    if (!store) return notFoundPage(reply, null);
    const base = publicBasePath('portal', store.id);
    const outcome = await db.transaction().execute(async (tx) => {
      const spent = await spendLink(tx, store.id, 'portal', req.params.token ?? '', ctx.clock.now());
      if (!spent.ok) return spent;
      await openPublicSession(
        ctx,
        req,
        reply,
        { storeId: store.id, purpose: 'portal', customerId: spent.link.customerId ?? spent.link.subjectId, ttlMs: PORTAL_SESSION_TTL_MS },
        tx,
      );
      return spent;
    });
    if (!outcome.ok) {
      return page(
        reply,
        store,
        'Link problem',
        views.link({ ok: false, base, ...linkProblem(outcome.reason) }),
        outcome.reason === 'not_found' ? 404 : 410,
      );
    }
    return reply.redirect(`${base}/orders`, 303);
  });

  pub.post<{ Params: Params }>('/help/:store/sign-out', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedInPost(req, reply, req.body);
    if (!s) return reply;
    await endPublicSession(ctx, req, reply, s.session);
    return reply.redirect(s.base, 303);
  });

  // ------------------------------------------------------------ orders

  pub.get<{ Params: Params }>('/help/:store/orders', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedIn(req, reply);
    if (!s) return reply;
    const [{ orders, otherCases }, who] = await Promise.all([
      customerOrders(db, s.store.id, s.customerId),
      db.selectFrom('customers').select('name').where('store_id', '=', s.store.id).where('id', '=', s.customerId).executeTakeFirst(),
    ]);
    return page(
      reply,
      s.store,
      'Your orders',
      views.orders({
        nav: nav(navFor(s.store, s.session)),
        name: who?.name ?? null,
        ...ordersView(s.base, orders, otherCases, s.store.timezone),
      }),
    );
  });

  pub.get<{ Params: Params }>('/help/:store/orders/:orderId', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedIn(req, reply);
    if (!s) return reply;
    const { orders } = await customerOrders(db, s.store.id, s.customerId, req.params.orderId);
    const o = orders[0];
    if (!o) return notFoundPage(reply, s.store, navFor(s.store, s.session));
    return page(
      reply,
      s.store,
      `Order ${o.id}`,
      views.order({ nav: nav(navFor(s.store, s.session, { orderId: o.id })), base: s.base, order: orderView(s.base, o, s.store.timezone) }),
    );
  });

  // ------------------------------------------------------------ report a problem

  type ReportForm = { kind?: string; description?: string; errors?: Record<string, string>; hadPhoto?: boolean; formError?: string };
  const reportPage = async (
    reply: FastifyReply,
    s: NonNullable<Awaited<ReturnType<typeof signedIn>>>,
    orderId: string,
    form: ReportForm,
    status = 200,
    key = formKey(),
  ) => {
    const href = `${s.base}/orders/${encodeURIComponent(orderId)}`;
    return page(
      reply,
      s.store,
      'Report a problem',
      views.report({
        nav: nav(navFor(s.store, s.session, { orderId })),
        orderId,
        orderHref: href,
        action: `${href}/report`,
        csrf: s.session.csrfToken,
        formKey: key,
        kinds: kindChoices(form.kind),
        description: form.description ?? '',
        maxDescription,
        errors: form.errors ?? {},
        hadPhoto: form.hadPhoto ?? false,
        formError: form.formError,
      }),
      status,
      ['/public/portal-photo.js'],
    );
  };

  const ownOrder = async (storeId: string, customerId: string, orderId: string) =>
    db
      .selectFrom('orders')
      .select('id')
      .where('store_id', '=', storeId)
      .where('id', '=', orderId)
      .where('customer_id', '=', customerId)
      .executeTakeFirst();

  pub.get<{ Params: Params }>('/help/:store/orders/:orderId/report', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedIn(req, reply);
    if (!s) return reply;
    const o = await ownOrder(s.store.id, s.customerId, req.params.orderId ?? '');
    if (!o) return notFoundPage(reply, s.store, navFor(s.store, s.session));
    return reportPage(reply, s, o.id, {});
  });

  pub.post<{ Params: Params }>('/help/:store/orders/:orderId/report', { schema: { hide: true } }, async (req, reply) => {
    // The session first, from its cookie alone: nobody signed out gets an upload read. Then the form (multipart,
    // or urlencoded without a photo), then its CSRF token.
    const s = await signedIn(req, reply);
    if (!s) return reply;
    const fields: Record<string, string> = {};
    const truncatedFields: string[] = [];
    let upload: { filename: string; bytes: Buffer; truncated: boolean } | null = null;
    let parseError: string | null = null;
    if (req.isMultipart()) {
      try {
        // A photo over the limit arrives cut short (`truncated`) and is refused with the form kept; the option is
        // supported by parts() though its type does not list it.
        for await (const part of req.parts({ throwFileSizeLimit: false } as Parameters<typeof req.parts>[0])) {
          if (part.type === 'file') {
            const bytes = await part.toBuffer();
            if (part.fieldname === 'photo' && part.filename) upload = { filename: part.filename, bytes, truncated: part.file.truncated };
          } else if (typeof part.value === 'string') {
            fields[part.fieldname] = part.value;
            if (part.valueTruncated) truncatedFields.push(part.fieldname);
          }
        }
      } catch (err) {
        req.log.info({ err }, 'portal report form could not be read');
        parseError = 'We could not read the form (one photo at a time, up to 8 MB). Please try again.';
      }
    } else {
      for (const k of ['_csrf', '_key', 'kind', 'description']) fields[k] = field(req.body, k);
    }
    if (!formCsrfOk(s.session, fields)) return staleForm(reply, s);
    const o = await ownOrder(s.store.id, s.customerId, req.params.orderId ?? '');
    if (!o) return notFoundPage(reply, s.store, navFor(s.store, s.session));
    const kind = fields.kind ?? '';
    const description = (fields.description ?? '').trim();
    const key = FORM_KEY_RE.test(fields._key ?? '') ? fields._key! : formKey();
    const errors: Record<string, string> = {};
    let cutOff: string | null = null;
    if (!(issueKinds as readonly string[]).includes(kind)) errors.kind = 'Choose what went wrong.';
    // A field over the form's size limit arrives cut short: never kept as if it were what they wrote.
    if (truncatedFields.includes('description')) {
      errors.description = `Your description was too long and got cut off. Please keep it under ${MAX_DESCRIPTION} characters.`;
    } else if (truncatedFields.length > 0) {
      cutOff = 'Part of the form was too long and got cut off, so nothing was sent. Please check it and send it again.';
    } else if (description.length < 10) errors.description = 'Tell us a little more (at least 10 characters).';
    else if (description.length > MAX_DESCRIPTION) errors.description = `Please keep it under ${MAX_DESCRIPTION} characters.`;
    else if (!noNul(description)) errors.description = 'The text contains a character we cannot keep.';
    let photo: PortalPhoto | null = null;
    if (upload && upload.bytes.length > 0) {
      const checked = checkPhoto(upload.bytes, upload.truncated);
      if (checked.ok) photo = { filename: safeFilename(upload.filename), contentType: checked.contentType, bytes: upload.bytes };
      else errors.photo = checked.problem;
    }
    if (parseError || cutOff || Object.keys(errors).length > 0) {
      const status = upload?.truncated ? 413 : 422;
      return reportPage(
        reply,
        s,
        o.id,
        { kind, description, errors, hadPhoto: upload !== null, ...(parseError || cutOff ? { formError: (parseError ?? cutOff)! } : {}) },
        parseError ? 400 : status,
        key,
      );
    }
    const { caseId } = await reportProblem(ctx, s.store.id, s.customerId, {
      orderId: o.id,
      kind: kind as PortalIssueKind,
      description,
      formKey: key,
      photo,
    });
    return reply.redirect(`${s.base}/cases/${encodeURIComponent(caseId)}?reported=1`, 303);
  });

  // ------------------------------------------------------------ a case

  const notices: Record<string, string> = {
    reported: 'Thank you: we have your report.',
    asked: 'We have told the team you would like to talk to a person. Someone will answer here.',
    again: 'You have already asked for a person; someone will answer here soon.',
    sent: 'Your message is on its way to the team.',
  };

  async function casePage(
    reply: FastifyReply,
    s: NonNullable<Awaited<ReturnType<typeof signedIn>>>,
    caseId: string,
    extra: { n?: string | undefined; offerError?: string; replyError?: string; replyBody?: string } = {},
    status = 200,
  ) {
    const c = await customerCase(db, s.store.id, s.customerId, caseId);
    if (!c) return notFoundPage(reply, s.store, navFor(s.store, s.session));
    const [chosen, given, offers] = await Promise.all([
      portalRemedy(db, s.store.id, c.id),
      issuedByStore(db, s.store.id, c.id),
      portalOffers(ctx, s.store.id, s.customerId, c.id),
    ]);
    const href = `${s.base}/cases/${encodeURIComponent(c.id)}`;
    const { n, ...rest } = extra;
    return page(
      reply,
      s.store,
      `Case #${c.number}`,
      views.case({
        nav: nav(navFor(s.store, s.session, { caseId: c.id })),
        base: s.base,
        csrf: s.session.csrfToken,
        formKey: formKey(),
        c: caseView(c, s.store.timezone),
        notice: n && Object.hasOwn(notices, n) ? notices[n] : undefined,
        remedies: remedyNotes(chosen, given, c, s.store.timezone),
        offers,
        remedyAction: `${href}/remedy`,
        replyAction: `${href}/reply`,
        maxDescription,
        ...rest,
      }),
      status,
    );
  }

  pub.get<{ Params: Params; Querystring: { n?: string; reported?: string } }>(
    '/help/:store/cases/:caseId',
    { schema: { hide: true } },
    async (req, reply) => {
      const s = await signedIn(req, reply);
      if (!s) return reply;
      return casePage(reply, s, req.params.caseId ?? '', { n: req.query.reported ? 'reported' : req.query.n });
    },
  );

  pub.post<{ Params: Params }>('/help/:store/cases/:caseId/remedy', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedInPost(req, reply, req.body);
    if (!s) return reply;
    const offerId = field(req.body, 'offerId');
    const caseId = req.params.caseId ?? '';
    try {
      if (!offerId) throw new AppError(400, 'invalid_request', 'Choose one of the remedies.', 'offerId');
      await chooseRemedy(ctx, s.store.id, s.customerId, caseId, offerId);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return notFoundPage(reply, s.store, navFor(s.store, s.session));
      if (err instanceof AppError && err.status < 500) {
        return casePage(reply, s, caseId, { offerError: err.message }, 400);
      }
      throw err;
    }
    return reply.redirect(`${s.base}/cases/${encodeURIComponent(caseId)}`, 303);
  });

  pub.post<{ Params: Params }>('/help/:store/cases/:caseId/reply', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedInPost(req, reply, req.body);
    if (!s) return reply;
    const caseId = req.params.caseId ?? '';
    const body = field(req.body, 'body').trim();
    const key = field(req.body, '_key');
    let problem: string | null = null;
    if (body.length === 0) problem = 'Write your message first.';
    else if (body.length > MAX_DESCRIPTION) problem = `Please keep it under ${MAX_DESCRIPTION} characters.`;
    else if (!noNul(body)) problem = 'The text contains a character we cannot keep.';
    if (problem || !FORM_KEY_RE.test(key)) {
      return casePage(
        reply,
        s,
        caseId,
        { replyError: problem ?? 'This form was out of date; please send it again.', replyBody: body },
        422,
      );
    }
    try {
      await replyOnCase(ctx, s.store.id, s.customerId, caseId, { body, formKey: key });
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return notFoundPage(reply, s.store, navFor(s.store, s.session));
      throw err;
    }
    return reply.redirect(`${s.base}/cases/${encodeURIComponent(caseId)}?n=sent`, 303);
  });

  // ------------------------------------------------------------ talk to a person (every page)

  pub.post<{ Params: Params }>('/help/:store/person', { schema: { hide: true } }, async (req, reply) => {
    const s = await signedInPost(req, reply, req.body);
    if (!s) return reply;
    const caseId = field(req.body, 'caseId') || undefined;
    const orderId = field(req.body, 'orderId') || undefined;
    try {
      const asked = await askForPerson(ctx, s.store.id, s.customerId, { caseId, orderId, sessionId: s.session.id });
      return reply.redirect(`${s.base}/cases/${encodeURIComponent(asked.caseId)}?n=${asked.already ? 'again' : 'asked'}`, 303);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return notFoundPage(reply, s.store, navFor(s.store, s.session));
      throw err;
    }
  });
}
