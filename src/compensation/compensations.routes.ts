import { z } from 'zod';
import { customerTiers } from '../customers/tier.ts';
import { listAudit } from '../platform/audit.ts';
import { AppError } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody, moneySchema, pageLimit } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { policyGuardrails } from '../policy/decide-offer.ts';
import { offerKinds } from '../policy/offer-kinds.ts';
import { activePolicy } from '../policy/policy.service.ts';
import { roles } from '../stores/roles.ts';
import { issueKinds } from '../triage/labels.ts';
import { compensationStatuses } from './compensation-status.ts';
import {
  allowanceFor,
  approveCompensation,
  cancelCompensation,
  getCompensation,
  listCompensations,
  offersForCase,
  rejectCompensation,
  requestCompensation,
} from './compensations.service.ts';

const compensation = z.object({
  id: z.string(),
  caseId: z.string(),
  customerId: z.string().nullable(),
  orderId: z.string().nullable(),
  idempotencyKey: z.string(),
  offerId: z.string(),
  kind: z.enum(offerKinds),
  label: z.string(),
  amount: moneySchema.nullable(),
  percentOff: z.number().nullable(),
  points: z.number().int().nullable(),
  cost: moneySchema.describe('what it costs the store; authority and allowances are measured in this'),
  status: z.enum(compensationStatuses),
  policyVersion: z.string(),
  ruleId: z.string(),
  requestedBy: z.object({ type: z.string(), id: z.string().nullable(), role: z.string().nullable() }),
  justification: z.string().nullable(),
  approvalReasons: z.array(z.string()),
  approverRole: z.enum(roles).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  reference: z.string().nullable(),
  code: z.string().nullable().describe('the discount or gift code the customer uses'),
  issuedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const approval = z.object({
  needed: z.boolean(),
  reasons: z.array(z.string()),
  approverRole: z.enum(roles).nullable(),
  justificationRequired: z.boolean(),
});

const suggestedOffer = z.object({
  offerId: z.string(),
  kind: z.enum(offerKinds),
  label: z.string(),
  amount: moneySchema.nullable(),
  percentOff: z.number().nullable(),
  points: z.number().int().nullable(),
  validDays: z.number().int().nullable(),
  cost: moneySchema,
  source: z.enum(['matrix', 'refund_alternative', 'welcome_back', 'exclusive_perk', 'exception']),
  preferred: z.boolean(),
  approval: approval.describe('for the caller: whether granting it needs someone else'),
});

const allowance = z.object({
  holder: z.string(),
  role: z.enum(roles),
  period: z.string(),
  currency: z.string(),
  limit: z.number().int().nullable(),
  spent: z.number().int(),
  remaining: z.number().int().nullable(),
});

const offersResponse = z.object({
  policy: z.object({ hash: z.string(), name: z.string(), isDefault: z.boolean() }),
  decision: z.object({
    tier: z.object({ tier: z.enum(customerTiers), reason: z.string() }),
    kind: z.enum(issueKinds),
    severity: z.number().int(),
    rule: z.object({ id: z.string(), index: z.number().int() }),
    offers: z.array(suggestedOffer).describe('in order; the first is suggested'),
    unavailable: z.array(z.object({ offerId: z.string(), reason: z.string() })),
    firings: z.array(z.object({ rule: z.enum(policyGuardrails), detail: z.string(), offerIds: z.array(z.string()) })),
    onCase: z.number().int().describe('already granted on this case, in the policy currency'),
    manualReview: z.boolean(),
    auto: z.object({ issue: z.boolean(), offerId: z.string().nullable(), reasons: z.array(z.string()) }),
    reasons: z.array(z.string()),
  }),
  allowance,
});

const idParams = z.object({ id: z.string().min(1).max(200) });
const reasonText = z.string().trim().max(2000).refine(noNul, NUL_MESSAGE);

export function compensationsRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/cases/:id/offers',
    {
      schema: {
        tags: ['compensation'],
        summary: "The policy's offers for a case, with the rule, the reasons and what needs approval for the caller",
        params: idParams,
        response: { 200: offersResponse, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return offersForCase(ctx, p, req.params.id);
    },
  );

  app.post(
    '/api/v1/cases/:id/compensations',
    {
      schema: {
        tags: ['compensation'],
        summary: 'Grant one of the offers: issued at once within authority, else pending approval',
        description:
          'Idempotent: send the same `idempotencyKey` (or `Idempotency-Key` header) again and the first compensation is answered (200) without issuing twice. 201 = created.',
        params: idParams,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).refine(noNul, NUL_MESSAGE).optional() }).loose(),
        body: z.object({
          offerId: z.string().min(1).max(100).refine(noNul, NUL_MESSAGE),
          idempotencyKey: z.string().min(1).max(200).refine(noNul, NUL_MESSAGE).optional(),
          justification: reasonText.optional().describe('required for exceptions (a guardrail fired)'),
        }),
        response: { 200: compensation, 201: compensation, 400: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, 'agent');
      const key = req.body.idempotencyKey ?? req.headers['idempotency-key'];
      if (!key)
        throw new AppError(
          400,
          'invalid_request',
          'send an idempotencyKey (or Idempotency-Key header) so a retry cannot issue twice',
          'idempotencyKey',
        );
      const r = await requestCompensation(ctx, p, req.params.id, {
        offerId: req.body.offerId,
        idempotencyKey: key,
        justification: req.body.justification,
      });
      await ctx.database.flush();
      return reply.status(r.created ? 201 : 200).send(r.compensation);
    },
  );

  app.get(
    '/api/v1/compensations',
    {
      schema: {
        tags: ['compensation'],
        summary: 'Compensations, newest first (e.g. `?status=pending_approval` for the approvals queue)',
        querystring: z.object({ status: z.enum(compensationStatuses).optional(), caseId: z.string().optional(), limit: pageLimit }),
        response: { 200: z.object({ compensations: z.array(compensation) }), 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return { compensations: await listCompensations(db, p.storeId, req.query) };
    },
  );

  app.get(
    '/api/v1/compensations/:id',
    { schema: { tags: ['compensation'], summary: 'One compensation', params: idParams, response: { 200: compensation, 404: errorBody } } },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getCompensation(db, p.storeId, req.params.id);
    },
  );

  app.post(
    '/api/v1/compensations/:id/approve',
    {
      schema: {
        tags: ['compensation'],
        summary: 'Approve a pending compensation (manager, or admin above the manager limit); it is issued at once',
        params: idParams,
        body: z.object({ reason: reasonText.optional() }).optional(),
        response: { 200: compensation, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      const r = await approveCompensation(ctx, p, req.params.id, req.body?.reason || null);
      await ctx.database.flush();
      return r;
    },
  );

  const endings = [
    { verb: 'reject', role: 'manager', summary: 'Reject a pending compensation, with the reason', run: rejectCompensation },
    {
      verb: 'cancel',
      role: 'agent',
      summary: 'Cancel a compensation that has not been issued yet (its requester or a manager); the allowance is given back',
      run: cancelCompensation,
    },
  ] as const;
  for (const e of endings) {
    app.post(
      `/api/v1/compensations/:id/${e.verb}`,
      {
        schema: {
          tags: ['compensation'],
          summary: e.summary,
          params: idParams,
          body: z.object({ reason: reasonText.pipe(z.string().min(1, 'say why')) }),
          response: { 200: compensation, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const p = requireRole(req, e.role);
        const r = await e.run(ctx, p, req.params.id, req.body.reason);
        await ctx.database.flush();
        return r;
      },
    );
  }

  app.get(
    '/api/v1/allowance',
    {
      schema: {
        tags: ['compensation'],
        summary: "The caller's allowance this period: limit, spent, remaining",
        response: { 200: allowance },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      const active = await activePolicy(db, p.storeId);
      return allowanceFor(db, p, active.policy, ctx.clock.now().toISOString());
    },
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['compensation'],
        summary: 'The append-only audit log of compensations, policy, settings, user and token changes, newest first',
        querystring: z.object({
          subjectType: z.enum(['compensation', 'policy', 'allowance', 'store', 'settings', 'user', 'token', 'incident']).optional(),
          subjectId: z.string().optional(),
          limit: pageLimit,
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                seq: z.number().int(),
                at: z.string(),
                actor: z.object({ type: z.string(), id: z.string().nullable() }),
                action: z.string(),
                subjectType: z.string(),
                subjectId: z.string(),
                rule: z.string().nullable(),
                before: z.unknown(),
                after: z.unknown(),
                reason: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return { entries: await listAudit(db, p.storeId, req.query) };
    },
  );
}
