import { z } from 'zod';
import { actorOf } from '../cases/case-timeline.ts';
import { AppError } from '../platform/errors.ts';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy.schema.ts';
import { activatePolicy, activePolicy, checkPolicy, listPolicyVersions } from './policy.service.ts';
import { loadSimulationInput, simulatePolicies } from './simulate.ts';

/** A simulation from the console counts at most this many cases (the most recent ones in the period). */
export const SIMULATE_MAX_CASES = 50_000;

const policyError = z.object({ message: z.string(), path: z.string(), line: z.number().int(), column: z.number().int() });
const source = z.string().min(1).max(1_000_000).refine(noNul, NUL_MESSAGE).describe('the policy file, YAML');
const activeView = z.object({
  hash: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  author: z.string().nullable(),
  activatedAt: z.string().nullable(),
  source: z.string(),
  policy: z.unknown().describe('the parsed policy; money in minor units'),
});

const countCost = z.object({ count: z.number().int(), cost: z.number().int() });
const money = z.object({ amount: z.number().int(), currency: z.string() });
const outcome = z.object({
  label: z.string(),
  name: z.string(),
  currency: z.string(),
  cases: z.number().int(),
  autoIssued: z.number().int(),
  needsApproval: z.number().int(),
  guardrailFired: z.number().int(),
  manualReview: z.number().int(),
  noOffer: z.number().int(),
  autoIssuedPercent: z.number(),
  needsApprovalPercent: z.number(),
  guardrailPercent: z.number(),
  totalCost: money,
  givenCost: money,
  revenue: money,
  costPercentOfRevenue: z.number().nullable(),
  otherCurrencyCases: z.number().int(),
  byTier: z.record(z.string(), countCost),
  byOfferKind: z.record(z.string(), countCost),
  byRule: z.record(z.string(), countCost),
  byGuardrail: z.record(z.string(), z.number().int()),
});
const isoTime = z.iso.datetime({ offset: true }).describe('an ISO time');

export function policyRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: "The store's active compensation policy (policies/default.yaml until one is activated)",
        response: { 200: activeView },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return activePolicy(db, p.storeId);
    },
  );

  app.get(
    '/api/v1/policy/versions',
    {
      schema: {
        tags: ['policy'],
        summary: 'Every policy version the store has activated, newest first',
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                hash: z.string(),
                name: z.string(),
                author: z.string(),
                createdAt: z.string(),
                activations: z.array(z.object({ at: z.string(), author: z.string() })),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return { versions: await listPolicyVersions(db, p.storeId) };
    },
  );

  app.post(
    '/api/v1/policy/check',
    {
      schema: {
        tags: ['policy'],
        summary: 'Validate a policy file without activating it; errors name line and column',
        body: z.object({ source }),
        response: { 200: z.object({ ok: z.boolean(), hash: z.string().nullable(), errors: z.array(policyError) }) },
      },
    },
    async (req) => {
      requireRole(req, 'agent');
      const r = checkPolicy(req.body.source);
      return r.ok ? { ok: true, hash: r.hash, errors: [] } : { ok: false, hash: null, errors: r.errors };
    },
  );

  app.post(
    '/api/v1/policy/simulate',
    {
      schema: {
        tags: ['policy'],
        summary: "Replay the store's history under an edited policy and another one (default: the active policy), side by side",
        description:
          'The figures of `amends policy simulate`: cases, auto-issued and needs-approval shares, guardrails, cost and cost as a share ' +
          `of revenue, by tier, offer kind and matrix rule. At most ${SIMULATE_MAX_CASES.toLocaleString('en')} cases are counted: ` +
          'the most recent of the period (`limit.capped` says so; earlier history still replays as background). ' +
          'An invalid policy answers 400 with `error.errors`, each with `field` (`source` or `vs`), line and column.',
        body: z.object({
          source,
          vs: source.optional().describe("the policy to compare with, YAML (default: the store's active policy)"),
          from: isoTime.optional().describe('count cases from this instant (inclusive)'),
          to: isoTime.optional().describe('ignore history from this instant (exclusive)'),
        }),
        response: {
          200: z.object({
            from: z.string().nullable(),
            to: z.string().nullable(),
            cases: z.number().int(),
            warmUpCases: z.number().int(),
            firstCaseAt: z.string().nullable(),
            lastCaseAt: z.string().nullable(),
            customers: z.number().int(),
            limit: z.object({
              maxCases: z.number().int(),
              capped: z.boolean().describe('the period had more cases: only the most recent maxCases were counted, from `from`'),
            }),
            vs: outcome.extend({
              hash: z.string(),
              active: z.boolean().describe("it is the store's active policy"),
            }),
            source: outcome.extend({ hash: z.string() }),
          }),
          400: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      const body = req.body;
      let from = body.from ? new Date(body.from).toISOString() : null;
      const to = body.to ? new Date(body.to).toISOString() : null;
      if (from && to && from >= to) throw new AppError(400, 'invalid_period', `from ${body.from} is not before to ${body.to}`, 'from');

      // Both files are checked before giving up, so that every error is shown at once.
      const errors: { field: 'source' | 'vs'; message: string; path: string; line: number; column: number }[] = [];
      const edited = parsePolicy(body.source);
      if (!edited.ok) for (const e of edited.errors) errors.push({ field: 'source', ...e });
      let other: { policy: Policy; hash: string; active: boolean } | null = null;
      if (body.vs !== undefined) {
        const r = parsePolicy(body.vs);
        if (r.ok) other = { policy: r.policy, hash: r.hash, active: false };
        else for (const e of r.errors) errors.push({ field: 'vs', ...e });
      }
      if (errors.length > 0 || !edited.ok) {
        const first = errors[0]!;
        throw new AppError(
          400,
          'invalid_policy',
          `${first.field}: line ${first.line}, column ${first.column}: ${first.message}`,
          first.field,
          {
            errors,
          },
        );
      }
      if (!other) {
        const a = await activePolicy(db, p.storeId);
        other = { policy: a.policy, hash: a.hash, active: true };
      } else {
        other.active = other.hash === (await activePolicy(db, p.storeId)).hash;
      }

      // The cap: with more cases in the period than the limit, count from the most recent cases' first.
      const nth = await db
        .selectFrom('cases')
        .select('created_at')
        .where('store_id', '=', p.storeId)
        .$if(from !== null, (q) => q.where('created_at', '>=', from!))
        .$if(to !== null, (q) => q.where('created_at', '<', to!))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(SIMULATE_MAX_CASES)
        .limit(1)
        .executeTakeFirst();
      let capped = false;
      if (nth) {
        capped = true;
        // Cases at the same instant as the first one left out are left out too: the limit is never exceeded.
        from = new Date(Date.parse(nth.created_at) + 1).toISOString();
      }

      const input = loadSimulationInput(db, p.storeId, { from, to });
      const report = await simulatePolicies({
        policies: [
          { label: 'vs', policy: other.policy },
          { label: 'source', policy: edited.policy },
        ],
        from,
        to,
        customers: input.customers,
        events: input.events,
      });
      const { policies, ...figures } = report;
      return {
        ...figures,
        limit: { maxCases: SIMULATE_MAX_CASES, capped },
        vs: { ...policies[0]!, hash: other.hash, active: other.active },
        source: { ...policies[1]!, hash: edited.hash },
      };
    },
  );

  app.post(
    '/api/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'Activate a policy file (admin: it sets everyone’s authority); cases decided from now on remember this version',
        description: 'An invalid file answers 400 with `error.errors`: every problem with its line and column.',
        body: z.object({ source }),
        response: { 201: activeView, 400: errorBody },
      },
    },
    async (req, reply) => {
      // Admin only: the policy sets every role's authority, managers' included.
      const p = requireRole(req, 'admin');
      const actor = actorOf(p);
      const user = p.userId
        ? await db.selectFrom('users').select(['email']).where('store_id', '=', p.storeId).where('id', '=', p.userId).executeTakeFirst()
        : undefined;
      const active = await activatePolicy(db, ctx.clock, {
        storeId: p.storeId,
        source: req.body.source,
        author: user?.email ?? `${actor.type}:${actor.id}`,
        actor,
      });
      await ctx.database.flush();
      return reply.status(201).send(active);
    },
  );
}
