/**
 * Text triage: a pure, deterministic classifier for an inbound customer message.
 * No clock, no randomness, no I/O: the same input always gives the same result.
 * All lexicons are compiled into one phrase matcher at module load; a call tokenises
 * the text once, runs the matcher once and VADER once (sentiment.ts). See docs/triage.md.
 */
import type { Emotion, Evidence, FlagLabel, IssueKind, Severity, TriageContext, TriageInput, TriageResult } from './labels.ts';
import { generatedEmotionWords } from './lexicons/emotions.generated.ts';
import { EMOTICONS, emoticonEmotion, emotionCues, intensifiers } from './lexicons/emotions.ts';
import { kindCues, typoExceptions, typoTargets } from './lexicons/kinds.ts';
import { languageWords } from './lexicons/language.ts';
import {
  churnCues,
  eventLossCues,
  eventWords,
  legalCues,
  repeatCues,
  safetyCues,
  type UrgencyType,
  urgencyCues,
} from './lexicons/threats.ts';
import type { CueBase } from './lexicons/types.ts';
import { polarityScores } from './sentiment.ts';
import {
  NEGATORS,
  negatorBefore,
  normalizeWord,
  type PhraseEntry,
  type PhraseMatch,
  PhraseMatcher,
  type Token,
  TypoCorrector,
  tokenize,
} from './text.ts';

// ── compiled lexicons ─────────────────────────────────────────────────────────

type Group = 'kind' | 'emotion' | 'churn' | 'legal' | 'repeat' | 'urgency' | 'safety' | 'event_loss' | 'event';

interface Cue {
  group: Group;
  /** Kind, emotion or urgency type. */
  label: string;
  weight: number;
  negatable: boolean;
  negated: Emotion | null;
  notAfter: ReadonlySet<string> | undefined;
  notBefore: ReadonlySet<string> | undefined;
  action: boolean;
  /** `generated`: a tweet-derived emotion word (emotions.generated.ts). */
  source: 'lexicon' | 'generated';
}

function entries(group: Group, cues: readonly CueBase[], label: (c: CueBase) => string, extra: (c: CueBase) => Partial<Cue> = () => ({})) {
  const out: PhraseEntry<Cue>[] = [];
  for (const c of cues) {
    const data: Cue = {
      group,
      label: label(c),
      weight: 1,
      negatable: c.negatable ?? false,
      negated: null,
      notAfter: c.notAfter ? new Set(c.notAfter) : undefined,
      notBefore: c.notBefore ? new Set(c.notBefore) : undefined,
      action: c.action ?? false,
      source: 'lexicon',
      ...extra(c),
    };
    for (const phrase of c.phrases) out.push({ phrase, data });
  }
  return out;
}

const generatedEmotion = { anger: 'anger', sadness: 'disappointment', positive: 'satisfied' } as const;

/** A word the hand-written emotion cues already cover: the hand-written cue (with its negation and exceptions) decides. */
const handWritten = (() => {
  const words = new Set<string>();
  const prefixes: string[] = [];
  for (const c of emotionCues) {
    for (const p of c.phrases) {
      if (p.includes(' ')) continue;
      for (const alt of p.split('|')) {
        if (alt.endsWith('*')) prefixes.push(normalizeWord(alt.slice(0, -1)));
        else words.add(normalizeWord(alt));
      }
    }
  }
  return (word: string) => words.has(word) || prefixes.some((p) => word.startsWith(p));
})();

const MATCHER = new PhraseMatcher<Cue>([
  ...entries(
    'kind',
    kindCues,
    (c) => (c as (typeof kindCues)[number]).kind,
    (c) => ({ weight: (c as (typeof kindCues)[number]).weight }),
  ),
  ...entries(
    'emotion',
    emotionCues,
    (c) => (c as (typeof emotionCues)[number]).emotion,
    (c) => {
      const e = c as (typeof emotionCues)[number];
      return { weight: e.weight, negatable: true, negated: e.negated ?? null };
    },
  ),
  ...Object.entries(generatedEmotionWords).flatMap(([cls, words]) =>
    Object.entries(words)
      .filter(([word]) => !handWritten(word))
      .map(([word, z]) => ({
        phrase: word,
        data: {
          group: 'emotion',
          label: generatedEmotion[cls as keyof typeof generatedEmotion],
          // z 2 → 0.5 … z ≥ 8 → 1.1: always below a hand-written cue.
          weight: Math.round((0.3 + 0.1 * Math.min(z, 8)) * 100) / 100,
          negatable: true,
          negated: null,
          notAfter: undefined,
          notBefore: undefined,
          action: false,
          source: 'generated',
        } satisfies Cue,
      })),
  ),
  ...entries('churn', churnCues, () => 'churn'),
  ...entries('legal', legalCues, () => 'legal'),
  ...entries('repeat', repeatCues, () => 'repeat'),
  ...entries('urgency', urgencyCues, (c) => (c as (typeof urgencyCues)[number]).type),
  ...entries('safety', safetyCues, () => 'safety'),
  ...entries('event_loss', eventLossCues, () => 'event_loss'),
  ...entries('event', eventWords, () => 'event'),
]);

const INTENSIFIERS = new Set(intensifiers);
/** "I can't track my order" is the complaint, not a negation of it. */
const ABILITY = new Set(['cant', 'couldnt', 'unable', 'cannot']);
const TYPOS = new TypoCorrector(typoTargets, 6, new Set(typoExceptions));

const LANGUAGES = Object.keys(languageWords);
/** Word → the languages listing it, as indices into LANGUAGES. */
const LANGUAGE_WORDS = (() => {
  const byWord = new Map<string, number[]>();
  LANGUAGES.forEach((lang, li) => {
    for (const w of new Set(languageWords[lang]!.split(/\s+/))) {
      const list = byWord.get(w);
      if (list) list.push(li);
      else byWord.set(w, [li]);
    }
  });
  return byWord;
})();
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish',
  de: 'German',
  fr: 'French',
  it: 'Italian',
  pt: 'Portuguese',
  nl: 'Dutch',
};

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DATE_PATTERN = new RegExp(
  `\\b(?:by|before|until|on|for)\\s+(?:the\\s+)?(?:${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}|\\d{1,2}[/.]\\d{1,2}(?:[/.]\\d{2,4})?)\\b`,
  'gi',
);
const EXCLAIM = /!{2,}/g;

/** When two kinds score the same, the more specific one wins. */
const KIND_PRIORITY: readonly IssueKind[] = [
  'damaged_item',
  'wrong_item',
  'missing_item',
  'delivery_lost',
  'quality_defect',
  'billing_error',
  'payment_problem',
  'rude_service',
  'refund_request',
  'cancellation',
  'delivery_late',
  'account_access',
  'website_bug',
  'other',
];
/** Below this score the message reads as neutral: one polite "thanks" is not satisfaction. */
const MIN_EMOTION_SCORE = 0.5;
const EMOTION_PRIORITY: readonly Emotion[] = ['anger', 'frustration', 'anxiety', 'disappointment', 'confusion', 'satisfied', 'neutral'];

/** Severity a kind starts at (DESIGN.md §4): 3 when the order is ruined or money is at stake. */
const BASE_SEVERITY: Record<IssueKind, Severity> = {
  delivery_late: 2,
  delivery_lost: 3,
  damaged_item: 3,
  wrong_item: 2,
  missing_item: 2,
  quality_defect: 2,
  payment_problem: 2,
  billing_error: 3,
  refund_request: 2,
  cancellation: 1,
  account_access: 2,
  website_bug: 1,
  rude_service: 2,
  other: 1,
};
/** Kinds where a large order total means a large loss (severity 4), not just more at stake (3). */
const LOSS_KINDS: ReadonlySet<IssueKind> = new Set([
  'delivery_lost',
  'damaged_item',
  'wrong_item',
  'missing_item',
  'quality_defect',
  'billing_error',
  'payment_problem',
  'refund_request',
]);
const ITEM_KINDS: ReadonlySet<IssueKind> = new Set(['damaged_item', 'wrong_item', 'missing_item']);
const ORDER_KINDS: ReadonlySet<IssueKind> = new Set([
  'delivery_late',
  'delivery_lost',
  'damaged_item',
  'wrong_item',
  'missing_item',
  'quality_defect',
]);
export const LARGE_AMOUNT_MINOR = 50_000;
/** A kind cue is "clear" (enough to beat a context flag for an item problem, or billing over a failed payment) from this score. */
const CLEAR_SCORE = 3;

// ── helpers ───────────────────────────────────────────────────────────────────

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp01 = (n: number) => Math.max(0, Math.min(1, n));

interface Hit {
  cue: Cue;
  m: PhraseMatch<Cue>;
  /** Span, widened to the negator when the cue was negated. */
  start: number;
  end: number;
  negated: boolean;
  weight: number;
}

function evidence(text: string, rule: string, start: number, end: number, detail: string, weight?: number): Evidence {
  const e: Evidence = { rule, phrase: text.slice(start, end), span: [start, end], detail };
  if (weight !== undefined) e.weight = round2(weight);
  return e;
}

function qualify(m: PhraseMatch<Cue>, tokens: readonly Token[]): Hit | undefined {
  const cue = m.data;
  if (cue.notAfter && m.first > 0 && cue.notAfter.has(tokens[m.first - 1]!.norm)) return undefined;
  if (cue.notBefore && m.last + 1 < tokens.length && cue.notBefore.has(tokens[m.last + 1]!.norm)) return undefined;
  // Emotion words are negated only by a close negator ("not happy", "not very happy").
  let neg = cue.negatable ? negatorBefore(tokens, m.first, cue.group === 'emotion' ? 2 : 3) : undefined;
  if (neg && cue.action && ABILITY.has(neg.norm)) neg = undefined;
  if (cue.negatable && !neg && m.last - m.first + 1 > m.hit.length) {
    // A negator skipped by a gap: "box was not damaged".
    for (let i = m.first + 1; i < m.last && !neg; i++) if (!m.hit.includes(i) && NEGATORS.has(tokens[i]!.norm)) neg = tokens[i];
    if (neg) return { cue, m, start: m.start, end: m.end, negated: true, weight: cue.weight };
  }
  return { cue, m, start: neg ? neg.start : m.start, end: m.end, negated: neg !== undefined, weight: cue.weight };
}

function overlaps(a: readonly number[], covered: ReadonlySet<number>): boolean {
  for (const i of a) if (covered.has(i)) return true;
  return false;
}

// ── kind ──────────────────────────────────────────────────────────────────────

interface KindScore {
  kind: IssueKind;
  score: number;
  hits: Hit[];
}

function scoreKinds(hits: readonly Hit[]): { ranked: KindScore[]; negated: Hit[] } {
  const live = hits.filter((h) => !h.negated);
  // Longest phrase first: "cancel my account" (other) hides the "cancel" inside it.
  live.sort((a, b) => b.m.hit.length - a.m.hit.length || b.weight - a.weight || a.start - b.start);
  const covered = new Set<number>();
  const byKind = new Map<IssueKind, KindScore>();
  for (const h of live) {
    if (overlaps(h.m.hit, covered)) continue;
    for (const i of h.m.hit) covered.add(i);
    const kind = h.cue.label as IssueKind;
    const s = byKind.get(kind) ?? { kind, score: 0, hits: [] };
    s.score += h.weight;
    s.hits.push(h);
    byKind.set(kind, s);
  }
  const ranked = [...byKind.values()].sort((a, b) => b.score - a.score || KIND_PRIORITY.indexOf(a.kind) - KIND_PRIORITY.indexOf(b.kind));
  for (const r of ranked) r.hits.sort((a, b) => a.start - b.start);
  return { ranked, negated: hits.filter((h) => h.negated) };
}

function kindConfidence(ranked: readonly KindScore[]): number {
  const s1 = ranked[0]?.score ?? 0;
  if (s1 === 0) return 0.3;
  const s2 = ranked[1]?.score ?? 0;
  return round2(Math.min(0.97, (1 - Math.exp(-s1 / 2.5)) * (0.55 + (0.45 * (s1 - s2)) / s1)));
}

function scoreOf(ranked: readonly KindScore[], kind: IssueKind): number {
  for (const r of ranked) if (r.kind === kind) return r.score;
  return 0;
}

/** The kind label: `lead` (context evidence) first, then the text cues for `value`, then what negation cancelled. */
function kindResult(
  text: string,
  ranked: readonly KindScore[],
  negated: readonly Evidence[],
  value: IssueKind,
  confidence: number,
  lead: Evidence[],
): TriageResult['kind'] {
  const ev = lead;
  for (const r of ranked) {
    if (r.kind !== value) continue;
    for (const h of r.hits) {
      ev.push(evidence(text, 'kind.lexicon', h.start, h.end, `"${text.slice(h.start, h.end)}" is a ${value} cue.`, h.weight));
    }
  }
  for (const e of negated) ev.push(e);
  return { value, confidence, evidence: ev };
}

/** Negated cues, once each: of overlapping ones ("box was not damaged", "not damaged") the widest. */
function negatedEvidence(text: string, negated: readonly Hit[]): Evidence[] {
  const out: Evidence[] = [];
  for (const h of negated) {
    let inside = false;
    for (const o of negated) {
      if (o !== h && o.start <= h.start && o.end >= h.end && (o.start < h.start || o.end > h.end)) {
        inside = true;
        break;
      }
    }
    if (!inside) out.push(evidence(text, 'kind.negated', h.start, h.end, `Negated, so it does not count for ${h.cue.label}.`, 0));
  }
  return out;
}

function classifyKind(text: string, hits: readonly Hit[], ctx: TriageContext): TriageResult['kind'] {
  const { ranked, negated: negatedHits } = scoreKinds(hits);
  const negated = negatedEvidence(text, negatedHits);
  const top = ranked[0];

  // Context outranks text.
  if (ctx.shipmentLost) {
    return kindResult(text, ranked, negated, 'delivery_lost', 0.95, [
      { rule: 'context.shipment_lost', detail: 'The carrier marked a shipment of this order lost.' },
    ]);
  }
  if (ctx.shipmentLate) {
    if (top && ITEM_KINDS.has(top.kind) && top.score >= CLEAR_SCORE) {
      return kindResult(text, ranked, negated, top.kind, kindConfidence(ranked), [
        {
          rule: 'context.shipment_late',
          detail: `A shipment of this order is also late, but the customer clearly describes ${top.kind}, which wins.`,
          weight: 0,
        },
      ]);
    }
    return kindResult(text, ranked, negated, 'delivery_late', 0.95, [
      { rule: 'context.shipment_late', detail: 'A shipment of this order is past its promised date.' },
    ]);
  }
  if (ctx.paymentFailed) {
    if (scoreOf(ranked, 'billing_error') >= CLEAR_SCORE) {
      return kindResult(text, ranked, negated, 'billing_error', 0.9, [
        {
          rule: 'context.payment_failed',
          detail: 'A payment failed, but the customer clearly says they were charged wrongly (billing_error wins).',
          weight: 0,
        },
      ]);
    }
    return kindResult(text, ranked, negated, 'payment_problem', 0.95, [
      { rule: 'context.payment_failed', detail: 'A payment for this order failed.' },
    ]);
  }
  if (ctx.orderCancelled && scoreOf(ranked, 'refund_request') > 0) {
    return kindResult(text, ranked, negated, 'refund_request', 0.9, [
      { rule: 'context.order_cancelled', detail: 'The order was cancelled and the customer asks about their money.' },
    ]);
  }
  if (ctx.shipmentException && (!top || top.kind === 'other' || top.kind === 'delivery_late')) {
    return kindResult(text, ranked, negated, 'delivery_late', 0.8, [
      { rule: 'context.shipment_exception', detail: 'The carrier reported an exception on a shipment of this order.' },
    ]);
  }
  if (!top) {
    return kindResult(text, ranked, negated, 'other', 0.3, [{ rule: 'kind.default', detail: 'No issue-kind cue matched.' }]);
  }
  return kindResult(text, ranked, negated, top.kind, kindConfidence(ranked), []);
}

// ── flags ─────────────────────────────────────────────────────────────────────

function flag(text: string, hits: readonly Hit[], rule: string, what: string): FlagLabel {
  const live = hits.filter((h) => !h.negated);
  return {
    value: live.length > 0,
    evidence: live.map((h) => evidence(text, rule, h.start, h.end, `"${text.slice(h.start, h.end)}" ${what}.`)),
  };
}

function addUrgency(text: string, u: TriageResult['urgency'], seen: Set<string>, type: UrgencyType, start: number, end: number): void {
  const phrase = text.slice(start, end);
  const key = phrase.toLowerCase();
  if (!seen.has(key)) {
    seen.add(key);
    u.cues.push(key);
  }
  u.evidence.push(evidence(text, `urgency.${type}`, start, end, `"${phrase}" puts a ${type} on it.`));
}

function urgencyLabel(text: string, hits: readonly Hit[]): TriageResult['urgency'] {
  const u: TriageResult['urgency'] = { value: false, evidence: [], cues: [] };
  const seen = new Set<string>();
  for (const h of hits) if (!h.negated) addUrgency(text, u, seen, h.cue.label as UrgencyType, h.m.start, h.m.end);
  DATE_PATTERN.lastIndex = 0;
  for (let m = DATE_PATTERN.exec(text); m !== null; m = DATE_PATTERN.exec(text))
    addUrgency(text, u, seen, 'date', m.index, m.index + m[0].length);
  if (u.evidence.length > 1) u.evidence.sort((a, b) => a.span![0] - b.span![0]);
  u.value = u.cues.length > 0;
  return u;
}

function eventMissed(text: string, tokens: readonly Token[], events: readonly Hit[], losses: readonly Hit[]): Evidence | undefined {
  for (const e of events) {
    if (tokens[e.m.first]!.norm === 'funeral') {
      return evidence(text, 'severity.event_missed', e.m.start, e.m.end, 'A funeral is at stake: it cannot be moved or repeated.');
    }
    for (const l of losses) {
      if (l.negated) continue;
      const distance = l.m.first > e.m.last ? l.m.first - e.m.last : e.m.first - l.m.last;
      if (distance > 0 && distance <= 8) {
        const start = Math.min(e.m.start, l.m.start);
        const end = Math.max(e.m.end, l.m.end);
        return evidence(text, 'severity.event_missed', start, end, 'An event the customer cannot get back was missed or ruined.');
      }
    }
  }
  return undefined;
}

// ── severity ──────────────────────────────────────────────────────────────────

function severityLabel(
  text: string,
  tokens: readonly Token[],
  kind: IssueKind,
  groups: Record<Group, Hit[]>,
  flags: { legal: FlagLabel; repeat: FlagLabel; urgency: TriageResult['urgency'] },
  ctx: TriageContext,
): TriageResult['severity'] {
  const base = BASE_SEVERITY[kind];
  const ev: Evidence[] = [{ rule: 'severity.base', detail: `${kind} starts at severity ${base}.`, weight: base }];
  const h = groups.safety.find((x) => !x.negated);
  if (h) {
    raise(
      ev,
      4,
      evidence(text, 'severity.safety', h.start, h.end, 'A safety risk (fire, burn, injury, allergy, shock, choking) is critical.'),
    );
  }
  const legal = flags.legal.evidence[0];
  if (legal) {
    raise(ev, 4, {
      ...legal,
      rule: 'severity.legal_threat',
      detail: 'A legal or public threat (chargeback, lawyer, regulator, review) is critical.',
    });
  }
  const missed = eventMissed(text, tokens, groups.event, groups.event_loss);
  if (missed) raise(ev, 4, missed);
  if (ctx.orderTotalMinor !== undefined && ctx.orderTotalMinor >= LARGE_AMOUNT_MINOR) {
    raise(ev, LOSS_KINDS.has(kind) ? 4 : 3, {
      rule: 'severity.large_amount',
      detail: `The order total (${ctx.orderTotalMinor} minor units) is at least ${LARGE_AMOUNT_MINOR}${LOSS_KINDS.has(kind) ? ': a large loss' : ''}.`,
    });
  }
  const repeat = flags.repeat.evidence[0];
  if (repeat) raise(ev, 3, { ...repeat, rule: 'severity.repeat_contact', detail: 'A repeated failure or contact is major.' });
  if (ctx.reviewRating === 1) raise(ev, 3, { rule: 'severity.review_rating', detail: 'The text comes with a one-star review.' });
  if (!missed && ORDER_KINDS.has(kind)) {
    const event = flags.urgency.evidence.find((e) => e.rule === 'urgency.event' || e.rule === 'urgency.trip');
    if (event) raise(ev, 3, { ...event, rule: 'severity.event_at_risk', detail: 'An event or trip depends on this order.' });
  }
  let value = base;
  for (const e of ev) if ((e.weight as Severity) > value) value = e.weight as Severity;
  return { value, evidence: ev };
}

function raise(ev: Evidence[], to: Severity, e: Evidence): void {
  e.weight = to;
  ev.push(e);
}

// ── emotion ───────────────────────────────────────────────────────────────────

function emotionLabel(
  text: string,
  tokens: readonly Token[],
  hits: readonly Hit[],
  compound: number,
  flags: { repeat: boolean; churn: boolean; legal: boolean },
  describesFailure: boolean,
): TriageResult['emotion'] {
  const tally = new EmotionTally();
  const scores = tally.scores;
  const cues = tally.cues;
  const handTokens = new Set<number>();
  for (const h of hits) if (h.cue.source === 'lexicon') for (const i of h.m.hit) handTokens.add(i);
  let intensified = 0;
  const intensityEvidence: Evidence[] = [];

  const counted = new Set<string>();
  for (const h of hits) {
    if (h.cue.source === 'generated' && overlaps(h.m.hit, handTokens)) continue;
    // Each cue counts once: "Thanks! … Thanks, Pat" is still one polite thank-you.
    const key = `${h.cue.label}|${h.m.pattern}|${h.negated}`;
    if (counted.has(key)) continue;
    counted.add(key);
    const phrase = text.slice(h.start, h.end);
    if (h.negated) {
      if (h.cue.negated) {
        tally.add(
          h.cue.negated,
          h.weight * 0.8,
          evidence(text, 'emotion.negated', h.start, h.end, `"${phrase}" reads as ${h.cue.negated}.`, h.weight * 0.8),
        );
      }
      continue;
    }
    let weight = h.weight;
    const before = tokens[h.m.first - 1];
    const before2 = tokens[h.m.first - 2];
    const clause = tokens[h.m.first]!.clause;
    const intensifier = isIntensifier(before, clause) ? before : isIntensifier(before2, clause) ? before2 : undefined;
    if (intensifier) {
      weight *= 1.5;
      intensified++;
      intensityEvidence.push(
        evidence(
          text,
          'emotion.intensifier',
          intensifier.start,
          h.end,
          `"${intensifier.raw}" strengthens "${text.slice(h.m.start, h.m.end)}".`,
        ),
      );
    }
    const emotion = h.cue.label as Emotion;
    const rule = tokens[h.m.first]!.emoji ? 'emotion.emoji' : h.cue.source === 'generated' ? 'emotion.generated' : 'emotion.lexicon';
    tally.add(emotion, weight, evidence(text, rule, h.m.start, h.m.end, `"${phrase}" signals ${emotion}.`, weight));
  }

  EMOTICONS.lastIndex = 0;
  for (let m = EMOTICONS.exec(text); m !== null; m = EMOTICONS.exec(text)) {
    const raw = m[0].trim();
    const start = m.index + m[0].length - raw.length;
    const emotion = emoticonEmotion(raw);
    tally.add(emotion, 1.5, evidence(text, 'emotion.emoticon', start, start + raw.length, `"${raw}" signals ${emotion}.`, 1.5));
  }

  // Shouting: all-capitals words.
  const caps: Token[] = [];
  for (const t of tokens) if (t.caps) caps.push(t);
  if (caps.length > 0) {
    const w = Math.min(1.5, 0.75 * caps.length);
    const first = caps[0]!;
    const e = evidence(text, 'emotion.caps', first.start, first.end, `${caps.length} all-capitals word(s) read as shouting.`, w);
    tally.add('anger', w, e);
    intensityEvidence.push(e);
  }
  EXCLAIM.lastIndex = 0;
  const bangs = EXCLAIM.exec(text);
  if (bangs) {
    const e = evidence(
      text,
      'emotion.exclamation',
      bangs.index,
      bangs.index + bangs[0].length,
      'Repeated exclamation marks raise intensity.',
    );
    intensityEvidence.push(e);
    if (compound < 0) tally.add('frustration', 0.5, { ...e, weight: 0.5 });
  }
  if (flags.repeat)
    tally.add('frustration', 1, { rule: 'emotion.repeat', detail: 'A repeated failure or contact is frustrating.', weight: 1 });
  if (flags.churn) tally.add('anger', 1, { rule: 'emotion.threat', detail: 'A customer threatening to leave is angry.', weight: 1 });
  if (flags.legal) tally.add('anger', 1, { rule: 'emotion.threat', detail: 'A customer threatening action is angry.', weight: 1 });

  // VADER as a fallback when the lexicons found nothing. A message describing a failure is negative
  // by its subject matter ("missing", "cancel"), so then only strongly negative wording counts.
  if (scores.size === 0 && compound <= (describesFailure ? -0.5 : -0.05)) {
    tally.add('frustration', 0.6, {
      rule: 'emotion.vader',
      detail: `VADER compound ${compound.toFixed(2)}: negative wording.`,
      weight: 0.6,
    });
  } else if (scores.size === 0 && compound >= 0.5) {
    tally.add('satisfied', 0.6, { rule: 'emotion.vader', detail: `VADER compound ${compound.toFixed(2)}: positive wording.`, weight: 0.6 });
  }

  let primary: Emotion = 'neutral';
  let best = 0;
  for (const e of EMOTION_PRIORITY) {
    const s = scores.get(e) ?? 0;
    if (s > best) {
      best = s;
      primary = e;
    }
  }
  if (best < MIN_EMOTION_SCORE) {
    return {
      primary: 'neutral',
      intensity: round2(Math.min(0.2, 0.2 * Math.abs(compound))),
      evidence: [{ rule: 'emotion.default', detail: 'No clear emotion cue.' }],
    };
  }

  let intensity = 0.25 + 0.1 * Math.min(best, 5);
  intensity += Math.min(0.2, 0.1 * intensified);
  if (caps.length > 0) intensity += Math.min(0.2, 0.1 + 0.05 * (caps.length - 1));
  if (bangs) intensity += bangs[0].length >= 3 ? 0.1 : 0.05;
  const agrees = primary === 'satisfied' ? compound > 0 : compound < 0;
  if (agrees) intensity += 0.2 * Math.abs(compound);
  const ev = [...(cues.get(primary) ?? []), ...intensityEvidence.filter((e) => !(cues.get(primary) ?? []).includes(e))];
  if (agrees && Math.abs(compound) >= 0.05) {
    ev.push({ rule: 'emotion.vader', detail: `VADER compound ${compound.toFixed(2)} adds to the intensity.` });
  }
  return { primary, intensity: round2(clamp01(intensity)), evidence: dedupe(ev) };
}

class EmotionTally {
  readonly scores = new Map<Emotion, number>();
  readonly cues = new Map<Emotion, Evidence[]>();
  add(emotion: Emotion, weight: number, e: Evidence): void {
    this.scores.set(emotion, (this.scores.get(emotion) ?? 0) + weight);
    const list = this.cues.get(emotion);
    if (list) list.push(e);
    else this.cues.set(emotion, [e]);
  }
}

function isIntensifier(t: Token | undefined, clause: number): t is Token {
  return t !== undefined && t.clause === clause && INTENSIFIERS.has(t.norm);
}

function dedupe(ev: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return ev.filter((e) => {
    const key = `${e.rule}|${e.span?.[0]}|${e.span?.[1]}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ── language ──────────────────────────────────────────────────────────────────

function languageLabel(tokens: readonly Token[]): TriageResult['language'] {
  const scores = new Array<number>(LANGUAGES.length).fill(0);
  let words = 0;
  for (const t of tokens) {
    if (t.emoji) continue;
    words++;
    const langs = LANGUAGE_WORDS.get(t.norm);
    if (langs) for (const li of langs) scores[li]! += 1 / langs.length;
  }
  // Best and runner-up; ties go to the language listed first.
  let best = -1;
  let second = -1;
  for (let li = 0; li < scores.length; li++) {
    if (scores[li]! <= 0) continue;
    if (best < 0 || scores[li]! > scores[best]!) {
      second = best;
      best = li;
    } else if (second < 0 || scores[li]! > scores[second]!) second = li;
  }
  const bestScore = best < 0 ? 0 : scores[best]!;
  const secondScore = second < 0 ? 0 : scores[second]!;
  const vs = second < 0 ? '' : ` vs ${LANGUAGES[second]} ${secondScore.toFixed(1)}`;
  if (best < 0 || words < 3 || bestScore < 1.5 || bestScore < 1.5 * secondScore) {
    const detail =
      best < 0 ? 'No common word of a known language.' : `Too short or unclear: ${LANGUAGES[best]} ${bestScore.toFixed(1)}${vs}.`;
    return { value: 'und', evidence: [{ rule: 'language.unclear', detail }] };
  }
  const lang = LANGUAGES[best]!;
  const distinct = new Set<string>();
  let count = 0;
  for (const t of tokens) {
    if (!t.emoji && LANGUAGE_WORDS.get(t.norm)?.includes(best)) {
      count++;
      distinct.add(t.norm);
    }
  }
  return {
    value: lang,
    evidence: [
      {
        rule: 'language.stopwords',
        phrase: [...distinct].slice(0, 8).join(', '),
        detail: `${count} of ${words} words are common ${LANGUAGE_NAMES[lang] ?? lang} words (score ${bestScore.toFixed(1)}${vs}).`,
        weight: round2(bestScore),
      },
    ],
  };
}

// ── entry point ───────────────────────────────────────────────────────────────

/** The text triage reads: the subject and the body on the next line, or the body alone. */
export function analysedText(input: Pick<TriageInput, 'text' | 'subject'>): string {
  return input.subject ? `${input.subject}\n${input.text}` : input.text;
}

export function triageText(input: TriageInput): TriageResult {
  const text = analysedText(input);
  const ctx = input.context ?? {};
  const tokens = tokenize(text);
  for (const t of tokens) {
    if (t.norm.length < 6 || t.emoji || MATCHER.knows(t.norm)) continue;
    const fixed = TYPOS.correct(t.norm);
    if (fixed) t.norm = fixed;
  }
  const groups: Record<Group, Hit[]> = {
    kind: [],
    emotion: [],
    churn: [],
    legal: [],
    repeat: [],
    urgency: [],
    safety: [],
    event_loss: [],
    event: [],
  };
  for (const m of MATCHER.match(tokens)) {
    const h = qualify(m, tokens);
    if (h) groups[h.cue.group].push(h);
  }
  // Matches come in token order, so each group is already in text order.

  const s = polarityScores(text); // = vader.SentimentIntensityAnalyzer.polarity_scores(text), see sentiment.ts
  const sentiment = { compound: s.compound, positive: s.pos, negative: s.neg, neutral: s.neu };

  const kind = classifyKind(text, groups.kind, ctx);
  const churnThreat = flag(text, groups.churn, 'churn.lexicon', 'threatens to leave');
  const legalOrPublicThreat = flag(text, groups.legal, 'legal.lexicon', 'is a legal or public threat');
  const repeatMention = flag(text, groups.repeat, 'repeat.lexicon', 'says this happened or was raised before');
  const urgency = urgencyLabel(text, groups.urgency);
  const severity = severityLabel(text, tokens, kind.value, groups, { legal: legalOrPublicThreat, repeat: repeatMention, urgency }, ctx);
  const emotion = emotionLabel(
    text,
    tokens,
    groups.emotion,
    sentiment.compound,
    {
      repeat: repeatMention.value,
      churn: churnThreat.value,
      legal: legalOrPublicThreat.value,
    },
    groups.kind.some((h) => !h.negated && h.cue.label !== 'other'),
  );
  const language = languageLabel(tokens);

  return { kind, severity, emotion, sentiment, churnThreat, legalOrPublicThreat, repeatMention, urgency, language };
}
