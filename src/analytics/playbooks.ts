/**
 * Playbooks, the pure part: turning a resolved case's facts into a draft (scenario, steps, messages with personal
 * data replaced by placeholders, remedy, outcome), filling the placeholders for another customer, ranking
 * playbooks for a case by scenario, summing up a track record, and the words full-text search sees. No I/O:
 * playbooks.service.ts loads the data and persists the results.
 */

export interface PlaybookStep {
  title: string;
  detail: string;
}

export interface PlaybookRemedy {
  kind: string;
  label: string;
  /** Minor units, for money remedies. */
  amount: number | null;
  percentOff: number | null;
  points: number | null;
  currency: string;
}

export interface PlaybookOutcome {
  /** Wall-clock minutes from the case opening to its resolution. */
  resolutionMinutes: number | null;
  /** Wall-clock minutes to the first reply written by a person. */
  firstResponseMinutes: number | null;
  /** Average CSAT the customer gave for the case (1–5), null when unanswered. */
  csat: number | null;
  /** Whether the customer ordered again after the resolution (as of when the playbook was made). */
  repurchased: boolean;
  /** Days from resolution to that next order. */
  repurchaseDays: number | null;
}

export interface Scenario {
  kind: string;
  severity: number;
  tier: string | null;
  emotion: string | null;
}

/** Who the personal data belongs to: each value found in a text becomes its placeholder. */
export interface Person {
  name: string | null;
  email: string | null;
  phone: string | null;
  orderId: string | null;
}

/** The placeholders a playbook message may hold, and what fills them when nothing is known. */
export const placeholderFallbacks: Readonly<Record<string, string>> = {
  'customer.name': 'there',
  'customer.firstName': 'there',
  'customer.lastName': '',
  'customer.email': 'your e-mail address',
  'customer.phone': 'your phone number',
  'order.id': 'your order',
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/** A literal, case-insensitive, on word boundaries (letters and digits of any script). */
function wordRe(literal: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(literal)}(?![\\p{L}\\p{N}])`, 'giu');
}

const EMAIL_RE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
/** A phone-like run: optional +, then at least 7 digits with spaces, dots, dashes or parentheses between. */
const PHONE_RE = /(?<![\p{L}\p{N}])\+?\(?\d(?:[\d\s().-]{5,}\d)(?![\p{L}\p{N}])/gu;

/**
 * Replaces the person's data in a text by placeholders: full name, then first and last names, e-mail, phone and
 * order id; then any other e-mail address or phone-like number (someone else's data is personal too).
 */
export function anonymize(text: string, person: Person): string {
  const pairs: [string, string][] = [];
  const name = person.name?.trim().replace(/\s+/gu, ' ') ?? '';
  if (person.email) pairs.push([person.email, '{{customer.email}}']);
  if (person.orderId && person.orderId.length >= 3) pairs.push([person.orderId, '{{order.id}}']);
  if (name) {
    pairs.push([name, '{{customer.name}}']);
    const parts = name.split(' ').filter((p) => p.length >= 2);
    if (parts.length > 1) pairs.push([parts.at(-1)!, '{{customer.lastName}}']);
    if (parts[0]) pairs.push([parts[0], '{{customer.firstName}}']);
    // Middle names: gone too, with no placeholder of their own.
    for (const mid of parts.slice(1, -1)) pairs.push([mid, '']);
  }
  let out = text;
  for (const [literal, placeholder] of pairs) out = out.replace(wordRe(literal), placeholder);
  out = out.replace(EMAIL_RE, '{{customer.email}}');
  // Dates (2026-03-01) and times are not phone numbers.
  out = out.replace(PHONE_RE, (m) =>
    (m.match(/\d/gu)?.length ?? 0) >= 7 && !/^\d{4}-\d{2}-\d{2}$/u.test(m.trim()) ? '{{customer.phone}}' : m,
  );
  return out.replace(/ {2,}/gu, ' ');
}

/** Fills `{{customer.firstName}}` and the like; unknown values take their fallback, unknown placeholders stay. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string | null | undefined>>): string {
  return text.replace(/\{\{\s*([a-zA-Z]+\.[a-zA-Z]+)\s*\}\}/gu, (m, key: string) => {
    const v = values[key];
    if (v !== undefined && v !== null && v !== '') return v;
    return placeholderFallbacks[key] ?? m;
  });
}

/** The placeholder values for a customer. */
export function placeholderValues(p: Person): Record<string, string | null> {
  const parts = (p.name ?? '').trim().split(/\s+/u).filter(Boolean);
  return {
    'customer.name': parts.length ? parts.join(' ') : null,
    'customer.firstName': parts[0] ?? null,
    'customer.lastName': parts.length > 1 ? parts.at(-1)! : null,
    'customer.email': p.email,
    'customer.phone': p.phone,
    'order.id': p.orderId,
  };
}

/**
 * The words full-text search sees, the same on both engines: lower case, diacritics removed, every run of
 * letters and digits a word, single spaces between. (FTS5's unicode61 and PostgreSQL's `simple` configuration
 * then split it the same way.)
 */
export function normalizeWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export function searchTextOf(p: {
  title: string;
  summary: string;
  steps: PlaybookStep[];
  messages: string[];
  remedy: PlaybookRemedy | null;
}): string {
  const parts = [p.title, p.summary, ...p.steps.flatMap((s) => [s.title, s.detail]), ...p.messages, p.remedy?.label ?? ''];
  // Placeholders are not words a searcher types: `{{customer.firstName}}` would index "customer" everywhere.
  return normalizeWords(parts.join(' ').replace(/\{\{[^}]*\}\}/gu, ' ')).join(' ');
}

/** At most this many words of a query are used (each must match, as a prefix). */
export const MAX_QUERY_TERMS = 8;

export function searchTerms(q: string): string[] {
  return [...new Set(normalizeWords(q))].slice(0, MAX_QUERY_TERMS);
}

/** The facts of a resolved case a draft is made from (loaded by the service). */
export interface CaseFacts {
  number: number;
  subject: string | null;
  scenario: Scenario;
  createdAt: string;
  resolvedAt: string;
  person: Person;
  /** Oldest first. */
  messages: { kind: string; authorType: string; body: string; createdAt: string; template: string | null }[];
  /** Compensations of the case that went out (or were approved). */
  remedies: (PlaybookRemedy & { status: string })[];
  csatScores: number[];
  /** The customer's first order placed after the resolution, if any. */
  nextOrderAt: string | null;
}

export interface PlaybookDraft {
  title: string;
  summary: string;
  scenario: Scenario;
  steps: PlaybookStep[];
  messages: string[];
  remedy: PlaybookRemedy | null;
  outcome: PlaybookOutcome;
}

const MINUTE = 60_000;
const minutesBetween = (a: string, b: string) => Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / MINUTE));

const kindWords: Record<string, string> = {
  delivery_late: 'late delivery',
  delivery_lost: 'lost parcel',
  damaged_item: 'damaged item',
  wrong_item: 'wrong item',
  missing_item: 'missing item',
  quality_defect: 'quality defect',
  payment_problem: 'payment problem',
  billing_error: 'billing error',
  refund_request: 'refund request',
  cancellation: 'cancellation',
  account_access: 'account access',
  website_bug: 'website bug',
  rude_service: 'rude service',
  other: 'other issue',
};

export const kindLabel = (kind: string): string => kindWords[kind] ?? kind.replaceAll('_', ' ');

const severityWords = ['', 'minor', 'moderate', 'major', 'critical'];

function money(r: PlaybookRemedy): string {
  if (r.amount !== null) return `${(r.amount / 100).toFixed(2)} ${r.currency}`;
  if (r.percentOff !== null) return `${r.percentOff}% off`;
  if (r.points !== null) return `${r.points} points`;
  return '';
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1).trimEnd()}…`);

/** A playbook draft from a resolved case: the steps as the timeline shows them, messages without personal data. */
export function draftFromCase(f: CaseFacts): PlaybookDraft {
  const people = f.messages.filter((m) => m.kind === 'reply' && (m.authorType === 'user' || m.authorType === 'token'));
  const ack = f.messages.find((m) => m.authorType === 'system' && m.template !== null && /(^|\/)ack$/u.test(m.template));
  const issued = f.remedies.find((r) => r.status === 'issued') ?? f.remedies[0] ?? null;
  const remedy: PlaybookRemedy | null = issued
    ? {
        kind: issued.kind,
        label: issued.label,
        amount: issued.amount,
        percentOff: issued.percentOff,
        points: issued.points,
        currency: issued.currency,
      }
    : null;
  const steps: PlaybookStep[] = [];
  if (ack) {
    steps.push({
      title: 'Acknowledge at once',
      detail: `The automatic acknowledgement went out ${minutesBetween(f.createdAt, ack.createdAt)} min after the complaint.`,
    });
  }
  for (const [i, m] of people.entries()) {
    steps.push({
      title: i === 0 ? 'Own the problem in the first reply' : 'Keep the customer informed',
      detail: clip(anonymize(m.body, f.person).replace(/\s+/gu, ' ').trim(), 280),
    });
  }
  if (remedy) {
    steps.push({ title: `Offer the remedy: ${remedy.label}`, detail: [kindLabel(remedy.kind), money(remedy)].filter(Boolean).join(', ') });
  }
  steps.push({
    title: 'Resolve and follow up',
    detail: `Resolved ${formatDuration(minutesBetween(f.createdAt, f.resolvedAt))} after the complaint; the check-in survey follows.`,
  });
  const firstHuman = people[0];
  const csat = f.csatScores.length ? round1(f.csatScores.reduce((a, b) => a + b, 0) / f.csatScores.length) : null;
  const outcome: PlaybookOutcome = {
    resolutionMinutes: minutesBetween(f.createdAt, f.resolvedAt),
    firstResponseMinutes: firstHuman ? minutesBetween(f.createdAt, firstHuman.createdAt) : null,
    csat,
    repurchased: f.nextOrderAt !== null,
    repurchaseDays: f.nextOrderAt ? Math.floor((Date.parse(f.nextOrderAt) - Date.parse(f.resolvedAt)) / 86_400_000) : null,
  };
  const s = f.scenario;
  const who = s.tier ? `${s.tier} customer` : 'customer';
  const title = clip(`${capitalize(kindLabel(s.kind))}: ${severityWords[s.severity] ?? ''} ${who}`.replace(/\s+/gu, ' '), 120);
  const summary = clip(
    [
      `From case #${f.number}${f.subject ? ` (${anonymize(f.subject, f.person)})` : ''}.`,
      s.emotion && s.emotion !== 'neutral' ? `The customer was ${emotionWord(s.emotion)}.` : '',
      remedy ? `Remedy: ${remedy.label}.` : 'No remedy was needed.',
      csat !== null ? `CSAT ${csat}.` : '',
    ]
      .filter(Boolean)
      .join(' '),
    1000,
  );
  return {
    title,
    summary,
    scenario: s,
    steps,
    messages: people.map((m) => anonymize(m.body, f.person)),
    remedy,
    outcome,
  };
}

const emotionWords: Record<string, string> = {
  anger: 'angry',
  frustration: 'frustrated',
  disappointment: 'disappointed',
  anxiety: 'anxious',
  confusion: 'confused',
  satisfied: 'satisfied',
};
const emotionWord = (e: string) => emotionWords[e] ?? e;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const round1 = (n: number) => Math.round(n * 10) / 10;

export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${round1(minutes / 60)} h`;
  return `${round1(minutes / 1440)} days`;
}

export interface ScenarioMatch {
  /** Higher is closer: kind dominates, then severity distance, then tier, then emotion. */
  score: number;
  kind: boolean;
  severityDistance: number;
  tier: boolean;
  emotion: boolean;
}

/**
 * How close a playbook's scenario is to a case's. The same kind is required (a damaged-item playbook does not
 * help with a late parcel): null otherwise. Within the kind the score orders lexicographically: severity
 * distance (0–3) first, then the same tier, then the same emotion.
 */
export function scenarioMatch(c: Scenario, p: Scenario): ScenarioMatch | null {
  if (c.kind !== p.kind) return null;
  const severityDistance = Math.abs(c.severity - p.severity);
  const tier = c.tier !== null && c.tier === p.tier;
  const emotion = c.emotion !== null && c.emotion === p.emotion;
  return { score: 1000 + (3 - severityDistance) * 100 + (tier ? 10 : 0) + (emotion ? 1 : 0), kind: true, severityDistance, tier, emotion };
}

/** A case a playbook was applied to, with what became of it. */
export interface AppliedCase {
  status: string;
  csatScores: number[];
  /** Sum of the case's compensations that went out (or are approved), minor units. */
  cost: number;
}

export interface TrackRecord {
  applied: number;
  resolved: number;
  /** resolved / applied, 0–1; null when never applied. */
  resolvedShare: number | null;
  /** Mean of all CSAT answers on those cases. */
  avgCsat: number | null;
  csatAnswers: number;
  /** Mean remedy cost per applied case, minor units (rounded). */
  avgCost: number | null;
  currency: string;
}

export function trackRecord(cases: AppliedCase[], currency: string): TrackRecord {
  const applied = cases.length;
  const resolved = cases.filter((c) => c.status === 'resolved' || c.status === 'closed').length;
  const scores = cases.flatMap((c) => c.csatScores);
  return {
    applied,
    resolved,
    resolvedShare: applied ? resolved / applied : null,
    avgCsat: scores.length ? round1(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
    csatAnswers: scores.length,
    avgCost: applied ? Math.round(cases.reduce((a, c) => a + c.cost, 0) / applied) : null,
    currency,
  };
}
