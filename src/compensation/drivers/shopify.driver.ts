/**
 * Shopify commerce driver: issues remedies through the Admin GraphQL API
 * (queries checked against the published 2026-10 schema by the test suite).
 *
 * Exactly once, per kind (the shop is the source of truth, so a retry after a
 * crash finds what the first attempt made):
 * - discount_code: the code is derived from the idempotency key; a second
 *   create answers TAKEN and the existing discount is looked up by code.
 * - refunds: `refundCreate @idempotent(key:)` (required since 2026-04), plus a
 *   marker in the refund note for retries outside Shopify's retention window.
 * - store_credit: no idempotency in the API; a customer metafield written
 *   after the credit records it. Gap: a crash (or lost answer) between the
 *   credit and the marker lets a retry credit twice.
 * - free_replacement: a tag on the draft order, looked up before creating.
 * Concurrent calls with one key inside this process share one attempt.
 */
import { createHash } from 'node:crypto';
import { type ClientResponse, createAdminApiClient } from '@shopify/admin-api-client';
import { type CommerceDriver, type IssueRequest, type IssueResult, type Money, PermanentIssueError } from '../commerce.ts';

export interface ShopifyDriverOptions {
  shopDomain: string;
  accessToken: string;
  /** Admin API version; default 2026-10. */
  apiVersion?: string;
  fetch?: typeof fetch;
  /** For tests: replaces `https://<shop>` in the API URL, e.g. `http://127.0.0.1:4000`. */
  endpoint?: string;
  /** Retries for throttling, HTTP 429 and 5xx; default 5. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DAY_MS = 86_400_000;
const MARKER_NAMESPACE = 'amends';

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}
interface MoneyV2 {
  amount: string;
  currencyCode: string;
}

export function createShopifyDriver(opts: ShopifyDriverOptions): CommerceDriver {
  const maxRetries = opts.maxRetries ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const baseFetch = opts.fetch ?? fetch;
  const endpoint = opts.endpoint?.replace(/\/$/, '');
  // The official client works against http://127.0.0.1 through customFetchApi; its own retries stay off (they sleep for real and ignore THROTTLED).
  const client = createAdminApiClient({
    storeDomain: opts.shopDomain,
    apiVersion: opts.apiVersion ?? '2026-10',
    accessToken: opts.accessToken,
    retries: 0,
    customFetchApi: (url, init) => baseFetch(endpoint ? endpoint + new URL(url).pathname : url, init),
  });

  /** One GraphQL call with retries. `repeatable`: safe to resend after a 5xx/network failure that may have executed. */
  async function gql<T>(query: string, variables: Record<string, unknown>, repeatable = true): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await client.request<T>(query, { variables });
      if (!res.errors && res.data) return res.data;
      const wait = retryWait(res, attempt, repeatable);
      if (wait === null) throw toError(res);
      if (attempt >= maxRetries) throw new Error(`Shopify: gave up after ${maxRetries} retries (${describe(res)})`);
      await sleep(wait);
    }
  }

  async function issueDiscount(req: IssueRequest): Promise<IssueResult> {
    const code = discountCode(req.idempotencyKey);
    let value: Record<string, unknown>;
    if (req.percent != null) {
      if (!(req.percent > 0 && req.percent <= 100))
        throw new PermanentIssueError(`percent ${req.percent} is out of range`, 'invalid_request');
      value = { percentage: req.percent / 100 };
    } else if (req.amount) {
      value = { discountAmount: { amount: toDecimal(req.amount), appliesOnEachItem: false } };
    } else {
      throw new PermanentIssueError('a discount code needs a percent or an amount', 'invalid_request');
    }
    const input = {
      title: `Apology ${code}`,
      code,
      startsAt: req.now,
      endsAt: req.validDays == null ? null : addDays(req.now, req.validDays),
      // `context` replaces the deprecated `customerSelection`; @oneOf: customers or all.
      context: req.customerId ? { customers: { add: [gid('Customer', req.customerId)] } } : { all: 'ALL' },
      customerGets: { value, items: { all: true } },
      usageLimit: 1,
      appliesOncePerCustomer: true,
    };
    const data = await gql<{ discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: UserError[] } }>(
      DISCOUNT_CREATE,
      { discount: input },
    );
    const { codeDiscountNode, userErrors } = data.discountCodeBasicCreate;
    let node = codeDiscountNode;
    let reused = false;
    if (userErrors.some((e) => e.code === 'TAKEN')) {
      // The code is ours (derived from the key): an earlier attempt created it.
      node = (await gql<{ codeDiscountNodeByCode: { id: string } | null }>(DISCOUNT_BY_CODE, { code })).codeDiscountNodeByCode;
      if (!node) throw new Error(`Shopify: discount code ${code} is taken but could not be found`);
      reused = true;
    } else if (userErrors.length > 0 || !node) {
      throw rejected('discountCodeBasicCreate', userErrors);
    }
    return {
      reference: node.id,
      code,
      amount: req.percent == null ? req.amount : null,
      details: { discountId: node.id, reused, endsAt: input.endsAt, customerSpecific: Boolean(req.customerId) },
    };
  }

  async function issueRefund(req: IssueRequest): Promise<IssueResult> {
    if (!req.orderId) throw new PermanentIssueError('a refund needs the order id', 'order_required');
    const orderId = gid('Order', req.orderId);
    const { order } = await gql<{ order: RefundOrder | null }>(REFUND_ORDER, { id: orderId });
    if (!order) throw new PermanentIssueError(`order ${orderId} was not found in the shop`, 'order_not_found');
    const currency = order.presentmentCurrencyCode;
    const marker = `[amends:${req.idempotencyKey}]`;
    const earlier = order.refunds.find((r) => r.note?.includes(marker));
    if (earlier) return refundResult(earlier, orderId, true);

    if (req.amount && req.amount.currency !== currency) {
      throw new PermanentIssueError(`refund in ${req.amount.currency} on an order paid in ${currency}`, 'currency_mismatch');
    }
    // What each successful payment can still give back: its amount less the refunds made against it.
    const parents = order.transactions
      .filter((t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS')
      .map((t) => {
        const refunded = order.transactions
          .filter((r) => r.kind === 'REFUND' && (r.status === 'SUCCESS' || r.status === 'PENDING') && r.parentTransaction?.id === t.id)
          .reduce((sum, r) => sum + toMinor(r.amountSet.presentmentMoney), 0);
        return { tx: t, left: toMinor(t.amountSet.presentmentMoney) - refunded };
      })
      .filter((p) => p.left > 0);
    const refundable = parents.reduce((sum, p) => sum + p.left, 0);
    let target: number;
    if (req.kind === 'refund_full') target = refundable;
    else if (req.amount) target = Math.min(req.amount.amount, refundable);
    else throw new PermanentIssueError('a partial refund needs an amount', 'invalid_request');
    if (target <= 0) throw new PermanentIssueError(`order ${orderId} has nothing left to refund`, 'nothing_to_refund');

    const transactions: Record<string, unknown>[] = [];
    let remaining = target;
    for (const p of parents) {
      if (remaining === 0) break;
      const take = Math.min(p.left, remaining);
      remaining -= take;
      transactions.push({
        orderId,
        parentId: p.tx.id,
        kind: 'REFUND',
        gateway: p.tx.gateway ?? 'manual',
        amount: toDecimal({ amount: take, currency }),
      });
    }
    // notify: false: Amends writes to the customer itself.
    const input = { orderId, note: `${req.note} ${marker}`, notify: false, currency, transactions };
    const data = await gql<{ refundCreate: { refund: RefundNode | null; userErrors: UserError[] } }>(REFUND_CREATE, {
      input,
      key: req.idempotencyKey,
    });
    const { refund, userErrors } = data.refundCreate;
    if (userErrors.length > 0 || !refund) throw rejected('refundCreate', userErrors);
    const result = refundResult(refund, orderId, false);
    result.details.capped = req.kind === 'refund_partial' && target < (req.amount?.amount ?? 0);
    return result;
  }

  async function issueStoreCredit(req: IssueRequest): Promise<IssueResult> {
    if (!req.customerId) throw new PermanentIssueError('store credit needs a known Shopify customer', 'customer_required');
    if (!req.amount || req.amount.amount <= 0) throw new PermanentIssueError('store credit needs a positive amount', 'invalid_request');
    const customerId = gid('Customer', req.customerId);
    const key = `credit_${digest32(req.idempotencyKey).toLowerCase()}`;
    const { customer } = await gql<{ customer: { id: string; metafield: { value: string } | null } | null }>(CREDIT_MARKER, {
      id: customerId,
      key,
    });
    if (!customer) throw new PermanentIssueError(`customer ${customerId} was not found in the shop`, 'customer_not_found');
    if (customer.metafield) {
      const earlier = JSON.parse(customer.metafield.value) as { transactionId: string; accountId: string };
      return { reference: earlier.transactionId, code: null, amount: req.amount, details: { ...earlier, reused: true } };
    }
    const credit = {
      creditAmount: { amount: toDecimal(req.amount), currencyCode: req.amount.currency },
      expiresAt: req.validDays == null ? null : addDays(req.now, req.validDays),
      notify: false,
    };
    const data = await gql<{
      storeCreditAccountCredit: { storeCreditAccountTransaction: { id: string; account: { id: string } } | null; userErrors: UserError[] };
    }>(CREDIT_CREATE, { id: customerId, credit }, false);
    const { storeCreditAccountTransaction: tx, userErrors } = data.storeCreditAccountCredit;
    if (userErrors.length > 0 || !tx) throw rejected('storeCreditAccountCredit', userErrors);
    const facts = { transactionId: tx.id, accountId: tx.account.id };
    // The credit is made: a failed marker must not turn into an error the caller would retry (and credit twice).
    let markerWritten = true;
    try {
      const set = await gql<{ metafieldsSet: { userErrors: UserError[] } }>(MARKER_SET, {
        metafields: [{ ownerId: customerId, namespace: MARKER_NAMESPACE, key, type: 'json', value: JSON.stringify(facts) }],
      });
      markerWritten = set.metafieldsSet.userErrors.length === 0;
    } catch {
      markerWritten = false;
    }
    return {
      reference: tx.id,
      code: null,
      amount: req.amount,
      details: { ...facts, expiresAt: credit.expiresAt, reused: false, markerWritten },
    };
  }

  async function issueReplacement(req: IssueRequest): Promise<IssueResult> {
    if (!req.orderId) throw new PermanentIssueError('a replacement needs the original order id', 'order_required');
    const orderId = gid('Order', req.orderId);
    const tag = `amends-${digest32(req.idempotencyKey).toLowerCase()}`;
    const found = await gql<{ draftOrders: { nodes: DraftNode[] } }>(DRAFT_LOOKUP, { query: `tag:${tag}` });
    const earlier = found.draftOrders.nodes[0];
    if (earlier) return draftResult(earlier, orderId, true);

    const { order } = await gql<{ order: ReplacementOrder | null }>(REPLACEMENT_ORDER, { id: orderId });
    if (!order) throw new PermanentIssueError(`order ${orderId} was not found in the shop`, 'order_not_found');
    const currencyCode = order.presentmentCurrencyCode;
    const lineItems = order.lineItems.nodes
      .filter((li) => li.currentQuantity > 0)
      .map((li) =>
        li.variant
          ? { variantId: li.variant.id, quantity: li.currentQuantity }
          : {
              title: li.title,
              quantity: li.currentQuantity,
              sku: li.sku,
              requiresShipping: li.requiresShipping,
              originalUnitPriceWithCurrency: li.originalUnitPriceSet.presentmentMoney,
            },
      );
    if (lineItems.length === 0) throw new PermanentIssueError(`order ${orderId} has no items left to replace`, 'nothing_to_replace');
    const customerId = req.customerId ? gid('Customer', req.customerId) : order.customer?.id;
    const input = {
      purchasingEntity: customerId ? { customerId } : undefined,
      email: order.email ?? req.customerEmail ?? undefined,
      note: req.note,
      tags: ['amends', tag],
      presentmentCurrencyCode: currencyCode,
      lineItems,
      appliedDiscount: { valueType: 'PERCENTAGE', value: 100, title: 'Free replacement', description: req.note.slice(0, 255) },
      shippingLine: { title: 'Free replacement shipping', priceWithCurrency: { amount: '0', currencyCode } },
    };
    const data = await gql<{ draftOrderCreate: { draftOrder: DraftNode | null; userErrors: UserError[] } }>(DRAFT_CREATE, { input }, false);
    const { draftOrder, userErrors } = data.draftOrderCreate;
    if (userErrors.length > 0 || !draftOrder) throw rejected('draftOrderCreate', userErrors);
    return draftResult(draftOrder, orderId, false);
  }

  function issueOnce(req: IssueRequest): Promise<IssueResult> {
    switch (req.kind) {
      case 'discount_code':
        return issueDiscount(req);
      case 'refund_partial':
      case 'refund_full':
        return issueRefund(req);
      case 'store_credit':
        return issueStoreCredit(req);
      case 'free_replacement':
        return issueReplacement(req);
      case 'apology_only':
      case 'expedited_shipping':
      case 'free_gift':
      case 'upgrade':
      case 'loyalty_points':
        // No single Shopify mutation does these safely; say so instead of pretending.
        return Promise.reject(
          new PermanentIssueError(`${req.kind} is fulfilled by the store team; the shopify driver cannot issue it`, 'unsupported_kind'),
        );
      default: {
        const never: never = req.kind;
        return Promise.reject(new PermanentIssueError(`unknown offer kind ${String(never)}`, 'unsupported_kind'));
      }
    }
  }

  const inFlight = new Map<string, Promise<IssueResult>>();
  return {
    name: 'shopify',
    issue(req) {
      const key = `${req.storeId}\u0000${req.idempotencyKey}`;
      const running = inFlight.get(key);
      if (running) return running;
      const attempt = issueOnce(req).finally(() => inFlight.delete(key));
      inFlight.set(key, attempt);
      return attempt;
    },
  };
}

// --- retries and errors ---

function graphQLErrors(res: ClientResponse): { message: string; extensions?: { code?: string } }[] {
  return res.errors?.graphQLErrors ?? [];
}

/** Milliseconds to wait before retrying, or null when the failure is not worth a retry now. */
function retryWait(res: ClientResponse, attempt: number, repeatable: boolean): number | null {
  const backoff = Math.min(500 * 2 ** attempt, 30_000);
  const status = res.errors?.networkStatusCode;
  if (graphQLErrors(res).some((e) => e.extensions?.code === 'THROTTLED')) {
    // Wait until the bucket has restored enough points for this query, but never less than the backoff.
    const cost = res.extensions?.cost;
    const t = cost?.throttleStatus;
    if (t?.restoreRate) {
      const missing = (cost?.requestedQueryCost ?? 0) - (t.currentlyAvailable ?? 0);
      return Math.max(backoff, Math.ceil((Math.max(missing, 0) / t.restoreRate) * 1000));
    }
    return backoff;
  }
  if (status === 429) {
    const retryAfter = Number(res.errors?.response?.headers.get('Retry-After'));
    return retryAfter > 0 ? Math.max(backoff, retryAfter * 1000) : backoff;
  }
  // 5xx, or no answer at all: a mutation may have run, so only repeat what is safe to repeat.
  const failedInTransit = (status !== undefined && status >= 500) || (status === undefined && graphQLErrors(res).length === 0);
  return failedInTransit && repeatable ? backoff : null;
}

function describe(res: ClientResponse): string {
  const messages = graphQLErrors(res).map((e) => e.message);
  const status = res.errors?.networkStatusCode;
  return [status ? `HTTP ${status}` : null, ...messages, messages.length ? null : res.errors?.message].filter(Boolean).join('; ');
}

/** A plain (retryable) Error: never carries the request, its headers or the token. */
function toError(res: ClientResponse): Error {
  const status = res.errors?.networkStatusCode;
  if (status === 401 || status === 403)
    return new Error(`Shopify refused the credentials (HTTP ${status}): check the app's access token and scopes`);
  return new Error(`Shopify: ${describe(res) || 'no data in the answer'}`);
}

function rejected(mutation: string, userErrors: UserError[]): PermanentIssueError {
  const text = userErrors.map((e) => `${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ') || 'no result';
  return new PermanentIssueError(`Shopify refused ${mutation}: ${text}`, 'rejected_by_shop');
}

// --- results ---

interface RefundNode {
  id: string;
  note: string | null;
  totalRefundedSet: { presentmentMoney: MoneyV2 };
}
interface RefundOrder {
  id: string;
  presentmentCurrencyCode: string;
  transactions: {
    id: string;
    kind: string;
    status: string;
    gateway: string | null;
    parentTransaction: { id: string } | null;
    amountSet: { presentmentMoney: MoneyV2 };
  }[];
  refunds: RefundNode[];
}
interface DraftNode {
  id: string;
  name: string;
  status: string;
}
interface ReplacementOrder {
  id: string;
  email: string | null;
  presentmentCurrencyCode: string;
  customer: { id: string } | null;
  lineItems: {
    nodes: {
      title: string;
      currentQuantity: number;
      sku: string | null;
      requiresShipping: boolean;
      variant: { id: string } | null;
      originalUnitPriceSet: { presentmentMoney: MoneyV2 };
    }[];
  };
}

function refundResult(refund: RefundNode, orderId: string, reused: boolean): IssueResult {
  const money = refund.totalRefundedSet.presentmentMoney;
  return {
    reference: refund.id,
    code: null,
    amount: { amount: toMinor(money), currency: money.currencyCode },
    details: { orderId, reused },
  };
}

function draftResult(draft: DraftNode, orderId: string, reused: boolean): IssueResult {
  // The merchant completes the draft order; until then nothing ships.
  return { reference: draft.id, code: null, amount: null, details: { draftOrderName: draft.name, status: draft.status, orderId, reused } };
}

// --- money, ids, codes ---

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    throw new PermanentIssueError(`unknown currency ${currency}`, 'invalid_request');
  }
}

/** Integer minor units → Shopify's decimal string: 1250 USD → "12.50", 1250 JPY → "1250". */
export function toDecimal(money: Money): string {
  if (!Number.isSafeInteger(money.amount))
    throw new PermanentIssueError(`amount ${money.amount} is not integer minor units`, 'invalid_request');
  const digits = fractionDigits(money.currency);
  const sign = money.amount < 0 ? '-' : '';
  const abs = String(Math.abs(money.amount));
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** Shopify's decimal string → integer minor units, without floating point ("1250.0" JPY → 1250). */
export function toMinor(money: MoneyV2): number {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(money.amount.trim());
  if (!m) throw new Error(`Shopify sent an unreadable amount ${JSON.stringify(money.amount)}`);
  const digits = fractionDigits(money.currencyCode);
  const frac = (m[3] ?? '').padEnd(digits + 1, '0');
  const units = Number(m[2]) * 10 ** digits + Number(frac.slice(0, digits) || '0') + (Number(frac[digits]) >= 5 ? 1 : 0);
  return m[1] === '-' ? -units : units;
}

function addDays(iso: string, days: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new PermanentIssueError(`now is not a date: ${iso}`, 'invalid_request');
  return new Date(t + days * DAY_MS).toISOString();
}

/** Accepts Shopify's numeric id or an existing GID. */
function gid(type: string, id: string): string {
  if (id.startsWith('gid://shopify/')) return id;
  if (/^\d+$/.test(id)) return `gid://shopify/${type}/${id}`;
  throw new PermanentIssueError(`${JSON.stringify(id)} is not a Shopify ${type} id`, 'invalid_reference');
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 10 base32 characters (50 bits) of sha256: stable per key, so every retry derives the same code or tag. */
function digest32(idempotencyKey: string): string {
  const bytes = createHash('sha256').update(`amends:${idempotencyKey}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 10) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 10) break;
    value &= (1 << bits) - 1;
  }
  return out;
}

export function discountCode(idempotencyKey: string): string {
  return `SORRY-${digest32(idempotencyKey)}`;
}

// --- operations (validated against the vendored Admin schema in test/integration/shopify-driver.test.ts) ---

const DISCOUNT_CREATE = `mutation AmendsDiscountCreate($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;

const DISCOUNT_BY_CODE = `query AmendsDiscountByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) { id }
}`;

const REFUND_ORDER = `query AmendsRefundOrder($id: ID!) {
  order(id: $id) {
    id
    presentmentCurrencyCode
    transactions(first: 250) {
      id kind status gateway
      parentTransaction { id }
      amountSet { presentmentMoney { amount currencyCode } }
    }
    refunds(first: 250) { id note totalRefundedSet { presentmentMoney { amount currencyCode } } }
  }
}`;

const REFUND_CREATE = `mutation AmendsRefund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id note totalRefundedSet { presentmentMoney { amount currencyCode } } }
    userErrors { field message }
  }
}`;

const CREDIT_MARKER = `query AmendsCreditMarker($id: ID!, $key: String!) {
  customer(id: $id) {
    id
    metafield(namespace: "${MARKER_NAMESPACE}", key: $key) { value }
  }
}`;

const CREDIT_CREATE = `mutation AmendsStoreCredit($id: ID!, $credit: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $credit) {
    storeCreditAccountTransaction { id account { id } }
    userErrors { field message code }
  }
}`;

const MARKER_SET = `mutation AmendsMarker($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    userErrors { field message code }
  }
}`;

const DRAFT_LOOKUP = `query AmendsDraftLookup($query: String!) {
  draftOrders(first: 1, query: $query) { nodes { id name status } }
}`;

const REPLACEMENT_ORDER = `query AmendsReplacementOrder($id: ID!) {
  order(id: $id) {
    id
    email
    presentmentCurrencyCode
    customer { id }
    lineItems(first: 250) {
      nodes {
        title currentQuantity sku requiresShipping
        variant { id }
        originalUnitPriceSet { presentmentMoney { amount currencyCode } }
      }
    }
  }
}`;

const DRAFT_CREATE = `mutation AmendsReplacement($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status }
    userErrors { field message }
  }
}`;
