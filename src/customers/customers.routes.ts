import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody, moneySchema, pageLimit } from '../platform/http/schemas.ts';
import { getCustomer, getOrder, listCustomers, setRelationshipManager } from './customers.service.ts';
import { lifecycleSegments } from './relationship.ts';

const metrics = z.object({
  ordersCount: z.number().int(),
  lifetimeValue: z.number().int(),
  averageOrderValue: z.number().int(),
  firstOrderAt: z.string().nullable(),
  lastOrderAt: z.string().nullable(),
  tenureDays: z.number().int(),
  daysSinceLastOrder: z.number().int().nullable(),
  failuresCount: z.number().int(),
  lastFailureAt: z.string().nullable(),
  segment: z.enum(lifecycleSegments),
});

const customer = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string().nullable(),
  currency: z.string().nullable().describe('Currency of the lifetime value and averages'),
  preferredRemedy: z.string().nullable(),
  relationshipManagerId: z.string().nullable(),
  metrics,
});

const customerDetail = customer.extend({
  recentOrders: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      total: moneySchema,
      refunded: moneySchema,
      placedAt: z.string(),
      promisedBy: z.string().nullable(),
      failedAt: z.string().nullable(),
      shipments: z.array(
        z.object({
          id: z.string(),
          status: z.string(),
          carrier: z.string().nullable(),
          trackingNumber: z.string().nullable(),
          promisedBy: z.string().nullable(),
          deliveredAt: z.string().nullable(),
        }),
      ),
    }),
  ),
  cases: z.array(
    z.object({
      id: z.string(),
      number: z.number().int(),
      status: z.string(),
      subject: z.string().nullable(),
      createdAt: z.string(),
      kind: z.string().nullable(),
      resolvedAt: z.string().nullable(),
      outcome: z.string().nullable().describe('the reason given when the case was last resolved'),
      remedies: z
        .array(z.object({ kind: z.string(), label: z.string(), issuedAt: z.string().nullable() }))
        .describe('compensations issued on it'),
    }),
  ),
});

const order = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  status: z.string(),
  total: moneySchema,
  refunded: moneySchema,
  items: z.array(z.unknown()),
  promisedBy: z.string().nullable(),
  channel: z.string().nullable(),
  placedAt: z.string(),
  cancelledAt: z.string().nullable(),
  failedAt: z.string().nullable(),
  shipments: z.array(
    z.object({
      id: z.string(),
      carrier: z.string().nullable(),
      trackingNumber: z.string().nullable(),
      status: z.string(),
      shippedAt: z.string().nullable(),
      promisedBy: z.string().nullable(),
      deliveredAt: z.string().nullable(),
      lastCarrierEventAt: z.string().nullable(),
    }),
  ),
  payments: z.array(
    z.object({ id: z.string(), status: z.string(), amount: moneySchema, reason: z.string().nullable(), occurredAt: z.string() }),
  ),
  refunds: z.array(z.object({ id: z.string(), amount: moneySchema, reason: z.string().nullable(), occurredAt: z.string() })),
});

export function customersRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;
  app.get(
    '/api/v1/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'List customers with their relationship metrics',
        querystring: z.object({ email: z.string().optional(), cursor: z.string().optional(), limit: pageLimit }),
        response: { 200: z.object({ customers: z.array(customer), nextCursor: z.string().nullable() }), 400: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return listCustomers(db, p.storeId, ctx.clock.now(), req.query);
    },
  );

  app.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'One customer: metrics, lifecycle segment, recent orders with their parcels, and cases with how they ended',
        params: z.object({ id: z.string() }),
        response: { 200: customerDetail, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getCustomer(db, p.storeId, req.params.id, ctx.clock.now());
    },
  );

  app.get(
    '/api/v1/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order with its shipments, payments and refunds',
        params: z.object({ id: z.string() }),
        response: { 200: order, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return getOrder(db, p.storeId, req.params.id);
    },
  );

  app.put(
    '/api/v1/customers/:id/relationship-manager',
    {
      schema: {
        tags: ['customers'],
        summary: "Set (or clear with null) the customer's relationship manager; VIP cases go to them",
        params: z.object({ id: z.string() }),
        body: z.object({ userId: z.string().min(1).nullable() }).strict(),
        response: { 200: customer, 400: errorBody, 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'manager');
      return setRelationshipManager(db, p.storeId, req.params.id, req.body.userId, ctx.clock.now());
    },
  );
}
