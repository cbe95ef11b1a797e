/**
 * Pure rewrites for erasure: personal words out, anonymous facts (ids,
 * amounts, kinds, severities, statuses, timestamps) kept, so counts and sums
 * still add up after a customer is forgotten.
 */

export const REDACTED = '[redacted]';
/** What a stored webhook payload or outbound delivery becomes once it may mention an erased customer. */
export const REDACTED_JSON = '{"redacted":true}';

/** Fields of event data, activity data and remedy details that hold what a person wrote or who they are. */
export const personalKeys: ReadonlySet<string> = new Set([
  'email',
  'name',
  'firstName',
  'lastName',
  'phone',
  'body',
  'subject',
  'title',
  'comment',
  'note',
  'reason',
  'trackingNumber',
  'pageUrl',
  'address',
  'address1',
  'address2',
  'street',
  'city',
  'zip',
  'postcode',
  'postalCode',
  'why',
  'phrase',
  'cues',
  'text',
  'quote',
]);

/** A machine code (`customer`, `card_declined`) rather than words: says what kind, not who. */
export function isCode(s: string): boolean {
  return /^[a-z][a-z0-9_.-]{0,39}$/.test(s);
}

/** A reason kept when it is a code, replaced when it is prose. */
export function redactReason(s: string | null): string | null {
  return s === null || isCode(s) ? s : REDACTED;
}

function redactAll(v: unknown): unknown {
  if (typeof v === 'string') return REDACTED;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(redactAll);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactAll(x)]));
  return v;
}

/**
 * Replaces every value under a personal key (deeply), keeps everything else.
 * `reason` keeps codes; `tags` become empty (a shop's tags can be anything);
 * order `items` (products) are kept.
 * Evidence quoted from a customer's text (an object with a `span`) loses its
 * `detail` too, which may repeat the words.
 */
export function redactJson(value: unknown, keys: ReadonlySet<string> = personalKeys): unknown {
  if (Array.isArray(value)) return value.map((v) => redactJson(v, keys));
  if (!value || typeof value !== 'object') return value;
  const quoted = 'span' in value || 'phrase' in value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Order lines name products, not people.
    if (k === 'items') out[k] = v;
    else if (k === 'tags' && Array.isArray(v)) out[k] = [];
    else if (k === 'reason' && typeof v === 'string') out[k] = isCode(v) ? v : REDACTED;
    else if (keys.has(k) || (quoted && k === 'detail')) out[k] = v === null ? null : redactAll(v);
    else out[k] = redactJson(v, keys);
  }
  return out;
}

/** A JSON text rewritten by redactJson; null stays null, text that is not JSON is replaced whole. */
export function redactJsonText(text: string | null, keys: ReadonlySet<string> = personalKeys): string | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return JSON.stringify(REDACTED);
  }
  return JSON.stringify(redactJson(parsed, keys));
}

/** Who a stored webhook payload may be about. */
export interface Mentions {
  ids: ReadonlySet<string>;
  /** Lower-case e-mail addresses and phone numbers as written. */
  contacts: ReadonlySet<string>;
}

const idKeys = new Set(['id', 'customer_id', 'order_id', 'last_order_id']);

/** Does a webhook payload name one of these customers or orders, by id, e-mail or phone? */
export function mentions(value: unknown, m: Mentions, key?: string): boolean {
  if (typeof value === 'string') {
    if (m.contacts.has(value.trim().toLowerCase())) return true;
    return key !== undefined && idKeys.has(key) && m.ids.has(value);
  }
  if (typeof value === 'number') return key !== undefined && idKeys.has(key) && m.ids.has(String(value));
  if (Array.isArray(value))
    return value.some((v) => mentions(v, m, key === 'orders_to_redact' || key === 'orders_requested' ? 'id' : undefined));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => mentions(v, m, k));
  return false;
}
