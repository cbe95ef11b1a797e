/**
 * Tone check for customer replies (DESIGN.md §1 "acknowledge", §2.7 "explainable").
 *
 * Pure: flags the phrases that make an apology land badly — excuses, blame, non-apologies,
 * corporate boilerplate, jargon, "as I said" — and the things a recovery reply must contain
 * (a first-person apology, ownership, a concrete next step). Every phrase finding carries the
 * exact span into the text and a rewrite an agent can paste in.
 *
 * Severity: anything that makes the customer feel blamed or brushed off is an `error` (the reply
 * should not go out as is), as is a reply with no apology at all; missing ownership, a missing
 * next step and jargon are `warning`s, since a short follow-up can legitimately lack them.
 */

export type ToneRule =
  | 'excuse'
  | 'blame'
  | 'conditional_apology'
  | 'corporate_apology'
  | 'missing_apology'
  | 'missing_ownership'
  | 'missing_next_step'
  | 'jargon'
  | 'repetition_reproach';

export interface ToneFinding {
  rule: ToneRule;
  severity: 'error' | 'warning';
  /** What is wrong, plainly. */
  message: string;
  /** [start, end) into the text; null for `missing_*` findings. */
  span: [number, number] | null;
  /** The text at span. */
  excerpt: string | null;
  /** A suggested rewrite of the excerpt (or a sentence to add, for `missing_*`). */
  suggestion: string;
}

export interface ToneCheckResult {
  findings: ToneFinding[];
  /** True when there is no `error` finding. */
  ok: boolean;
}

export type ReplyLanguage = 'en' | 'es';

/** `es`, `es-MX`, `es_ES` (any case) → `es`; anything else, or nothing → `en`. */
export function replyLanguage(locale: string | null | undefined): ReplyLanguage {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'es' ? 'es' : 'en';
}

interface PhraseRule {
  rule: Exclude<ToneRule, `missing_${string}`>;
  /** Regex source, matched case-insensitively between word boundaries. */
  pattern: string;
  suggestion: string;
}

const SEVERITY: Record<ToneRule, ToneFinding['severity']> = {
  excuse: 'error',
  blame: 'error',
  conditional_apology: 'error',
  corporate_apology: 'error',
  repetition_reproach: 'error',
  missing_apology: 'error',
  missing_ownership: 'warning',
  missing_next_step: 'warning',
  jargon: 'warning',
};

const MESSAGES: Record<PhraseRule['rule'], string> = {
  excuse: 'Sounds like an excuse: the customer hears why it is not our problem instead of what we will do.',
  blame: 'Puts the blame on someone else (the customer, the carrier): own the problem instead.',
  conditional_apology: 'A conditional apology ("sorry if…", "sorry you feel…") doubts the customer and reads as no apology at all.',
  corporate_apology: 'Boilerplate apology ("any inconvenience"): it does not name the problem or sound like a person.',
  repetition_reproach: 'Reproaches the customer for asking again ("as I said"): restate the answer kindly instead.',
  jargon: 'Internal jargon the customer may not understand: use plain words.',
};

const AP = `['’]`; // straight or curly apostrophe
const WHO_SORRY = `(?:(?:I|we)(?:${AP}m|${AP}re|\\s+am|\\s+are)\\s+(?:(?:so|very|truly|really|deeply|terribly)\\s+)?)?`;
const CLAUSE_REST = `[^.!?\\n,;:]*`;

const PHRASES: PhraseRule[] = [
  // Excuses.
  { rule: 'excuse', pattern: `(?:our|company|store)\\s+polic(?:y|ies)`, suggestion: `here's what I can do for you` },
  { rule: 'excuse', pattern: `out\\s+of\\s+our\\s+(?:control|hands)`, suggestion: `something I'm now handling for you` },
  {
    rule: 'excuse',
    pattern: `due\\s+to\\s+(?:a\\s+|the\\s+)?(?:very\\s+|unusually\\s+)?high\\s+(?:call\\s+|e-?mail\\s+|ticket\\s+|order\\s+)?volumes?`,
    suggestion: `I'm sorry you had to wait`,
  },
  {
    rule: 'excuse',
    pattern: `unfortunately,?\\s+there(?:\\s+is|${AP}s)\\s+nothing${CLAUSE_REST}`,
    suggestion: `Here's what I can do for you`,
  },
  // Blame.
  { rule: 'blame', pattern: `not\\s+our\\s+fault`, suggestion: `on us to put right` },
  {
    rule: 'blame',
    pattern: `(?:the\\s+)?(?:carrier|courier|warehouse|supplier|manufacturer|post\\s+office|delivery\\s+company)${AP}s\\s+fault`,
    suggestion: `our responsibility — we chose them`,
  },
  { rule: 'blame', pattern: `you\\s+should\\s+have`, suggestion: `here's what I'll do:` },
  { rule: 'blame', pattern: `you\\s+failed\\s+to`, suggestion: `we didn't get` },
  // Conditional apologies (the span runs to the end of the clause, so the rewrite replaces all of it).
  { rule: 'conditional_apology', pattern: `${WHO_SORRY}sorry\\s+if${CLAUSE_REST}`, suggestion: `I'm sorry I let you down` },
  {
    rule: 'conditional_apology',
    pattern: `${WHO_SORRY}sorry\\s+(?:that\\s+)?you\\s+feel${CLAUSE_REST}`,
    suggestion: `I'm sorry — we got this wrong`,
  },
  {
    rule: 'conditional_apology',
    pattern: `(?:(?:I|we)\\s+)?apologi[sz]e\\s+if${CLAUSE_REST}`,
    suggestion: `I'm sorry we let you down`,
  },
  // Corporate apologies.
  {
    rule: 'corporate_apology',
    pattern: `(?:(?:I|we)\\s+(?:sincerely\\s+|truly\\s+)?apologi[sz]e|(?:our\\s+)?(?:sincere\\s+)?apologies|(?:I${AP}m|we${AP}re|I\\s+am|we\\s+are)?\\s*sorry)\\s+for\\s+any\\s+(?:inconvenience|trouble|issues?|problems?)(?:\\s+(?:this|that|it)\\s+(?:may\\s+have\\s+|might\\s+have\\s+|has\\s+)?(?:caused|causes))?(?:\\s+you)?`,
    suggestion: `I'm sorry [name the problem, e.g. "your order arrived damaged"]`,
  },
  {
    rule: 'corporate_apology',
    pattern: `we\\s+(?:sincerely\\s+)?regret\\s+any${CLAUSE_REST}`,
    suggestion: `I'm sorry [name the problem, e.g. "your parcel is late"]`,
  },
  // "As I said".
  {
    rule: 'repetition_reproach',
    pattern: `as\\s+(?:I|we)\\s+(?:already\\s+|previously\\s+)?(?:said|stated|mentioned|explained)(?:\\s+(?:before|earlier|previously))?`,
    suggestion: `To recap:`,
  },
  { rule: 'repetition_reproach', pattern: `as\\s+previously\\s+(?:stated|mentioned|explained)`, suggestion: `To recap:` },
  {
    rule: 'repetition_reproach',
    pattern: `as\\s+(?:already\\s+)?mentioned(?:\\s+(?:before|earlier|previously))?`,
    suggestion: `To recap:`,
  },
  // Jargon.
  { rule: 'jargon', pattern: `RMA(?:\\s+(?:number|no\\.?|#))?`, suggestion: `return label` },
  { rule: 'jargon', pattern: `SKUs?`, suggestion: `item` },
  { rule: 'jargon', pattern: `ticket\\s*(?:#|no\\.|number)\\s*[\\w-]*`, suggestion: `your request` },
  {
    rule: 'jargon',
    pattern: `escalated\\s+(?:it\\s+|this\\s+|your\\s+\\w+\\s+)?to\\s+(?:tier|level)\\s*(?:[1-3]|one|two|three|I{1,3})`,
    suggestion: `passed to a senior colleague`,
  },
  {
    rule: 'jargon',
    pattern: `per\\s+(?:our|the)\\s+(?:ToS|T&Cs?|terms(?:\\s+(?:of\\s+service|and\\s+conditions|&\\s+conditions))?)`,
    suggestion: `here's what I can do for you`,
  },
  { rule: 'jargon', pattern: `charge-?backs?`, suggestion: `payment dispute with your bank` },
  { rule: 'jargon', pattern: `fulfil?l?ment\\s+(?:center|centre)s?`, suggestion: `warehouse` },
  { rule: 'jargon', pattern: `back-?order(?:ed|s)?`, suggestion: `out of stock until [date]` },
  { rule: 'jargon', pattern: `as\\s+per`, suggestion: `as` },
  { rule: 'jargon', pattern: `kindly\\s+revert(?:\\s+back)?`, suggestion: `please reply` },
];

const WORD = `[\\p{L}\\p{N}_]`;
/** Word boundaries that also work next to non-ASCII letters (á, ñ) and non-word edges like `#`. */
const bounded = (source: string): string => `(?<!${WORD})(?:${source})(?!${WORD})`;

const COMPILED = PHRASES.map((p) => ({ ...p, re: new RegExp(bounded(p.pattern), 'giu') }));

const DAYS_EN = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday';
const DAYS_ES = 'lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo';

const PRESENCE_EN = {
  apology: [`sorry`, `apologi[sz]e[sd]?`, `apologies`, `apology`],
  ownership: [
    `I(?:${AP}ll|${AP}ve|\\s+will|\\s+have|\\s+(?:am|${AP}m)\\s+going\\s+to)`,
    `we(?:${AP}ll|${AP}ve|\\s+will|\\s+have|\\s+(?:are|${AP}re)\\s+going\\s+to)`,
    `I${AP}m\\s+(?:now\\s+)?\\p{L}+ing`,
    `I\\s+(?:\\p{L}+ly\\s+)?(?:asked|checked|sent|issued|arranged|refunded|contacted|spoke|made|booked|set\\s+up|started|opened|looked|reached|requested|processed|cancell?ed|fixed|reset|replaced|put|added|credited|shipped|traced|flagged|passed|raised|chased)`,
    `let\\s+me`,
    `that${AP}s\\s+on\\s+(?:me|us)`,
    `that\\s+is\\s+on\\s+(?:me|us)`,
    `(?<!not\\s)(?:my|our)\\s+(?:fault|mistake)`,
  ],
  nextStep: [
    `I(?:${AP}ll|\\s+will)`,
    `we(?:${AP}ll|\\s+will)`,
    `(?:I|we)(?:${AP}m|${AP}re|\\s+am|\\s+are)\\s+going\\s+to`,
    `you(?:${AP}ll|\\s+will)\\s+(?:hear|receive|get|see)`,
    `by\\s+(?:${DAYS_EN}|today|tonight|tomorrow|noon|midday|the\\s+end|end\\s+of|\\d)`,
    `(?:on|this|next)\\s+(?:${DAYS_EN})`,
    `within`,
    `today`,
    `tonight`,
    `tomorrow`,
    `in\\s+the\\s+next`,
    `this\\s+(?:morning|afternoon|evening|week)`,
  ],
};

const PRESENCE_ES = {
  apology: [
    `lo\\s+siento`,
    `lo\\s+sentimos`,
    `siento\\s+mucho`,
    `sentimos\\s+mucho`,
    `perd[oó]n\\p{L}*`,
    `disculp\\p{L}*`,
    `lament\\p{L}+`,
  ],
  ownership: [
    `(?:he|hemos)\\s+\\p{L}+(?:ado|ido|to|cho|sto)`, // he pedido, hemos revisado, he escrito, he hecho, he puesto
    `(?:voy|vamos)\\s+a`,
    `(?:me|nos)\\s+(?:encargo|encargamos|encargar[eé]|encargaremos|ocupo|ocupamos|ocupar[eé]|ocuparemos)`,
    `\\p{L}{2,}(?:ré|remos)`, // first-person future: escribiré, revisaremos
    `(?:es|fue)\\s+(?:culpa|responsabilidad)\\s+(?:m[ií]a|nuestra)`,
    `(?:mi|nuestra)\\s+(?:culpa|responsabilidad)`,
  ],
  nextStep: [
    `\\p{L}{2,}(?:ré|remos)`,
    `(?:voy|vamos)\\s+a`,
    `antes\\s+de(?:l)?`,
    `hoy`,
    `ma[nñ]ana`,
    `dentro\\s+de`,
    `en\\s+(?:las\\s+pr[oó]ximas|un\\s+plazo\\s+de|menos\\s+de)`,
    `(?:el|este|el\\s+pr[oó]ximo)\\s+(?:${DAYS_ES})`,
    `esta\\s+(?:tarde|noche|semana)`,
  ],
};

const toRegex = (alternatives: string[]): RegExp => new RegExp(bounded(alternatives.join('|')), 'iu');

const PRESENCE = {
  en: { apology: toRegex(PRESENCE_EN.apology), ownership: toRegex(PRESENCE_EN.ownership), nextStep: toRegex(PRESENCE_EN.nextStep) },
  es: { apology: toRegex(PRESENCE_ES.apology), ownership: toRegex(PRESENCE_ES.ownership), nextStep: toRegex(PRESENCE_ES.nextStep) },
};

const MISSING: Record<
  'missing_apology' | 'missing_ownership' | 'missing_next_step',
  { message: string; suggestion: Record<ReplyLanguage, string> }
> = {
  missing_apology: {
    message: 'There is no apology: say sorry, in the first person, for the specific problem.',
    suggestion: {
      en: `I'm sorry [name the problem, e.g. "your order arrived damaged"].`,
      es: `Lo siento mucho: [el problema, p. ej. "su pedido llegó dañado"].`,
    },
  },
  missing_ownership: {
    message: 'Nobody takes ownership: say what you (I / we) have done or will do about it.',
    suggestion: {
      en: `I've [what you did, e.g. "asked the carrier to trace your parcel"].`,
      es: `He [lo que ha hecho, p. ej. "pedido a la empresa de transporte que localice su paquete"].`,
    },
  },
  missing_next_step: {
    message: 'No next step: tell the customer what happens next and by when.',
    suggestion: { en: `I'll write to you by [day, time] with an update.`, es: `Le escribiré antes del [día, hora] con novedades.` },
  },
};

function phraseFindings(text: string): ToneFinding[] {
  const found: ToneFinding[] = [];
  for (const p of COMPILED) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
      let end = m.index + m[0].length;
      while (end > m.index && /\s/u.test(text[end - 1] ?? '')) end--;
      // Leading optional groups may match whitespace only; start at the first non-space character.
      let start = m.index;
      while (start < end && /\s/u.test(text[start] ?? '')) start++;
      if (end > start) {
        found.push({
          rule: p.rule,
          severity: SEVERITY[p.rule],
          message: MESSAGES[p.rule],
          span: [start, end],
          excerpt: text.slice(start, end),
          suggestion: p.suggestion,
        });
      }
      if (m[0].length === 0) p.re.lastIndex++;
    }
  }
  // A phrase inside a longer flagged phrase adds nothing ("sorry" inside "sorry for any inconvenience").
  const byLength = [...found].sort((a, b) => spanLength(b) - spanLength(a));
  const kept: ToneFinding[] = [];
  for (const f of byLength) {
    const [s, e] = f.span!;
    if (!kept.some((k) => k.span![0] <= s && e <= k.span![1])) kept.push(f);
  }
  return kept.sort((a, b) => a.span![0] - b.span![0] || a.span![1] - b.span![1]);
}

const spanLength = (f: ToneFinding): number => (f.span ? f.span[1] - f.span[0] : 0);

/**
 * Checks a reply's tone. English phrase lists always apply; with a Spanish locale the apology,
 * ownership and next-step checks also accept Spanish wording, and their suggestions are in Spanish.
 */
export function checkTone(text: string, opts?: { locale?: string }): ToneCheckResult {
  const lang = replyLanguage(opts?.locale);
  const findings = phraseFindings(text);
  const has = (key: keyof (typeof PRESENCE)['en']): boolean =>
    PRESENCE.en[key].test(text) || (lang === 'es' && PRESENCE.es[key].test(text));
  const missing = (rule: keyof typeof MISSING): void => {
    findings.push({
      rule,
      severity: SEVERITY[rule],
      message: MISSING[rule].message,
      span: null,
      excerpt: null,
      suggestion: MISSING[rule].suggestion[lang],
    });
  };
  if (!has('apology')) missing('missing_apology');
  if (!has('ownership')) missing('missing_ownership');
  if (!has('nextStep')) missing('missing_next_step');
  return { findings, ok: findings.every((f) => f.severity !== 'error') };
}
