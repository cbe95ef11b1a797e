/**
 * Tokenising and phrase matching for triage. Everything here is compiled once at
 * module load; a call does one tokenising pass and one map lookup per token.
 *
 * Phrase syntax (lexicons/*.ts): tokens separated by spaces; `a|b` alternatives for
 * one token; a trailing `*` makes an alternative a prefix (`damag*`); `~N` skips up
 * to N tokens of the same clause. Apostrophes are dropped and accents stripped on both
 * sides, so `can't`, `cant` and `can’t` are the same token, and so are `daño` and `dano`.
 */

export interface Token {
  /** Normalised form: lower case, no apostrophes, no accents. */
  norm: string;
  raw: string;
  start: number;
  end: number;
  /** Index of the clause (split at . , ; : ! ? newlines): phrases never span two. */
  clause: number;
  /** Index of the negation scope: a clause, also split at "but", "however", "pero"… */
  scope: number;
  /** An all-capitals word of 3+ letters (shouting), not a known acronym. */
  caps: boolean;
  emoji: boolean;
}

const TOKEN = /\p{N}+(?:[.,:]\p{N}+)+|[\p{L}\p{N}]+(?:['’ʼ][\p{L}]+)*|\p{Extended_Pictographic}|[.,;:!?()\n—–]/gu;
const NON_ASCII = /[^ -~\t\n\r]/;
const MARKS = /\p{M}/gu;
const APOSTROPHES = /['’ʼ]/g;
const HAS_LOWER = /\p{Ll}/u;
const HAS_UPPER = /\p{Lu}/u;
const HAS_LETTER = /\p{L}/u;
const HAS_DIGIT = /\p{N}/u;

/** Words that open a new negation scope: "not damaged but late" does not negate "late". */
const SCOPE_BREAKERS = new Set(['but', 'however', 'although', 'though', 'yet', 'pero', 'aber', 'mais', 'ma', 'mas', 'maar', 'sino']);

/** Capitalised abbreviations that are not shouting. */
const ACRONYMS = new Set([
  'ETA',
  'USA',
  'UK',
  'UPS',
  'DHL',
  'USPS',
  'FEDEX',
  'TNT',
  'DPD',
  'GLS',
  'FTC',
  'BBB',
  'PIN',
  'ID',
  'URL',
  'PDF',
  'SMS',
  'ASAP',
  'FAQ',
  'API',
  'USB',
  'LED',
  'TV',
  'OK',
  'PS',
  'AM',
  'PM',
  'EU',
  'VAT',
  'GPS',
  'NYC',
  'LOL',
  'OMG',
  'WTF',
  'CEO',
  'HDMI',
  'XL',
  'XXL',
]);

const SPELLING = new Map<string, string>(
  Object.entries({
    cannot: 'cant',
    u: 'you',
    ur: 'your',
    pls: 'please',
    plz: 'please',
    recieved: 'received',
    recieve: 'receive',
    recived: 'received',
    arived: 'arrived',
    acount: 'account',
    accout: 'account',
    cancell: 'cancel',
    cancelation: 'cancellation',
    pasword: 'password',
    passwrd: 'password',
    refound: 'refund',
    wont: 'wont',
    thx: 'thanks',
    ty: 'thanks',
  }),
);

/** The normal form of one word, as used by tokens and by lexicon phrases alike. */
export function normalizeWord(word: string): string {
  let w = word.toLowerCase();
  if (w.indexOf("'") >= 0 || w.indexOf('’') >= 0 || w.indexOf('ʼ') >= 0) w = w.replace(APOSTROPHES, '');
  if (NON_ASCII.test(w)) w = w.normalize('NFD').replace(MARKS, '');
  return SPELLING.get(w) ?? w;
}

const A = 0x41;
const Z = 0x5a;
const a = 0x61;
const z = 0x7a;
const ZERO = 0x30;
const NINE = 0x39;
const QUOTE = 0x27;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  let scope = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const raw = m[0];
    const c = raw.charCodeAt(0);
    if (raw.length === 1 && (c < 0x30 || c === 0x3a || c === 0x3b || c === 0x3f || c === 0x2014 || c === 0x2013)) {
      // Punctuation: only a boundary, not a token.
      clause++;
      scope++;
      continue;
    }
    // Fast path for plain ASCII words, the common case.
    let ascii = true;
    let lower = false;
    let upper = false;
    let digit = false;
    let quote = false;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw.charCodeAt(i);
      if (ch >= a && ch <= z) lower = true;
      else if (ch >= A && ch <= Z) upper = true;
      else if (ch >= ZERO && ch <= NINE) digit = true;
      else if (ch === QUOTE) quote = true;
      else if (ch > 0x7f) {
        ascii = false;
        break;
      }
    }
    let norm: string;
    let emoji = false;
    let caps: boolean;
    if (ascii) {
      norm = upper ? raw.toLowerCase() : raw;
      if (quote) norm = norm.replace(APOSTROPHES, '');
      norm = SPELLING.get(norm) ?? norm;
      caps = upper && !lower && !digit && raw.length >= 3 && !ACRONYMS.has(raw);
    } else {
      emoji = !HAS_LETTER.test(raw) && !HAS_DIGIT.test(raw);
      norm = emoji ? raw : normalizeWord(raw);
      caps = !emoji && raw.length >= 3 && HAS_UPPER.test(raw) && !HAS_LOWER.test(raw) && !HAS_DIGIT.test(raw) && !ACRONYMS.has(raw);
    }
    if (SCOPE_BREAKERS.has(norm)) scope++;
    tokens.push({ norm, raw, start: m.index, end: m.index + raw.length, clause, scope, caps, emoji });
  }
  return tokens;
}

interface TokenSpec {
  exact: Set<string> | undefined;
  prefixes: string[] | undefined;
  /** When set, this spec is a gap of 0..gap tokens. */
  gap: number;
}

export interface PhraseEntry<T> {
  phrase: string;
  data: T;
}

interface Compiled<T> {
  specs: TokenSpec[];
  phrase: string;
  data: T;
}

export interface PhraseMatch<T> {
  data: T;
  /** The lexicon phrase that matched (its source form). */
  pattern: string;
  /** First and last token index (inclusive). */
  first: number;
  last: number;
  start: number;
  end: number;
  /** Indices of the tokens the phrase's words matched (gaps excluded). */
  hit: number[];
}

function compileSpec(part: string): TokenSpec {
  const gap = /^~(\d)$/.exec(part);
  if (gap) return { exact: undefined, prefixes: undefined, gap: Number(gap[1]) };
  let exact: Set<string> | undefined;
  let prefixes: string[] | undefined;
  for (const alt of part.split('|')) {
    if (alt.length === 0) throw new Error(`empty alternative in "${part}"`);
    if (alt.endsWith('*') && alt.length > 1) {
      prefixes ??= [];
      prefixes.push(normalizeWord(alt.slice(0, -1)));
    } else {
      exact ??= new Set();
      exact.add(/\p{L}|\p{N}/u.test(alt) ? normalizeWord(alt) : alt);
    }
  }
  return { exact, prefixes, gap: 0 };
}

function specMatches(spec: TokenSpec, norm: string): boolean {
  if (spec.exact?.has(norm)) return true;
  if (spec.prefixes) for (const p of spec.prefixes) if (norm.startsWith(p)) return true;
  return false;
}

/** Prefixes grouped by their first three letters, so a word looks at one short list. */
class PrefixIndex<V> {
  private readonly byHead = new Map<string, [string, V][]>();
  private readonly short: [string, V][] = [];

  add(prefix: string, value: V): void {
    if (prefix.length < 3) {
      this.short.push([prefix, value]);
      return;
    }
    const head = prefix.slice(0, 3);
    const list = this.byHead.get(head);
    if (list) list.push([prefix, value]);
    else this.byHead.set(head, [[prefix, value]]);
  }

  /** Prefixes that may start `word` (check each with startsWith): the short ones and those sharing its first three letters. */
  candidates(word: string): readonly (readonly [string, V][])[] {
    const list = word.length >= 3 ? this.byHead.get(word.slice(0, 3)) : undefined;
    if (this.short.length === 0) return list ? [list] : [];
    return list ? [this.short, list] : [this.short];
  }

  has(word: string): boolean {
    for (const [p] of this.short) if (word.startsWith(p)) return true;
    if (word.length < 3) return false;
    const list = this.byHead.get(word.slice(0, 3));
    if (list) for (const [p] of list) if (word.startsWith(p)) return true;
    return false;
  }
}

/**
 * Many phrases, one pass: phrases are indexed by their first token (exact words in
 * one map, prefixes in another), so a token only tries the phrases that can start with it.
 */
export class PhraseMatcher<T> {
  private readonly byWord = new Map<string, Compiled<T>[]>();
  private readonly byPrefix = new PrefixIndex<Compiled<T>>();
  /** Every word and prefix any phrase uses, in any position. */
  private readonly words = new Set<string>();
  private readonly allPrefixes = new PrefixIndex<true>();

  constructor(entries: readonly PhraseEntry<T>[]) {
    for (const entry of entries) {
      const specs = entry.phrase.trim().split(/\s+/).map(compileSpec);
      for (const spec of specs) {
        for (const w of spec.exact ?? []) this.words.add(w);
        for (const p of spec.prefixes ?? []) this.allPrefixes.add(p, true);
      }
      const head = specs[0];
      if (!head || head.gap > 0 || specs.at(-1)!.gap > 0) throw new Error(`bad phrase "${entry.phrase}"`);
      const compiled: Compiled<T> = { specs, phrase: entry.phrase, data: entry.data };
      for (const w of head.exact ?? []) {
        const list = this.byWord.get(w);
        if (list) list.push(compiled);
        else this.byWord.set(w, [compiled]);
      }
      for (const p of head.prefixes ?? []) this.byPrefix.add(p, compiled);
    }
  }

  /** Whether some phrase uses this (normalised) word, exactly or through a prefix. */
  knows(norm: string): boolean {
    return this.words.has(norm) || this.allPrefixes.has(norm);
  }

  /** Every occurrence of every phrase, in text order; at most one (the shortest) match per phrase and start token. */
  match(tokens: readonly Token[]): PhraseMatch<T>[] {
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const norm = tokens[i]!.norm;
      const exact = this.byWord.get(norm);
      if (exact) for (const c of exact) this.tryAt(c, tokens, i, out);
      for (const list of this.byPrefix.candidates(norm)) {
        for (const [p, c] of list) if (norm.startsWith(p)) this.tryAt(c, tokens, i, out);
      }
    }
    return out;
  }

  private tryAt(c: Compiled<T>, tokens: readonly Token[], i: number, out: PhraseMatch<T>[]): void {
    const hit = [i];
    const last = matchFrom(c.specs, 1, tokens, i + 1, tokens[i]!.clause, hit);
    if (last < 0) return;
    out.push({ data: c.data, pattern: c.phrase, first: i, last, start: tokens[i]!.start, end: tokens[last]!.end, hit });
  }
}

/**
 * Matches specs[s..] from token t, pushing matched token indices onto `hit`. Returns the
 * index of the last matched token (t - 1 when no specs remain), or -2 when there is no match.
 */
function matchFrom(specs: readonly TokenSpec[], s: number, tokens: readonly Token[], t: number, clause: number, hit: number[]): number {
  if (s === specs.length) return t - 1;
  const spec = specs[s]!;
  if (spec.gap > 0) {
    for (let k = 0; k <= spec.gap; k++) {
      const at = t + k;
      if (k > 0 && (at - 1 >= tokens.length || tokens[at - 1]!.clause !== clause)) break;
      const mark = hit.length;
      const r = matchFrom(specs, s + 1, tokens, at, clause, hit);
      if (r >= 0) return r;
      hit.length = mark;
    }
    return -2;
  }
  const tok = tokens[t];
  if (!tok || tok.clause !== clause || !specMatches(spec, tok.norm)) return -2;
  hit.push(t);
  return matchFrom(specs, s + 1, tokens, t + 1, clause, hit);
}

/** Negators, normalised (apostrophes dropped): "not", "isn't" → "isnt", Spanish "no"/"nunca"/"sin"… */
export const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'none',
  'nor',
  'neither',
  'without',
  'hardly',
  'barely',
  'isnt',
  'wasnt',
  'arent',
  'werent',
  'dont',
  'didnt',
  'doesnt',
  'hasnt',
  'havent',
  'hadnt',
  'wont',
  'wouldnt',
  'cant',
  'couldnt',
  'shouldnt',
  'aint',
  'nunca',
  'sin',
  'ni',
  'tampoco',
  'nada',
  'nicht',
  'kein',
  'keine',
  'pas',
  'jamais',
  'niet',
  'geen',
  'non',
  'nao',
]);

/** The negator governing token `first`, if any: one of the 3 tokens before it in the same negation scope. */
export function negatorBefore(tokens: readonly Token[], first: number, window = 3): Token | undefined {
  const scope = tokens[first]?.scope;
  for (let j = first - 1; j >= 0 && j >= first - window; j--) {
    const t = tokens[j]!;
    if (t.scope !== scope) return undefined;
    if (NEGATORS.has(t.norm)) return t;
  }
  return undefined;
}

/**
 * Typo tolerance for a few core words: a token one edit away from a target is read as the
 * target, found by the symmetric-deletion method (both sides minus one letter meet in one
 * map). A missing or extra letter and two swapped neighbours are accepted; a substituted
 * letter only in long words (8+), since "rceate" is not "rebate".
 */
export class TypoCorrector {
  /** Target minus one letter → [target, index of the deleted letter]. */
  private readonly deletions = new Map<string, [string, number][]>();
  private readonly targets: ReadonlySet<string>;

  /** Letters of each target as a bit mask, for a quick "could this be one edit away?" test. */
  private readonly masks: number[];

  constructor(
    targets: readonly string[],
    private readonly minLength = 6,
    private readonly never: ReadonlySet<string> = new Set(),
  ) {
    this.targets = new Set(targets);
    this.masks = targets.map(letterMask);
    for (const t of targets) {
      for (let i = 0; i < t.length; i++) {
        const d = t.slice(0, i) + t.slice(i + 1);
        const list = this.deletions.get(d);
        if (list) list.push([t, i]);
        else this.deletions.set(d, [[t, i]]);
      }
    }
  }

  /** Words already looked at (a pure cache: the same word always gives the same answer). */
  private readonly memo = new Map<string, string | null>();

  /** The target this word is a typo of, if any. */
  correct(word: string): string | undefined {
    if (word.length < this.minLength || this.targets.has(word) || this.never.has(word)) return undefined;
    // One edit adds at most one letter the target lacks and drops at most one it has.
    const mask = letterMask(word);
    let possible = false;
    for (const m of this.masks) {
      if (bitCount(mask & ~m) <= 1 && bitCount(m & ~mask) <= 1) {
        possible = true;
        break;
      }
    }
    if (!possible) return undefined;
    const known = this.memo.get(word);
    if (known !== undefined) return known ?? undefined;
    const found = this.lookup(word);
    if (this.memo.size >= 20_000) this.memo.clear();
    this.memo.set(word, found ?? null);
    return found;
  }

  private lookup(word: string): string | undefined {
    // A letter missing from the word.
    const missing = this.deletions.get(word);
    if (missing) return missing[0]![0];
    for (let i = 0; i < word.length; i++) {
      const d = word.slice(0, i) + word.slice(i + 1);
      // An extra letter in the word.
      if (this.targets.has(d)) return d;
      for (const [t, j] of this.deletions.get(d) ?? []) {
        if (t.length !== word.length) continue;
        if (Math.abs(i - j) === 1 && word[i] === t[j] && word[j] === t[i]) return t; // swapped neighbours
        if (i === j && t.length >= 8) return t; // one letter substituted, long words only
      }
    }
    return undefined;
  }
}

/** Which of a–z occur in the word, one bit each (other characters share bit 26). */
function letterMask(word: string): number {
  let m = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) - 97;
    m |= c >= 0 && c < 26 ? 1 << c : 1 << 26;
  }
  return m;
}

function bitCount(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
