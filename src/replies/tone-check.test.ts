import { describe, expect, it } from 'vitest';
import { checkTone, replyLanguage, type ToneFinding } from './tone-check.ts';

const GOOD = "I'm sorry your parcel is late. I've asked the carrier to trace it and I'll write to you by Friday 10:00 with an update.";
const GOOD_ES =
  'Lo siento mucho: su paquete llega tarde. He pedido a la empresa de transporte que lo localice y le escribiré antes del viernes a las 10:00 con novedades.';

/** Finds the one finding of a rule and checks that its span points at exactly `excerpt` in `text`. */
function expectSpan(text: string, rule: ToneFinding['rule'], excerpt: string): ToneFinding {
  const { findings } = checkTone(text);
  const hits = findings.filter((f) => f.rule === rule);
  expect(hits, `${rule} in ${JSON.stringify(text)}: ${JSON.stringify(findings)}`).toHaveLength(1);
  const hit = hits[0]!;
  const start = text.indexOf(excerpt);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(hit.span).toEqual([start, start + excerpt.length]);
  expect(hit.excerpt).toBe(excerpt);
  expect(text.slice(hit.span![0], hit.span![1])).toBe(excerpt);
  expect(hit.suggestion.length).toBeGreaterThan(0);
  return hit;
}

// Each bad example is otherwise a good reply, so only the rule under test fires.
const wrap = (phrase: string): string => `I'm sorry your parcel is late. ${phrase} I'll write to you by Friday 10:00 with an update.`;

describe('checkTone', () => {
  it('finds nothing wrong in a good reply', () => {
    const result = checkTone(GOOD);
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('accepts a good Spanish reply under a Spanish locale', () => {
    for (const locale of ['es', 'es-MX', 'es_ES']) {
      const result = checkTone(GOOD_ES, { locale });
      expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it('does not take Spanish wording as an apology under an English locale', () => {
    const result = checkTone(GOOD_ES, { locale: 'en' });
    expect(result.findings.map((f) => f.rule)).toContain('missing_apology');
    expect(result.ok).toBe(false);
  });

  it.each([
    ['excuse', 'This is our policy for all orders.', 'our policy'],
    ['excuse', 'Company policy does not allow it.', 'Company policy'],
    ['excuse', 'The weather was out of our control.', 'out of our control'],
    ['excuse', 'Replies are slow due to high volume.', 'due to high volume'],
    ['excuse', 'Unfortunately there is nothing we can do. Still,', 'Unfortunately there is nothing we can do'],
    ['blame', 'This is not our fault.', 'not our fault'],
    ['blame', "It was the carrier's fault.", "the carrier's fault"],
    ['blame', 'It was the carrier’s fault.', 'the carrier’s fault'],
    ['blame', 'You should have checked the address.', 'You should have'],
    ['blame', 'You failed to enter a flat number.', 'You failed to'],
    ['repetition_reproach', 'As I said, it ships from Spain.', 'As I said'],
    ['repetition_reproach', 'As previously stated, it ships from Spain.', 'As previously stated'],
    ['repetition_reproach', 'As mentioned, it ships from Spain.', 'As mentioned'],
    ['jargon', 'Your RMA is attached.', 'RMA'],
    ['jargon', 'The SKU is out of stock.', 'SKU'],
    ['jargon', 'Please quote ticket #4821 when replying.', 'ticket #4821'],
    ['jargon', 'It has been escalated to tier 2.', 'escalated to tier 2'],
    ['jargon', 'Refunds are not possible per our ToS.', 'per our ToS'],
    ['jargon', 'Please do not open a chargeback.', 'chargeback'],
    ['jargon', 'It is still at the fulfillment center.', 'fulfillment center'],
    ['jargon', 'The jacket is on backorder.', 'backorder'],
    ['jargon', 'The refund was sent as per the request.', 'as per'],
    ['jargon', 'Kindly revert with photos.', 'Kindly revert'],
  ] as const)('%s: flags %j at the exact span', (rule, phrase, excerpt) => {
    const text = wrap(phrase);
    const hit = expectSpan(text, rule, excerpt);
    expect(hit.severity).toBe(rule === 'jargon' ? 'warning' : 'error');
  });

  it.each([
    ['Sorry if you were upset by the delay.', 'Sorry if you were upset by the delay', "I'm sorry I let you down"],
    ["We're sorry if you were upset.", "We're sorry if you were upset", "I'm sorry I let you down"],
    ["I'm sorry you feel that way.", "I'm sorry you feel that way", "I'm sorry — we got this wrong"],
    ['We are sorry that you feel let down.', 'We are sorry that you feel let down', "I'm sorry — we got this wrong"],
    ['We apologize if this caused trouble.', 'We apologize if this caused trouble', "I'm sorry we let you down"],
  ])('conditional_apology: flags %j and suggests a real apology', (phrase, excerpt, suggestion) => {
    const hit = expectSpan(`${phrase} I've asked the carrier to trace it and I'll write to you tomorrow.`, 'conditional_apology', excerpt);
    expect(hit.suggestion).toBe(suggestion);
  });

  it.each([
    ['We apologize for any inconvenience.', 'We apologize for any inconvenience'],
    ['We apologise for any inconvenience this may have caused.', 'We apologise for any inconvenience this may have caused'],
    ['We regret any inconvenience caused.', 'We regret any inconvenience caused'],
    ['Sorry for any inconvenience.', 'Sorry for any inconvenience'],
  ])('corporate_apology: flags %j', (phrase, excerpt) => {
    const text = `${phrase} I've asked the carrier to trace it and I'll write to you tomorrow.`;
    const hit = expectSpan(text, 'corporate_apology', excerpt);
    expect(hit.severity).toBe('error');
    // Boilerplate with "sorry"/"apologise" is flagged once, as corporate; "we regret" is no apology at all.
    const expected = /regret/.test(phrase) ? ['corporate_apology', 'missing_apology'] : ['corporate_apology'];
    expect(checkTone(text).findings.map((f) => f.rule)).toEqual(expected);
  });

  it('is case-insensitive and respects word boundaries', () => {
    expect(checkTone(wrap('OUR POLICY says so.')).findings.map((f) => f.excerpt)).toEqual(['OUR POLICY']);
    // "rma" inside a word, "sku" inside a word, "as personal" are not jargon.
    expect(checkTone(wrap('The formal skunk took it as personal.')).findings).toEqual([]);
  });

  it('flags a missing apology as an error, with no span', () => {
    const result = checkTone("Your parcel is late. I've asked the carrier to trace it and I'll write to you by Friday 10:00.");
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'missing_apology', severity: 'error', span: null, excerpt: null })]);
    expect(result.findings[0]!.suggestion).toMatch(/^I'm sorry/);
    expect(result.ok).toBe(false);
  });

  it('flags missing ownership when nobody takes action', () => {
    const result = checkTone("I'm sorry your parcel is late. It should arrive by Friday.");
    expect(result.findings.map((f) => [f.rule, f.severity])).toEqual([['missing_ownership', 'warning']]);
    expect(result.ok).toBe(true);
  });

  it('flags a missing next step when nothing is promised', () => {
    const result = checkTone("I'm sorry your parcel is late. I've asked the carrier to trace it.");
    expect(result.findings.map((f) => [f.rule, f.severity])).toEqual([['missing_next_step', 'warning']]);
  });

  it('gives Spanish suggestions for missing parts under a Spanish locale', () => {
    const result = checkTone('Su paquete llega tarde.', { locale: 'es-MX' });
    expect(result.findings.map((f) => f.rule)).toEqual(['missing_apology', 'missing_ownership', 'missing_next_step']);
    expect(result.findings[0]!.suggestion).toMatch(/^Lo siento/);
  });

  it('reports several problems in text order', () => {
    const text = "Sorry if you were upset. As I said, our policy is clear and it's not our fault.";
    const rules = checkTone(text).findings.map((f) => f.rule);
    expect(rules).toEqual(['conditional_apology', 'repetition_reproach', 'excuse', 'blame', 'missing_ownership', 'missing_next_step']);
  });
});

describe('replyLanguage', () => {
  it('maps Spanish locales to es and everything else to en', () => {
    expect(['es', 'es-MX', 'es_ES', 'ES-ar'].map(replyLanguage)).toEqual(['es', 'es', 'es', 'es']);
    expect(['en', 'en-GB', 'fr', 'esperanto', '', null, undefined].map(replyLanguage)).toEqual(['en', 'en', 'en', 'en', 'en', 'en', 'en']);
  });
});
