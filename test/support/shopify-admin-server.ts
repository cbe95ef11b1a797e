/**
 * A local fake of Shopify's Admin GraphQL endpoint, for driver tests.
 *
 * Every request is parsed, validated against the vendored published schema
 * (test/fixtures/shopify-admin-schema) and its variables coerced against the
 * operation's definitions; anything invalid is answered the way Shopify does
 * (HTTP 200, `errors`) AND recorded in `invalidRequests`, so a suite can
 * assert the driver never sent one. Valid requests are executed with
 * graphql-js against the client schema, with plain objects as resolvers, over
 * a small in-memory shop (orders, customers, discounts, refunds, store credit,
 * draft orders) that enforces the runtime rules the driver relies on (taken
 * codes, refundable amounts, the mandatory @idempotent on refundCreate…).
 * Error messages for rules the schema cannot express are the fake's own
 * approximations of Shopify's.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import {
  buildClientSchema,
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FieldNode,
  GraphQLError,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  type IntrospectionQuery,
  parse,
  validate,
  visit,
} from 'graphql';

export const SHOPIFY_API_VERSION = '2026-10';
const SCHEMA_FILE = new URL(`../fixtures/shopify-admin-schema/admin_${SHOPIFY_API_VERSION}.json.gz`, import.meta.url);

let cachedSchema: GraphQLSchema | undefined;

/** The published Admin API schema, built once per test process (~1 s). */
export function adminSchema(): GraphQLSchema {
  if (!cachedSchema) {
    const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)).toString('utf8')) as
      | { data: IntrospectionQuery }
      | IntrospectionQuery;
    cachedSchema = buildClientSchema('data' in json ? json.data : json);
  }
  return cachedSchema;
}

// --- money: integer minor units inside, Shopify-style decimal strings outside ---

function digitsOf(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "12.50" → 1250 (USD); rejects more decimals than the currency has, like a shop would. */
export function parseMinor(amount: string | number, currency: string): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount).trim());
  if (!m) return null;
  const d = digitsOf(currency);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > d) return null;
  const units = Number(m[2]) * 10 ** d + Number(frac.padEnd(d, '0') || '0');
  return m[1] === '-' ? -units : units;
}

/** 1250 USD → "12.5", 1250 JPY → "1250.0": Shopify's own format, not the padded one. */
export function formatShopify(minor: number, currency: string): string {
  const d = digitsOf(currency);
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 10 ** d);
  const frac =
    d === 0
      ? '0'
      : String(abs % 10 ** d)
          .padStart(d, '0')
          .replace(/0+$/, '') || '0';
  return `${minor < 0 ? '-' : ''}${whole}.${frac}`;
}

// --- the shop ---

export interface FakeTransaction {
  id: string;
  kind: 'SALE' | 'CAPTURE' | 'AUTHORIZATION' | 'REFUND';
  status: 'SUCCESS' | 'PENDING' | 'FAILURE';
  gateway: string;
  amount: number;
  currency: string;
  parentId: string | null;
  createdAt: string;
}
export interface FakeLineItem {
  id: string;
  title: string;
  quantity: number;
  currentQuantity: number;
  sku: string | null;
  variantId: string | null;
  unitPrice: number;
  requiresShipping: boolean;
}
export interface FakeRefund {
  id: string;
  orderId: string;
  note: string | null;
  amount: number;
  currency: string;
  transactionIds: string[];
  idempotencyKey: string;
  createdAt: string;
}
export interface FakeOrder {
  id: string;
  name: string;
  email: string | null;
  currency: string;
  customerId: string | null;
  lineItems: FakeLineItem[];
  transactions: FakeTransaction[];
  refunds: FakeRefund[];
}
export interface FakeMetafield {
  id: string;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}
export interface FakeCustomer {
  id: string;
  email: string | null;
  metafields: FakeMetafield[];
}
export interface FakeDiscount {
  id: string;
  code: string;
  title: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  /** Customer GIDs, or 'ALL'. */
  customers: string[] | 'ALL';
  percentage: number | null;
  /** The decimal string exactly as sent, and its minor units in the shop currency. */
  amountSent: string | null;
  amount: number | null;
  currency: string;
  createdAt: string;
}
export interface FakeCreditTransaction {
  id: string;
  accountId: string;
  amountSent: string;
  amount: number;
  currency: string;
  expiresAt: string | null;
  createdAt: string;
}
export interface FakeStoreCreditAccount {
  id: string;
  ownerId: string;
  currency: string;
  balance: number;
  transactions: FakeCreditTransaction[];
}
export interface FakeDraftOrder {
  id: string;
  name: string;
  status: 'OPEN' | 'INVOICE_SENT' | 'COMPLETED';
  note: string | null;
  email: string | null;
  customerId: string | null;
  tags: string[];
  currency: string;
  lineItems: { id: string; title: string; quantity: number; variantId: string | null; sku: string | null; unitPrice: number }[];
  appliedDiscount: { valueType: 'PERCENTAGE' | 'FIXED_AMOUNT'; value: number; title: string | null; description: string } | null;
  shippingLine: { title: string; price: number } | null;
  subtotal: number;
  discount: number;
  total: number;
  createdAt: string;
}

export interface OrderSeed {
  id?: number;
  currency?: string;
  customerId?: string | null;
  email?: string | null;
  lineItems?: {
    title: string;
    quantity: number;
    price: string;
    variantId?: string | null;
    sku?: string | null;
    requiresShipping?: boolean;
  }[];
  payments?: {
    kind?: 'SALE' | 'CAPTURE' | 'AUTHORIZATION';
    amount: string;
    gateway?: string;
    status?: 'SUCCESS' | 'PENDING' | 'FAILURE';
  }[];
}

export class FakeShopState {
  /** The fake's clock: every createdAt, and "in the past" checks. */
  now = '2026-11-20T12:00:00.000Z';
  readonly orders = new Map<string, FakeOrder>();
  readonly customers = new Map<string, FakeCustomer>();
  readonly discounts: FakeDiscount[] = [];
  readonly storeCreditAccounts: FakeStoreCreditAccount[] = [];
  readonly draftOrders: FakeDraftOrder[] = [];
  /** refundCreate results by @idempotent key, with the input they answered. */
  readonly idempotency = new Map<string, { input: string; payload: unknown }>();
  private seq = 1000;

  constructor(readonly shopCurrency: string) {}

  nextId(type: string): string {
    this.seq += 1;
    return `gid://shopify/${type}/${this.seq}`;
  }

  addCustomer(seed: { id?: number; email?: string | null } = {}): FakeCustomer {
    const id = seed.id ? `gid://shopify/Customer/${seed.id}` : this.nextId('Customer');
    const customer: FakeCustomer = { id, email: seed.email ?? null, metafields: [] };
    this.customers.set(id, customer);
    return customer;
  }

  addOrder(seed: OrderSeed = {}): FakeOrder {
    const currency = seed.currency ?? this.shopCurrency;
    const id = seed.id ? `gid://shopify/Order/${seed.id}` : this.nextId('Order');
    const money = (s: string) => {
      const v = parseMinor(s, currency);
      if (v === null) throw new Error(`bad seed amount ${s} ${currency}`);
      return v;
    };
    const lineItems = (seed.lineItems ?? [{ title: 'Blue mug', quantity: 1, price: '25.00' }]).map((li) => ({
      id: this.nextId('LineItem'),
      title: li.title,
      quantity: li.quantity,
      currentQuantity: li.quantity,
      sku: li.sku ?? null,
      variantId: li.variantId ?? null,
      unitPrice: money(li.price),
      requiresShipping: li.requiresShipping ?? true,
    }));
    const total = lineItems.reduce((s, li) => s + li.unitPrice * li.quantity, 0);
    const transactions = (seed.payments ?? [{ amount: formatShopify(total, currency) }]).map((p) => ({
      id: this.nextId('OrderTransaction'),
      kind: p.kind ?? 'SALE',
      status: p.status ?? 'SUCCESS',
      gateway: p.gateway ?? 'shopify_payments',
      amount: money(p.amount),
      currency,
      parentId: null,
      createdAt: this.now,
    }));
    const order: FakeOrder = {
      id,
      name: `#${this.orders.size + 1001}`,
      email: seed.email ?? null,
      currency,
      customerId: seed.customerId ?? null,
      lineItems,
      transactions,
      refunds: [],
    };
    this.orders.set(id, order);
    return order;
  }

  refundedOn(parent: FakeTransaction, order: FakeOrder): number {
    return order.transactions
      .filter((t) => t.kind === 'REFUND' && t.parentId === parent.id && t.status !== 'FAILURE')
      .reduce((s, t) => s + t.amount, 0);
  }

  /** The fake has no catalogue: a variant is known from the orders that sold it. */
  variant(variantId: string): { title: string; price: number } | null {
    for (const o of this.orders.values())
      for (const li of o.lineItems) if (li.variantId === variantId) return { title: li.title, price: li.unitPrice };
    return null;
  }
}

// --- views: plain objects shaped like the schema; functions for fields with arguments ---

type Args = Record<string, unknown>;
type Obj = Record<string, unknown>;

function connection<T>(args: Args, items: T[]): Obj {
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  if (first == null && last == null)
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  if ((first ?? last ?? 0) > 250) throw new GraphQLError('The maximum page size is 250', { extensions: { code: 'MAX_COST_EXCEEDED' } });
  const page = first != null ? items.slice(0, first) : items.slice(-(last ?? 0));
  return {
    nodes: page,
    edges: page.map((node, i) => ({ node, cursor: String(i) })),
    pageInfo: { hasNextPage: page.length < items.length, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
}

function limited<T>(args: Args, items: T[]): T[] {
  const first = args.first as number | null | undefined;
  if (first != null && first > 250) throw new GraphQLError('The maximum page size is 250', { extensions: { code: 'MAX_COST_EXCEEDED' } });
  return first == null ? items : items.slice(0, first);
}

function moneyV2(minor: number, currency: string): Obj {
  return { amount: formatShopify(minor, currency), currencyCode: currency };
}
function moneyBag(minor: number, currency: string): Obj {
  return { shopMoney: moneyV2(minor, currency), presentmentMoney: moneyV2(minor, currency) };
}

function makeViews(state: FakeShopState) {
  const txView = (t: FakeTransaction, o: FakeOrder): Obj => {
    const parent = t.parentId ? o.transactions.find((p) => p.id === t.parentId) : undefined;
    return {
      __typename: 'OrderTransaction',
      id: t.id,
      kind: t.kind,
      status: t.status,
      gateway: t.gateway,
      formattedGateway: t.gateway,
      test: false,
      manualPaymentGateway: false,
      manuallyCapturable: false,
      multiCapturable: false,
      createdAt: t.createdAt,
      processedAt: t.createdAt,
      amountSet: moneyBag(t.amount, t.currency),
      parentTransaction: parent ? txView(parent, o) : null,
      order: () => orderView(o),
      fees: [],
    };
  };
  const refundView = (r: FakeRefund, o: FakeOrder): Obj => ({
    __typename: 'Refund',
    id: r.id,
    note: r.note,
    createdAt: r.createdAt,
    processedAt: r.createdAt,
    updatedAt: r.createdAt,
    legacyResourceId: r.id.split('/').pop(),
    totalRefundedSet: moneyBag(r.amount, r.currency),
    order: () => orderView(o),
    transactions: (args: Args) =>
      connection(
        args,
        o.transactions.filter((t) => r.transactionIds.includes(t.id)).map((t) => txView(t, o)),
      ),
  });
  const orderView = (o: FakeOrder): Obj => {
    const refunded = o.refunds.reduce((s, r) => s + r.amount, 0);
    const received = o.transactions
      .filter((t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS')
      .reduce((s, t) => s + t.amount, 0);
    return {
      __typename: 'Order',
      id: o.id,
      name: o.name,
      email: o.email,
      currencyCode: o.currency,
      presentmentCurrencyCode: o.currency,
      processedAt: state.now,
      tags: [],
      requiresShipping: o.lineItems.some((li) => li.requiresShipping),
      totalReceivedSet: moneyBag(received, o.currency),
      totalRefundedSet: moneyBag(refunded, o.currency),
      netPaymentSet: moneyBag(received - refunded, o.currency),
      customer: () => {
        const c = o.customerId ? state.customers.get(o.customerId) : undefined;
        return c ? customerView(c) : null;
      },
      transactions: (args: Args) => limited(args, o.transactions).map((t) => txView(t, o)),
      refunds: (args: Args) => limited(args, o.refunds).map((r) => refundView(r, o)),
      lineItems: (args: Args) =>
        connection(
          args,
          o.lineItems.map((li) => ({
            __typename: 'LineItem',
            id: li.id,
            title: li.title,
            name: li.title,
            quantity: li.quantity,
            currentQuantity: li.currentQuantity,
            sku: li.sku,
            requiresShipping: li.requiresShipping,
            variant: li.variantId ? { __typename: 'ProductVariant', id: li.variantId } : null,
            originalUnitPriceSet: moneyBag(li.unitPrice, o.currency),
          })),
        ),
    };
  };
  const metafieldView = (m: FakeMetafield): Obj => ({
    __typename: 'Metafield',
    id: m.id,
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
    jsonValue: m.type === 'json' ? JSON.parse(m.value) : m.value,
    compareDigest: digestOf(m),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  });
  const accountView = (a: FakeStoreCreditAccount): Obj => ({
    __typename: 'StoreCreditAccount',
    id: a.id,
    balance: moneyV2(a.balance, a.currency),
    transactions: (args: Args) =>
      connection(
        args,
        a.transactions.map((t) => creditView(t, a)),
      ),
  });
  const creditView = (t: FakeCreditTransaction, a: FakeStoreCreditAccount): Obj => ({
    __typename: 'StoreCreditAccountCreditTransaction',
    id: t.id,
    amount: moneyV2(t.amount, t.currency),
    balanceAfterTransaction: moneyV2(a.balance, a.currency),
    remainingAmount: moneyV2(t.amount, t.currency),
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    event: 'ADJUSTMENT',
    origin: null,
    account: () => accountView(a),
  });
  const customerView = (c: FakeCustomer): Obj => ({
    __typename: 'Customer',
    id: c.id,
    email: c.email,
    tags: [],
    metafield: (args: Args) => {
      const m = c.metafields.find((x) => x.namespace === (args.namespace ?? '$app') && x.key === args.key);
      return m ? metafieldView(m) : null;
    },
    storeCreditAccounts: (args: Args) => connection(args, state.storeCreditAccounts.filter((a) => a.ownerId === c.id).map(accountView)),
  });
  const discountView = (d: FakeDiscount): Obj => {
    const status = d.startsAt > state.now ? 'SCHEDULED' : d.endsAt && d.endsAt <= state.now ? 'EXPIRED' : 'ACTIVE';
    const value =
      d.percentage !== null
        ? { __typename: 'DiscountPercentage', percentage: d.percentage }
        : { __typename: 'DiscountAmount', amount: moneyV2(d.amount ?? 0, d.currency), appliesOnEachItem: false };
    return {
      __typename: 'DiscountCodeNode',
      id: d.id,
      codeDiscount: {
        __typename: 'DiscountCodeBasic',
        title: d.title,
        status,
        startsAt: d.startsAt,
        endsAt: d.endsAt,
        usageLimit: d.usageLimit,
        appliesOncePerCustomer: d.appliesOncePerCustomer,
        asyncUsageCount: 0,
        createdAt: d.createdAt,
        updatedAt: d.createdAt,
        discountClasses: ['ORDER'],
        tags: [],
        summary: d.title,
        shortSummary: d.title,
        hasTimelineComment: false,
        shareableUrls: [],
        codes: (args: Args) =>
          connection(args, [{ __typename: 'DiscountRedeemCode', id: `${d.id}-code`, code: d.code, asyncUsageCount: 0 }]),
        customerGets: {
          value,
          items: { __typename: 'AllDiscountItems', allItems: true },
          appliesOnOneTimePurchase: true,
          appliesOnSubscription: false,
        },
        context:
          d.customers === 'ALL'
            ? { __typename: 'DiscountBuyerSelectionAll', all: 'ALL' }
            : {
                __typename: 'DiscountCustomers',
                customers: d.customers.map((id) => {
                  const c = state.customers.get(id);
                  return c ? customerView(c) : { __typename: 'Customer', id };
                }),
              },
      },
    };
  };
  const draftView = (d: FakeDraftOrder): Obj => ({
    __typename: 'DraftOrder',
    id: d.id,
    name: d.name,
    status: d.status,
    note2: d.note,
    email: d.email,
    tags: d.tags,
    createdAt: d.createdAt,
    currencyCode: d.currency,
    presentmentCurrencyCode: d.currency,
    subtotalPriceSet: moneyBag(d.subtotal, d.currency),
    totalDiscountsSet: moneyBag(d.discount, d.currency),
    totalPriceSet: moneyBag(d.total, d.currency),
    customer: () => {
      const c = d.customerId ? state.customers.get(d.customerId) : undefined;
      return c ? customerView(c) : null;
    },
    appliedDiscount: d.appliedDiscount && {
      ...d.appliedDiscount,
      amountSet: moneyBag(d.discount, d.currency),
    },
    lineItems: (args: Args) =>
      connection(
        args,
        d.lineItems.map((li) => ({
          __typename: 'DraftOrderLineItem',
          id: li.id,
          title: li.title,
          quantity: li.quantity,
          sku: li.sku,
          custom: li.variantId === null,
          variant: li.variantId ? { __typename: 'ProductVariant', id: li.variantId } : null,
          originalUnitPriceSet: moneyBag(li.unitPrice, d.currency),
        })),
      ),
  });
  return { orderView, customerView, discountView, draftView, creditView, metafieldView, refundView };
}

function digestOf(m: FakeMetafield): string {
  return Buffer.from(`${m.id}:${m.updatedAt}:${m.value}`).toString('base64url');
}

// --- the root fields the driver uses ---

interface UserErr {
  field: string[] | null;
  message: string;
  code?: string | null;
}

function makeRoot(state: FakeShopState, schema: GraphQLSchema): Obj {
  const v = makeViews(state);
  const blank = (path: string[], name: string): UserErr => ({ field: path, message: `${name} can't be blank`, code: 'BLANK' });

  return {
    // Queries
    order: (args: Args) => {
      const o = state.orders.get(String(args.id));
      return o ? v.orderView(o) : null;
    },
    customer: (args: Args) => {
      const c = state.customers.get(String(args.id));
      return c ? v.customerView(c) : null;
    },
    codeDiscountNodeByCode: (args: Args) => {
      const d = state.discounts.find((x) => x.code.toLowerCase() === String(args.code).toLowerCase());
      return d ? v.discountView(d) : null;
    },
    draftOrders: (args: Args) => {
      // Only the `tag:` search term the driver uses; quotes optional.
      const tag = /(?:^|\s)tag:['"]?([^'"\s]+)['"]?/.exec(String(args.query ?? ''))?.[1];
      const found = state.draftOrders.filter((d) => !tag || d.tags.some((t) => t.toLowerCase() === tag.toLowerCase()));
      return connection(args, found.map(v.draftView));
    },

    // Mutations
    discountCodeBasicCreate: (args: Args) => {
      const input = args.basicCodeDiscount as Obj;
      const path = (f: string) => ['basicCodeDiscount', f];
      const errors: UserErr[] = [];
      for (const f of ['title', 'code', 'startsAt', 'customerGets'] as const) if (input[f] == null) errors.push(blank(path(f), f));
      const context = input.context as Obj | null | undefined;
      const selection = input.customerSelection as Obj | null | undefined;
      if (context == null && selection == null) errors.push(blank(path('context'), 'context'));
      if (context != null && selection != null)
        errors.push({ field: path('context'), message: 'Only one of context or customerSelection can be provided', code: 'INVALID' });
      const code = String(input.code ?? '');
      if (state.discounts.some((d) => d.code.toLowerCase() === code.toLowerCase())) {
        errors.push({ field: path('code'), message: 'Code must be unique. Please try a different code.', code: 'TAKEN' });
      }
      const value = ((input.customerGets as Obj | undefined)?.value ?? {}) as Obj;
      const percentage = (value.percentage as number | null | undefined) ?? null;
      const discountAmount = value.discountAmount as Obj | null | undefined;
      let amount: number | null = null;
      if (percentage === null && !discountAmount) errors.push(blank(path('customerGets'), 'value'));
      if (percentage !== null && !(percentage > 0 && percentage <= 1)) {
        errors.push({ field: path('customerGets'), message: 'Value must be between 0.0 and 1.0', code: 'VALUE_OUTSIDE_RANGE' });
      }
      if (discountAmount) {
        amount = parseMinor(String(discountAmount.amount ?? ''), state.shopCurrency);
        if (amount === null || amount <= 0)
          errors.push({ field: path('customerGets'), message: 'Value must be greater than 0', code: 'GREATER_THAN' });
      }
      if (input.endsAt != null && String(input.endsAt) < String(input.startsAt)) {
        errors.push({ field: path('endsAt'), message: 'Ends at needs to be after starts_at', code: 'END_DATE_BEFORE_START_DATE' });
      }
      const added = ((context?.customers ?? selection?.customers) as Obj | undefined)?.add as string[] | undefined;
      for (const id of added ?? []) {
        if (!state.customers.has(id)) errors.push({ field: path('context'), message: `Customer ${id} does not exist`, code: 'INVALID' });
      }
      if (errors.length > 0) return { codeDiscountNode: null, userErrors: errors };
      const discount: FakeDiscount = {
        id: state.nextId('DiscountCodeNode'),
        code,
        title: String(input.title),
        startsAt: String(input.startsAt),
        endsAt: (input.endsAt as string | null) ?? null,
        usageLimit: (input.usageLimit as number | null) ?? null,
        appliesOncePerCustomer: Boolean(input.appliesOncePerCustomer),
        customers: added ?? 'ALL',
        percentage,
        amountSent: discountAmount ? String(discountAmount.amount) : null,
        amount,
        currency: state.shopCurrency,
        createdAt: state.now,
      };
      state.discounts.push(discount);
      return { codeDiscountNode: v.discountView(discount), userErrors: [] };
    },

    refundCreate: (args: Args, _ctx: unknown, info: GraphQLResolveInfo) => {
      // Mandatory since 2026-04 although the schema cannot say so.
      const directive = schema.getDirective('idempotent');
      const fieldNode = info.fieldNodes[0] as FieldNode;
      const key = directive ? (getDirectiveValues(directive, fieldNode, info.variableValues)?.key as string | undefined) : undefined;
      if (!key?.trim()) {
        throw new GraphQLError('The @idempotent directive with a non-blank key is required for refundCreate', {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      const input = args.input as Obj;
      const fingerprint = JSON.stringify(input);
      const earlier = state.idempotency.get(`refundCreate:${key}`);
      if (earlier) {
        if (earlier.input !== fingerprint) {
          throw new GraphQLError('This idempotency key was already used with different parameters', {
            extensions: { code: 'BAD_REQUEST' },
          });
        }
        return earlier.payload;
      }
      const order = state.orders.get(String(input.orderId));
      if (!order) return { refund: null, order: null, userErrors: [{ field: ['orderId'], message: 'Order does not exist' }] };
      const errors: UserErr[] = [];
      if (input.currency != null && input.currency !== order.currency) {
        errors.push({ field: ['currency'], message: `Currency must be ${order.currency}, the order's presentment currency` });
      }
      const planned: { parent: FakeTransaction; amount: number; gateway: string }[] = [];
      ((input.transactions as Obj[] | null) ?? []).forEach((t, i) => {
        const field = ['transactions', String(i)];
        const parent = order.transactions.find((p) => p.id === t.parentId);
        const amount = parseMinor(String(t.amount), order.currency);
        if (t.orderId !== order.id) errors.push({ field: [...field, 'orderId'], message: 'Transaction order must be the refunded order' });
        if (t.kind !== 'REFUND') errors.push({ field: [...field, 'kind'], message: 'Kind must be refund' });
        if (!parent || !['SALE', 'CAPTURE'].includes(parent.kind) || parent.status !== 'SUCCESS') {
          errors.push({ field: [...field, 'parentId'], message: 'Parent transaction must be a successful sale or capture on this order' });
          return;
        }
        if (t.gateway !== parent.gateway) errors.push({ field: [...field, 'gateway'], message: `Gateway must be ${parent.gateway}` });
        const already = planned.filter((p) => p.parent === parent).reduce((s, p) => s + p.amount, 0);
        if (amount === null || amount <= 0) errors.push({ field: [...field, 'amount'], message: 'Amount must be greater than 0' });
        else if (amount + already > parent.amount - state.refundedOn(parent, order)) {
          errors.push({ field: [...field, 'amount'], message: 'Amount cannot be greater than the refundable amount' });
        } else planned.push({ parent, amount, gateway: String(t.gateway) });
      });
      if (errors.length === 0 && planned.length === 0) errors.push({ field: ['transactions'], message: 'Refund must have transactions' });
      if (errors.length > 0) return { refund: null, order: null, userErrors: errors };
      const txs: FakeTransaction[] = planned.map((p) => ({
        id: state.nextId('OrderTransaction'),
        kind: 'REFUND',
        status: 'SUCCESS',
        gateway: p.gateway,
        amount: p.amount,
        currency: order.currency,
        parentId: p.parent.id,
        createdAt: state.now,
      }));
      order.transactions.push(...txs);
      const refund: FakeRefund = {
        id: state.nextId('Refund'),
        orderId: order.id,
        note: (input.note as string | null) ?? null,
        amount: txs.reduce((s, t) => s + t.amount, 0),
        currency: order.currency,
        transactionIds: txs.map((t) => t.id),
        idempotencyKey: key,
        createdAt: state.now,
      };
      order.refunds.push(refund);
      const payload = { refund: v.refundView(refund, order), order: v.orderView(order), userErrors: [] };
      state.idempotency.set(`refundCreate:${key}`, { input: fingerprint, payload });
      return payload;
    },

    storeCreditAccountCredit: (args: Args) => {
      const id = String(args.id);
      const input = args.creditInput as Obj;
      const money = input.creditAmount as Obj;
      const currency = String(money.currencyCode);
      const fail = (code: string, message: string, field = ['creditInput']) => ({
        storeCreditAccountTransaction: null,
        userErrors: [{ field, message, code }],
      });
      let account = state.storeCreditAccounts.find((a) => a.id === id);
      const owner = account ? state.customers.get(account.ownerId) : state.customers.get(id);
      if (!owner)
        return fail(id.includes('/StoreCreditAccount/') ? 'ACCOUNT_NOT_FOUND' : 'OWNER_NOT_FOUND', 'Owner does not exist', ['id']);
      const amount = parseMinor(String(money.amount), currency);
      if (amount === null || amount <= 0)
        return fail('NEGATIVE_OR_ZERO_AMOUNT', 'A positive amount must be used to credit a store credit account');
      if (input.expiresAt != null && String(input.expiresAt) <= state.now)
        return fail('EXPIRES_AT_IN_PAST', 'The expiry date must be in the future');
      if (account && account.currency !== currency)
        return fail('MISMATCHING_CURRENCY', 'The currency provided does not match the currency of the account');
      account ??= state.storeCreditAccounts.find((a) => a.ownerId === owner.id && a.currency === currency);
      if (!account) {
        account = { id: state.nextId('StoreCreditAccount'), ownerId: owner.id, currency, balance: 0, transactions: [] };
        state.storeCreditAccounts.push(account);
      }
      const tx: FakeCreditTransaction = {
        id: state.nextId('StoreCreditAccountCreditTransaction'),
        accountId: account.id,
        amountSent: String(money.amount),
        amount,
        currency,
        expiresAt: (input.expiresAt as string | null) ?? null,
        createdAt: state.now,
      };
      account.balance += amount;
      account.transactions.push(tx);
      return { storeCreditAccountTransaction: v.creditView(tx, account), userErrors: [] };
    },

    metafieldsSet: (args: Args) => {
      const inputs = args.metafields as Obj[];
      const errors: (UserErr & { elementIndex: number })[] = [];
      const err = (i: number, f: string, code: string, message: string) =>
        errors.push({ field: ['metafields', String(i), f], message, code, elementIndex: i });
      inputs.forEach((m, i) => {
        const owner = state.customers.get(String(m.ownerId));
        if (!owner) {
          err(i, 'ownerId', 'INVALID', 'Owner does not exist');
          return;
        }
        const namespace = String(m.namespace ?? '$app');
        const key = String(m.key);
        if (!/^[a-zA-Z0-9_-]{2,64}$/.test(key)) err(i, 'key', 'INVALID', 'Key is invalid');
        if (namespace.length < 3) err(i, 'namespace', 'TOO_SHORT', 'Namespace is too short (minimum is 3 characters)');
        const existing = owner.metafields.find((x) => x.namespace === namespace && x.key === key);
        if (!existing && m.type == null) err(i, 'type', 'BLANK', "Type can't be blank");
        if ((m.type ?? existing?.type) === 'json') {
          try {
            JSON.parse(String(m.value));
          } catch {
            err(i, 'value', 'INVALID_VALUE', 'Value is invalid JSON');
          }
        }
        if ('compareDigest' in m && (m.compareDigest === null ? existing : !existing || m.compareDigest !== digestOf(existing))) {
          err(i, 'compareDigest', 'INVALID_COMPARE_DIGEST', 'The resource has been updated since it was loaded');
        }
      });
      if (errors.length > 0) return { metafields: null, userErrors: errors };
      const saved = inputs.map((m) => {
        const owner = state.customers.get(String(m.ownerId)) as FakeCustomer;
        const namespace = String(m.namespace ?? '$app');
        let mf = owner.metafields.find((x) => x.namespace === namespace && x.key === m.key);
        if (mf) Object.assign(mf, { value: String(m.value), updatedAt: state.now, type: (m.type as string | null) ?? mf.type });
        else {
          mf = {
            id: state.nextId('Metafield'),
            ownerId: owner.id,
            namespace,
            key: String(m.key),
            type: String(m.type),
            value: String(m.value),
            createdAt: state.now,
            updatedAt: state.now,
          };
          owner.metafields.push(mf);
        }
        return v.metafieldView(mf);
      });
      return { metafields: saved, userErrors: [] };
    },

    draftOrderCreate: (args: Args) => {
      const input = args.input as Obj;
      const currency = String(input.presentmentCurrencyCode ?? state.shopCurrency);
      const errors: UserErr[] = [];
      const customerId = ((input.purchasingEntity as Obj | null)?.customerId ?? input.customerId ?? null) as string | null;
      if (customerId && !state.customers.has(customerId))
        errors.push({ field: ['purchasingEntity', 'customerId'], message: 'Customer does not exist' });
      const rawItems = (input.lineItems as Obj[] | null) ?? [];
      if (rawItems.length === 0) errors.push({ field: ['lineItems'], message: 'Add at least 1 product' });
      const lineItems = rawItems.map((li, i) => {
        const field = ['lineItems', String(i)];
        const variantId = (li.variantId as string | null) ?? null;
        let unitPrice = 0;
        let title = String(li.title ?? '');
        if (variantId) {
          const known = state.variant(variantId);
          if (!known) errors.push({ field: [...field, 'variantId'], message: 'Product variant does not exist' });
          unitPrice = known?.price ?? 0;
          title = known?.title ?? title;
        } else {
          const money = li.originalUnitPriceWithCurrency as Obj | null;
          if (!li.title) errors.push({ field: [...field, 'title'], message: "Title can't be blank" });
          const price = money ? parseMinor(String(money.amount), String(money.currencyCode)) : null;
          if (price === null || price < 0) errors.push({ field: [...field, 'originalUnitPriceWithCurrency'], message: 'Price is invalid' });
          else if (money && money.currencyCode !== currency)
            errors.push({ field: [...field, 'originalUnitPriceWithCurrency'], message: 'Currency must match the draft order' });
          unitPrice = price ?? 0;
        }
        if (!((li.quantity as number) > 0)) errors.push({ field: [...field, 'quantity'], message: 'Quantity must be greater than 0' });
        return {
          id: state.nextId('DraftOrderLineItem'),
          title,
          quantity: li.quantity as number,
          variantId,
          sku: (li.sku as string | null) ?? null,
          unitPrice,
        };
      });
      const applied = input.appliedDiscount as Obj | null | undefined;
      if (applied?.valueType === 'PERCENTAGE' && !((applied.value as number) >= 0 && (applied.value as number) <= 100)) {
        errors.push({ field: ['appliedDiscount', 'value'], message: 'Value must be between 0 and 100' });
      }
      const ship = input.shippingLine as Obj | null | undefined;
      const shipMoney = ship?.priceWithCurrency as Obj | null | undefined;
      const shipPrice = shipMoney ? parseMinor(String(shipMoney.amount), currency) : 0;
      if (shipPrice === null) errors.push({ field: ['shippingLine', 'priceWithCurrency'], message: 'Price is invalid' });
      if (errors.length > 0) return { draftOrder: null, userErrors: errors };
      const subtotal = lineItems.reduce((s, li) => s + li.unitPrice * li.quantity, 0);
      const discount = !applied
        ? 0
        : applied.valueType === 'PERCENTAGE'
          ? Math.round((subtotal * (applied.value as number)) / 100)
          : Math.min(subtotal, parseMinor(String((applied.amountWithCurrency as Obj | null)?.amount ?? 0), currency) ?? 0);
      const draft: FakeDraftOrder = {
        id: state.nextId('DraftOrder'),
        name: `#D${state.draftOrders.length + 1}`,
        status: 'OPEN',
        note: (input.note as string | null) ?? null,
        email: (input.email as string | null) ?? null,
        customerId,
        tags: (input.tags as string[] | null) ?? [],
        currency,
        lineItems,
        appliedDiscount: applied
          ? {
              valueType: applied.valueType as 'PERCENTAGE' | 'FIXED_AMOUNT',
              value: applied.value as number,
              title: (applied.title as string | null) ?? null,
              description: String(applied.description ?? ''),
            }
          : null,
        shippingLine: ship ? { title: String(ship.title ?? ''), price: shipPrice ?? 0 } : null,
        subtotal,
        discount,
        total: subtotal - discount + (shipPrice ?? 0),
        createdAt: state.now,
      };
      state.draftOrders.push(draft);
      return { draftOrder: v.draftView(draft), userErrors: [] };
    },
  };
}

// --- the HTTP endpoint ---

export interface RecordedRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName?: string;
}
export interface InvalidRequest extends RecordedRequest {
  errors: string[];
}
export interface ShopifyAdminServerOptions {
  accessToken?: string;
  apiVersion?: string;
  shopCurrency?: string;
}
export interface ShopifyAdminServer {
  /** Base URL, e.g. http://127.0.0.1:54321 — the driver's `endpoint`. */
  url: string;
  accessToken: string;
  requests: RecordedRequest[];
  /** Requests the published schema (or a runtime rule the schema cannot express) rejected. */
  invalidRequests: InvalidRequest[];
  state: FakeShopState;
  /** The next n GraphQL requests answer THROTTLED; `status` overrides the throttle numbers reported. */
  throttleNext(n: number, status?: { currentlyAvailable?: number; restoreRate?: number }): void;
  /** The next n requests answer with this HTTP status (429 carries Retry-After: 2.0). */
  failNext(status: number, n: number): void;
  close(): Promise<void>;
}

const MAX_AVAILABLE = 2000;

/** Rough Shopify cost: 1 per object selection, 10 for a mutation. */
function queryCost(document: DocumentNode, isMutation: boolean): number {
  let cost = isMutation ? 10 : 0;
  visit(document, {
    Field(node) {
      if (node.selectionSet) cost += 1;
    },
  });
  return Math.max(cost, 1);
}

export async function startShopifyAdminServer(opts: ShopifyAdminServerOptions = {}): Promise<ShopifyAdminServer> {
  const schema = adminSchema();
  const accessToken = opts.accessToken ?? 'shpat_test_token';
  const path = `/admin/api/${opts.apiVersion ?? SHOPIFY_API_VERSION}/graphql.json`;
  const state = new FakeShopState(opts.shopCurrency ?? 'USD');
  const root = makeRoot(state, schema);
  const requests: RecordedRequest[] = [];
  const invalidRequests: InvalidRequest[] = [];
  let throttles = 0;
  let throttleStatus: { currentlyAvailable?: number; restoreRate?: number } = {};
  const failures: number[] = [];

  function answer(body: RecordedRequest): { status: number; json: unknown } {
    const invalid = (errors: readonly GraphQLError[], code: string) => {
      invalidRequests.push({ ...body, errors: errors.map((e) => e.message) });
      return { status: 200, json: { errors: errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code } })) } };
    };
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (e) {
      return invalid([e instanceof GraphQLError ? e : new GraphQLError(String(e))], 'GRAPHQL_PARSE_FAILED');
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) return invalid(validationErrors, 'GRAPHQL_VALIDATION_FAILED');
    const operation = getOperationAST(document, body.operationName);
    if (!operation) return invalid([new GraphQLError('An operation name is required when sending multiple operations')], 'BAD_REQUEST');
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
    if (coerced.errors) return invalid(coerced.errors, 'INVALID_VARIABLE');

    const requestedQueryCost = queryCost(document, operation.operation === 'mutation');
    if (throttles > 0) {
      throttles -= 1;
      return {
        status: 200,
        json: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: {
            cost: {
              requestedQueryCost,
              actualQueryCost: null,
              throttleStatus: { maximumAvailable: MAX_AVAILABLE, currentlyAvailable: 0, restoreRate: 100, ...throttleStatus },
            },
          },
        },
      };
    }
    const result = execute({
      schema,
      document,
      operationName: body.operationName,
      rootValue: root,
      variableValues: body.variables ?? {},
    }) as ExecutionResult;
    if (result.errors?.length) invalidRequests.push({ ...body, errors: result.errors.map((e) => e.message) });
    const cost = {
      requestedQueryCost,
      actualQueryCost: requestedQueryCost,
      throttleStatus: { maximumAvailable: MAX_AVAILABLE, currentlyAvailable: MAX_AVAILABLE - requestedQueryCost, restoreRate: 100 },
    };
    const errors = result.errors?.map((e) => ({ message: e.message, locations: e.locations, path: e.path, extensions: e.extensions }));
    return { status: 200, json: { ...(errors ? { errors } : {}), data: result.data ?? null, extensions: { cost } } };
  }

  const server = http.createServer((req, res) => {
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(json));
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== path) return send(404, { errors: 'Not Found' });
      if (req.headers['x-shopify-access-token'] !== accessToken) {
        return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      }
      let body: RecordedRequest;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<RecordedRequest>;
        if (typeof parsed.query !== 'string') throw new Error('no query');
        body = { query: parsed.query, variables: parsed.variables ?? undefined, operationName: parsed.operationName ?? undefined };
      } catch {
        invalidRequests.push({ query: '', variables: undefined, errors: ['body is not {query, variables} JSON'] });
        return send(400, { errors: { query: 'Required parameter missing or invalid' } });
      }
      requests.push(body);
      const failure = failures.shift();
      if (failure !== undefined) {
        return send(
          failure,
          { errors: failure === 429 ? 'Exceeded 2 calls per second for api client.' : 'Internal Server Error' },
          failure === 429 ? { 'retry-after': '2.0' } : {},
        );
      }
      const out = answer(body);
      send(out.status, out.json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    requests,
    invalidRequests,
    state,
    throttleNext(n, status = {}) {
      throttles = n;
      throttleStatus = status;
    },
    failNext(status, n) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
