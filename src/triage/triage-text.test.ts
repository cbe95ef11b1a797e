import vader from 'vader-sentiment';
import { describe, expect, it } from 'vitest';
import { bitextSplit, parseCsv, parseCsvObjects } from './datasets.ts';
import { type Evidence, type IssueKind, issueKinds, type TriageResult } from './labels.ts';
import { analysedText, triageText } from './triage-text.ts';

const kindOf = (text: string, subject?: string) => triageText({ text, ...(subject ? { subject } : {}) }).kind.value;
const emotionOf = (text: string) => triageText({ text }).emotion;

function allEvidence(r: TriageResult): Evidence[] {
  return [
    ...r.kind.evidence,
    ...r.severity.evidence,
    ...r.emotion.evidence,
    ...r.churnThreat.evidence,
    ...r.legalOrPublicThreat.evidence,
    ...r.repeatMention.evidence,
    ...r.urgency.evidence,
    ...r.language.evidence,
  ];
}

describe('triageText: issue kind', () => {
  const cases: [IssueKind, string][] = [
    ['delivery_late', 'My order was supposed to arrive on Monday and it is now 4 days late.'],
    ['delivery_lost', 'Tracking says delivered but there is nothing here. It never arrived.'],
    ['damaged_item', 'The mug arrived smashed, the box was crushed.'],
    ['wrong_item', 'I ordered the blue kettle and received the wrong item.'],
    ['missing_item', 'The parcel came but the lid was missing from the box.'],
    ['quality_defect', 'The kettle stopped working after two weeks.'],
    ['payment_problem', 'My card was declined at checkout three times.'],
    ['billing_error', 'You charged me twice for the same order.'],
    ['refund_request', 'I would like a refund for my order please.'],
    ['cancellation', 'Please cancel my order, I placed it by mistake.'],
    ['account_access', "I can't log in to my account, the password reset email never comes."],
    ['website_bug', 'Your website keeps crashing when I click place order.'],
    ['rude_service', 'The agent on the phone was incredibly rude and hung up on me.'],
    ['other', 'I would like to change the delivery address on my order.'],
  ];
  it.each(cases)('%s: %s', (kind, text) => {
    expect(kindOf(text)).toBe(kind);
  });

  it('covers every issue kind in the tests above', () => {
    expect(new Set(cases.map(([k]) => k))).toEqual(new Set(issueKinds));
  });

  it('says other, with low confidence, when nothing matches', () => {
    const r = triageText({ text: 'Hello there.' });
    expect(r.kind.value).toBe('other');
    expect(r.kind.confidence).toBeLessThan(0.5);
    expect(r.kind.evidence[0]?.rule).toBe('kind.default');
  });

  it('gives a clear, single cue more confidence than a vague one', () => {
    const clear = triageText({ text: 'You charged me twice, I was double charged.' }).kind;
    const vague = triageText({ text: 'how long does shipping take' }).kind;
    expect(clear.value).toBe('billing_error');
    expect(vague.value).toBe('delivery_late');
    expect(clear.confidence).toBeGreaterThan(vague.confidence);
    expect(clear.confidence).toBeLessThanOrEqual(1);
  });

  it('lets an item problem win over the delay it came with', () => {
    expect(kindOf('The parcel was 3 days late and the vase inside arrived broken.')).toBe('damaged_item');
  });

  it('does not read "cancel my account" as an order cancellation', () => {
    expect(kindOf('I want to cancel my premium account')).toBe('other');
    expect(kindOf('I want to cancel my order')).toBe('cancellation');
  });

  it('reads common one-letter typos of core words', () => {
    expect(kindOf('I want a reimbvurse of 12 dollars')).toBe('refund_request');
    expect(kindOf('acnceling order 123')).toBe('cancellation');
    expect(kindOf('I cannot create an account for my fiancee')).toBe('account_access');
  });

  it('reads Spanish cues', () => {
    expect(kindOf('Hola, mi pedido no ha llegado todavía')).toBe('delivery_late');
    expect(kindOf('Quiero un reembolso, por favor')).toBe('refund_request');
  });
});

describe('triageText: negation', () => {
  it('"not damaged" is not a damaged item', () => {
    const r = triageText({ text: 'The box was not damaged but the order is 5 days late.' });
    expect(r.kind.value).toBe('delivery_late');
    expect(r.kind.evidence.some((e) => e.rule === 'kind.negated' && /not damaged/.test(e.phrase ?? ''))).toBe(true);
  });

  it('"no problem with delivery" is not a delivery problem', () => {
    expect(kindOf('There was no problem with the delivery, but the mug is cracked.')).toBe('damaged_item');
    expect(kindOf('There was a problem with the delivery.')).toBe('delivery_late');
    expect(kindOf('There was no problem with the delivery.')).toBe('other');
  });

  it('"can\'t" before an action is the complaint, not a negation', () => {
    expect(kindOf("I can't track my order")).toBe('delivery_late');
    expect(kindOf("I can't reset my password")).toBe('account_access');
  });

  it('"not happy" is disappointment, not satisfaction', () => {
    expect(emotionOf('I am happy with the service').primary).toBe('satisfied');
    const e = emotionOf('I am not happy with the service');
    expect(e.primary).toBe('disappointment');
    expect(e.evidence.find((x) => x.rule === 'emotion.negated')?.phrase).toBe('not happy');
  });

  it('negated safety words do not raise severity', () => {
    expect(triageText({ text: 'The kettle leaks but luckily no one was hurt.' }).severity.value).toBeLessThan(4);
    expect(triageText({ text: 'The kettle leaked and my son was hurt.' }).severity.value).toBe(4);
  });
});

describe('triageText: context outranks text', () => {
  it('a lost shipment is delivery_lost whatever the text says', () => {
    const r = triageText({ text: 'Where is my order?', context: { shipmentLost: true } });
    expect(r.kind.value).toBe('delivery_lost');
    expect(r.kind.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.kind.evidence[0]?.rule).toBe('context.shipment_lost');
  });

  it('a late shipment is delivery_late unless the text clearly describes an item problem', () => {
    const vague = triageText({ text: 'Hi, can you help me with my order?', context: { shipmentLate: true } });
    expect(vague.kind.value).toBe('delivery_late');
    expect(vague.kind.evidence[0]?.rule).toBe('context.shipment_late');

    const damaged = triageText({ text: 'The vase arrived smashed to pieces.', context: { shipmentLate: true } });
    expect(damaged.kind.value).toBe('damaged_item');
    const note = damaged.kind.evidence.find((e) => e.rule === 'context.shipment_late');
    expect(note?.detail).toMatch(/also late/);
    expect(damaged.kind.evidence.some((e) => e.rule === 'kind.lexicon')).toBe(true);
  });

  it('a failed payment is payment_problem unless the customer says they were charged twice', () => {
    expect(triageText({ text: 'What happened with my order?', context: { paymentFailed: true } }).kind.value).toBe('payment_problem');
    const r = triageText({ text: 'You charged me twice for this order!', context: { paymentFailed: true } });
    expect(r.kind.value).toBe('billing_error');
    expect(r.kind.evidence.some((e) => e.rule === 'context.payment_failed')).toBe(true);
  });

  it('a cancelled order with refund words is a refund request', () => {
    expect(triageText({ text: 'When do I get my money back?', context: { orderCancelled: true } }).kind.value).toBe('refund_request');
    expect(triageText({ text: 'The site is broken, it keeps crashing.', context: { orderCancelled: true } }).kind.value).toBe(
      'website_bug',
    );
  });
});

describe('triageText: severity', () => {
  const sev = (text: string, context = {}) => triageText({ text, context }).severity;
  const rules = (text: string, context = {}) => sev(text, context).evidence.map((e) => e.rule);

  it('starts from the kind', () => {
    expect(sev('How do I cancel my order?').value).toBe(1);
    expect(sev('My order is 3 days late.').value).toBe(2);
    expect(sev('You charged me twice.').value).toBe(3);
    expect(rules('My order is 3 days late.')).toEqual(['severity.base']);
  });

  it('is critical for safety, legal or public threats and lost events', () => {
    expect(sev('The charger caught fire on my desk.').value).toBe(4);
    expect(rules('The charger caught fire on my desk.')).toContain('severity.safety');
    expect(sev('My daughter had an allergic reaction to the snack.').value).toBe(4);
    expect(sev('My order is late. I am calling my lawyer.').value).toBe(4);
    expect(rules('I will file a chargeback with my bank.')).toContain('severity.legal_threat');
    expect(sev('It came a day after the wedding, we missed the wedding with no gift.').value).toBe(4);
    expect(rules('The birthday present is ruined.')).toContain('severity.event_missed');
    expect(sev('I needed it for a funeral.').value).toBe(4);
  });

  it('is major for repeated contact, a one-star review, or an event at risk', () => {
    expect(sev('My order is late again, third time this year.').value).toBe(3);
    expect(rules('Still waiting for my parcel.')).toContain('severity.repeat_contact');
    expect(sev('The colour is a bit off.', { reviewRating: 1 }).value).toBe(3);
    expect(rules('The colour is a bit off.', { reviewRating: 1 })).toContain('severity.review_rating');
    expect(sev('My parcel is late and I need it for the wedding on Saturday.').value).toBe(3);
  });

  it('uses the order total: a large loss is critical', () => {
    expect(sev('The parcel never arrived.', { orderTotalMinor: 49_999 }).value).toBe(3);
    expect(sev('The parcel never arrived.', { orderTotalMinor: 50_000 }).value).toBe(4);
    expect(sev('How do I cancel my order?', { orderTotalMinor: 80_000 }).value).toBe(3);
    expect(rules('The parcel never arrived.', { orderTotalMinor: 90_000 })).toContain('severity.large_amount');
  });
});

describe('triageText: emotion', () => {
  it.each([
    ['anger', 'This is absolutely unacceptable, I am furious.'],
    ['anger', 'Where is my order 😡'],
    ['frustration', "I'm fed up with chasing this, it's a waste of time."],
    ['disappointment', 'Really disappointed, I expected better from you.'],
    ['anxiety', "I'm worried it won't arrive in time, please help."],
    ['confusion', "I'm confused, I don't understand why I was charged."],
    ['satisfied', 'Thank you so much, great service, very happy 🙂'],
    ['neutral', 'Please send me the invoice for order 123.'],
  ])('%s: %s', (primary, text) => {
    expect(emotionOf(text).primary).toBe(primary);
  });

  it('politeness alone is not satisfaction', () => {
    expect(emotionOf('Could you cancel my order please? Thanks! Thanks, Pat').primary).toBe('neutral');
  });

  it('ALL CAPS and !!! raise intensity', () => {
    const calm = emotionOf('This is ridiculous, my order is late.');
    const shouting = emotionOf('This is RIDICULOUS, my order is LATE!!!');
    expect(calm.primary).toBe('anger');
    expect(shouting.primary).toBe('anger');
    expect(shouting.intensity).toBeGreaterThan(calm.intensity);
    expect(shouting.evidence.map((e) => e.rule)).toEqual(expect.arrayContaining(['emotion.caps', 'emotion.exclamation']));
  });

  it('intensifiers raise intensity', () => {
    const plain = emotionOf('I am disappointed.');
    const strong = emotionOf('I am extremely disappointed.');
    expect(strong.intensity).toBeGreaterThan(plain.intensity);
    expect(strong.evidence.find((e) => e.rule === 'emotion.intensifier')?.phrase).toBe('extremely disappointed');
  });

  it('keeps intensity in [0, 1]', () => {
    const e = emotionOf('I AM SO SO FURIOUS!!!!!! THIS IS THE WORST, ABSOLUTELY DISGUSTING 😡🤬😡 SCAM SCAM');
    expect(e.intensity).toBeGreaterThan(0.8);
    expect(e.intensity).toBeLessThanOrEqual(1);
  });
});

describe('triageText: sentiment', () => {
  it('is VADER on the analysed text', () => {
    const input = { subject: 'Awful', text: 'I love the design but it broke.' };
    const v = vader.SentimentIntensityAnalyzer.polarity_scores(analysedText(input));
    expect(triageText(input).sentiment).toEqual({ compound: v.compound, positive: v.pos, negative: v.neg, neutral: v.neu });
    expect(triageText({ text: 'This is terrible and awful.' }).sentiment.compound).toBeLessThan(-0.5);
  });
});

describe('triageText: flags', () => {
  it('churn threats', () => {
    for (const t of [
      "I'm done with you.",
      'I am switching to Amazon.',
      'Please cancel my account.',
      'I will never order from you again.',
      'This is the last time I buy here.',
    ]) {
      expect(triageText({ text: t }).churnThreat.value, t).toBe(true);
    }
    expect(triageText({ text: 'Please cancel my order.' }).churnThreat.value).toBe(false);
  });

  it('legal or public threats', () => {
    for (const t of [
      "I'm disputing the charge with my bank.",
      'I will file a chargeback.',
      'My lawyer will hear about this.',
      'I will take you to small claims court.',
      'Reporting you to the BBB and trading standards.',
      'I am posting this everywhere.',
      "I'll be leaving a review.",
      'I will tell everyone I know.',
    ]) {
      expect(triageText({ text: t }).legalOrPublicThreat.value, t).toBe(true);
    }
    expect(triageText({ text: 'My order is late.' }).legalOrPublicThreat.value).toBe(false);
  });

  it('repeat mentions, but not "never again"', () => {
    for (const t of [
      'Wrong item again.',
      'This is the third time this happened.',
      'Still waiting for my refund.',
      'I already emailed you twice.',
      'Asking for the second time.',
    ]) {
      expect(triageText({ text: t }).repeatMention.value, t).toBe(true);
    }
    expect(triageText({ text: 'I will never order again.' }).repeatMention.value).toBe(false);
  });

  it('urgency with its cues', () => {
    const r = triageText({ text: 'I need it by Friday for my daughter’s birthday, we are leaving on the 12th.' });
    expect(r.urgency.value).toBe(true);
    expect(r.urgency.cues).toEqual(expect.arrayContaining(['by friday', 'birthday', 'on the 12th']));
    expect(triageText({ text: 'Please send it asap, my flight is tomorrow.' }).urgency.cues).toEqual(
      expect.arrayContaining(['asap', 'flight', 'tomorrow']),
    );
    expect(triageText({ text: 'The item is the wrong colour.' }).urgency).toEqual({ value: false, evidence: [], cues: [] });
  });
});

describe('triageText: language', () => {
  it.each([
    ['en', 'My order has not arrived and I would like to know where it is.'],
    ['es', 'Hola, mi pedido no ha llegado y quiero saber dónde está.'],
    ['de', 'Hallo, meine Bestellung ist noch nicht angekommen und ich warte seit einer Woche.'],
    ['fr', "Bonjour, ma commande n'est pas arrivée et je voudrais savoir pourquoi."],
    ['it', 'Ciao, il mio ordine non è ancora arrivato e sono molto deluso.'],
    ['pt', 'Olá, a minha encomenda ainda não chegou e eu estou muito chateado.'],
    ['nl', 'Hallo, mijn bestelling is nog niet aangekomen en ik heb geen bericht gekregen.'],
    ['und', 'ok'],
    ['und', 'ord-1001 ord-1002'],
  ])('%s: %s', (lang, text) => {
    const r = triageText({ text });
    expect(r.language.value).toBe(lang);
    expect(r.language.evidence.length).toBeGreaterThan(0);
  });
});

describe('triageText: evidence', () => {
  const samples = [
    { text: 'The mug arrived SMASHED!!! I want a refund NOW or I will dispute the charge with my bank.' },
    { subject: 'Wrong item AGAIN', text: 'Third time you sent the wrong size. I need it by Friday for a wedding 😡' },
    { subject: 'Refund', text: 'Pedido no ha llegado, estoy muy enfadado. No estoy contento.' },
    { text: 'not damaged, not late, not happy. I cannot log in and my child was hurt by the kettle.' },
  ];

  it('spans point at the phrase in the analysed text (subject + newline + body)', () => {
    let checked = 0;
    for (const input of samples) {
      const text = analysedText(input);
      for (const e of allEvidence(triageText(input))) {
        if (!e.span) continue;
        const [start, end] = e.span;
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeLessThanOrEqual(text.length);
        expect(text.slice(start, end)).toBe(e.phrase);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('counts body offsets after the subject line', () => {
    const r = triageText({ subject: 'Hello', text: 'You charged me twice.' });
    const e = r.kind.evidence.find((x) => x.rule === 'kind.lexicon')!;
    expect(e.phrase).toBe('charged me twice');
    expect(e.span).toEqual(['Hello\nYou '.length, 'Hello\nYou charged me twice'.length]);
  });

  it('every label says why', () => {
    const r = triageText(samples[1]!);
    expect(r.kind.evidence.length).toBeGreaterThan(0);
    expect(r.severity.evidence[0]?.rule).toBe('severity.base');
    expect(r.emotion.evidence.length).toBeGreaterThan(0);
    expect(r.repeatMention.evidence[0]?.rule).toBe('repeat.lexicon');
    for (const e of allEvidence(r)) expect(e.rule).toMatch(/^[a-z]+\.[a-z_]+$/);
  });
});

describe('triageText: determinism', () => {
  it('gives the same result for the same input, whatever ran before', () => {
    const input = { subject: 'Broken!!', text: 'The kettle arrived broken again. Furious. I want a refund by Friday.' };
    const first = JSON.stringify(triageText(input));
    for (const s of [{ text: 'hola' }, { text: 'I LOVE IT 🙂' }, { text: '' }]) triageText(s);
    expect(JSON.stringify(triageText(input))).toBe(first);
    expect(JSON.stringify(triageText(structuredClone(input)))).toBe(first);
  });

  it('copes with empty and odd input', () => {
    for (const text of ['', ' ', '!!!', '🙂', '\n\n', 'a'.repeat(5000)]) {
      const r = triageText({ text });
      expect(r.kind.value).toBe('other');
      expect(r.severity.value).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('datasets helpers', () => {
  it('parses CSV with quoted commas, quotes and newlines', () => {
    const csv = 'a,b,c\n1,"x, y","line1\nline2 ""q"""\r\n2,,last\n';
    expect(parseCsv(csv)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'line1\nline2 "q"'],
      ['2', '', 'last'],
    ]);
    expect(parseCsvObjects(csv)[1]).toEqual({ a: '2', b: '', c: 'last' });
  });

  it('splits Bitext deterministically, about 30 % test', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `instruction number ${i}`);
    const test = texts.filter((t) => bitextSplit(t) === 'test').length / texts.length;
    expect(test).toBeGreaterThan(0.25);
    expect(test).toBeLessThan(0.35);
    expect(texts.map(bitextSplit)).toEqual(texts.map(bitextSplit));
  });
});
