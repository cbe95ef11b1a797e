/** `POST /api/v1/policy/simulate`: the console's side-by-side replay, through the real app on both engines. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { parsePolicy } from '../../src/policy/parse-policy.ts';
import { SIMULATE_MAX_CASES } from '../../src/policy/policy.routes.ts';
import type { Policy } from '../../src/policy/policy.schema.ts';
import { loadSimulationInput, simulatePolicies } from '../../src/policy/simulate.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const root = path.resolve(import.meta.dirname, '../..');
const defaultSource = fs.readFileSync(path.join(root, 'policies/default.yaml'), 'utf8');
const strictSource = fs.readFileSync(path.join(root, 'policies/strict.yaml'), 'utf8');

function parsed(source: string): Policy {
  const r = parsePolicy(source);
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.policy;
}

interface Outcome {
  label: string;
  name: string;
  cases: number;
  autoIssued: number;
  needsApproval: number;
  totalCost: { amount: number; currency: string };
  revenue: { amount: number };
  costPercentOfRevenue: number | null;
  byTier: Record<string, { count: number; cost: number }>;
  hash: string;
  active?: boolean;
}

for (const engine of engines) {
  describe.runIf(engineAvailable(engine))(`[${engine}] POST /api/v1/policy/simulate`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-02T10:00:00Z');

    beforeAll(async () => {
      t = await buildTestApp(engine, { clock });
      // Two customers, three orders, four complaints: late parcels, a broken mug, a double charge.
      const complaint = (id: string, customerId: string, orderId: string, body: string, at: string) =>
        ev(id, 'complaint.received', { complaintId: id, customerId, orderId, channel: 'email', body }, at);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth(t.tokens.admin),
        payload: {
          events: [
            ev('c1', 'customer.upserted', { customerId: 'c1', email: 'c1@example.com' }, '2026-01-01T00:00:00Z'),
            ev('c2', 'customer.upserted', { customerId: 'c2', email: 'c2@example.com' }, '2026-01-01T00:00:00Z'),
            ev('o1', 'order.placed', { orderId: 'o1', customerId: 'c1', total: usd(6000) }, '2026-02-01T00:00:00Z'),
            ev('o2', 'order.placed', { orderId: 'o2', customerId: 'c2', total: usd(4000) }, '2026-02-02T00:00:00Z'),
            ev('o3', 'order.placed', { orderId: 'o3', customerId: 'c1', total: usd(9000) }, '2026-02-03T00:00:00Z'),
            complaint('k1', 'c1', 'o1', 'My parcel is late, it was due last week.', '2026-02-10T00:00:00Z'),
            complaint('k2', 'c2', 'o2', 'The mug arrived broken.', '2026-02-11T00:00:00Z'),
            complaint('k3', 'c1', 'o3', 'You charged me twice for this order.', '2026-02-12T00:00:00Z'),
            complaint('k4', 'c2', 'o2', 'Still no parcel and it is very late now.', '2026-02-20T00:00:00Z'),
          ],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
    });

    const simulate = (token: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/policy/simulate', headers: auth(token), payload });

    it('compares the strict policy with the active (default) one, with the figures the pure replay gives', async () => {
      const res = await simulate(t.tokens.manager, { source: strictSource });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { cases: number; limit: { maxCases: number; capped: boolean }; vs: Outcome; source: Outcome };
      expect(body.cases).toBe(4);
      expect(body.limit).toEqual({ maxCases: SIMULATE_MAX_CASES, capped: false });
      expect(body.vs).toMatchObject({ name: 'Amends default', active: true, cases: 4 });
      expect(body.source).toMatchObject({ name: 'Amends strict', cases: 4 });
      expect(body.vs.revenue.amount).toBe(19_000);
      // Stricter: it never issues more by itself nor costs more, and here it costs strictly less.
      expect(body.source.autoIssued).toBeLessThanOrEqual(body.vs.autoIssued);
      expect(body.source.totalCost.amount).toBeLessThan(body.vs.totalCost.amount);
      expect(body.source.costPercentOfRevenue!).toBeLessThan(body.vs.costPercentOfRevenue!);
      expect(Object.keys(body.vs.byTier)).toEqual(['new', 'regular', 'loyal', 'vip']);

      // The same history through simulatePolicies directly.
      const input = loadSimulationInput(t.database.db, t.storeId);
      const pure = await simulatePolicies({
        policies: [
          { label: 'vs', policy: parsed(defaultSource) },
          { label: 'source', policy: parsed(strictSource) },
        ],
        customers: input.customers,
        events: input.events,
      });
      const { hash: vsHash, active, ...vs } = body.vs;
      const { hash: sourceHash, ...source } = body.source;
      expect(vs).toEqual(pure.policies[0]);
      expect(source).toEqual(pure.policies[1]);
      expect(active).toBe(true);
      expect(sourceHash).toBe((parsePolicy(strictSource) as { hash: string }).hash);
      expect(vsHash).not.toBe(sourceHash);
    });

    it('takes an explicit policy to compare with, and a period', async () => {
      const res = await simulate(t.tokens.admin, {
        source: defaultSource,
        vs: strictSource,
        from: '2026-02-11T00:00:00Z',
        to: '2026-02-15T00:00:00Z',
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { cases: number; warmUpCases: number; vs: Outcome; source: Outcome };
      // k2 and k3 counted; k1 replayed as background; k4 after the period.
      expect([body.cases, body.warmUpCases]).toEqual([2, 1]);
      expect(body.vs).toMatchObject({ name: 'Amends strict', active: false });
      expect(body.source.name).toBe('Amends default');

      const backwards = await simulate(t.tokens.admin, { source: defaultSource, from: '2026-02-15T00:00:00Z', to: '2026-02-11T00:00:00Z' });
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().error.code).toBe('invalid_period');
    });

    it('answers 400 naming the file, line and column of every error, as the check does', async () => {
      const bad = defaultSource.replace(/^currency: USD$/m, 'currency: USD\ncolour: blue');
      const line = bad.split('\n').indexOf('colour: blue') + 1;
      const check = await t.app.inject({
        method: 'POST',
        url: '/api/v1/policy/check',
        headers: auth(t.tokens.manager),
        payload: { source: bad },
      });
      const checkErrors = check.json().errors as { line: number; column: number; message: string; path: string }[];
      expect(checkErrors[0]!.line).toBe(line);

      const res = await simulate(t.tokens.manager, { source: bad, vs: 'version: 1\nname: [' });
      expect(res.statusCode).toBe(400);
      const err = res.json().error as {
        code: string;
        path: string;
        message: string;
        errors: { field: string; line: number; column: number; message: string; path: string }[];
      };
      expect(err.code).toBe('invalid_policy');
      expect(err.path).toBe('source');
      expect(err.message).toMatch(new RegExp(`^source: line ${line}, column 1: `));
      expect(err.errors.filter((e) => e.field === 'source').map(({ field, ...e }) => e)).toEqual(checkErrors);
      expect(err.errors.some((e) => e.field === 'vs' && e.line === 2)).toBe(true);
    });

    it('is for managers and admins: an agent is refused', async () => {
      const res = await simulate(t.tokens.agent, { source: strictSource });
      expect(res.statusCode).toBe(403);
    });
  });
}
