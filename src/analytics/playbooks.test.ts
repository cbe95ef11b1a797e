import { describe, expect, it } from 'vitest';
import {
  anonymize,
  type CaseFacts,
  draftFromCase,
  fillPlaceholders,
  placeholderValues,
  scenarioMatch,
  searchTerms,
  searchTextOf,
  trackRecord,
} from './playbooks.ts';

const nora = { name: 'Nora Jane Quinn', email: 'nora.quinn@example.com', phone: '+1 555 010 7788', orderId: 'ORD-4411' };

describe('anonymize', () => {
  it('replaces the name, e-mail, phone and order id by placeholders, whatever their case', () => {
    const out = anonymize(
      'Hi Nora, sorry Ms QUINN. Nora Jane Quinn: we wrote to nora.quinn@example.com and will call +1 555 010 7788 about ORD-4411.',
      nora,
    );
    expect(out).toBe(
      'Hi {{customer.firstName}}, sorry Ms {{customer.lastName}}. {{customer.name}}: we wrote to {{customer.email}} and will call {{customer.phone}} about {{order.id}}.',
    );
  });

  it("also removes other people's addresses and phone numbers, but not dates, prices or words containing the name", () => {
    const out = anonymize('Write to ops@shop.test or 020 7946 0958 by 2026-03-01; 12.50 refunded. Noral is not Nora.', nora);
    expect(out).toBe(
      'Write to {{customer.email}} or {{customer.phone}} by 2026-03-01; 12.50 refunded. Noral is not {{customer.firstName}}.',
    );
  });

  it('leaves a text without personal data alone', () => {
    expect(anonymize('We are sorry; a new mug is on its way.', { name: null, email: null, phone: null, orderId: null })).toBe(
      'We are sorry; a new mug is on its way.',
    );
  });
});

describe('fillPlaceholders', () => {
  it('fills known values and falls back for missing ones; unknown placeholders stay', () => {
    const v = placeholderValues({ name: 'Ana Ruiz', email: null, phone: null, orderId: 'A-1' });
    expect(
      fillPlaceholders('Hi {{customer.firstName}} ({{ customer.lastName }}), order {{order.id}} to {{customer.email}} {{x.y}}', v),
    ).toBe('Hi Ana (Ruiz), order A-1 to your e-mail address {{x.y}}');
    expect(fillPlaceholders('Hi {{customer.firstName}},', placeholderValues({ name: null, email: null, phone: null, orderId: null }))).toBe(
      'Hi there,',
    );
  });
});

describe('search words', () => {
  it('are lower case without diacritics or punctuation, placeholders left out, and the same for query and text', () => {
    const text = searchTextOf({
      title: 'Crème brûlée — DAMAGED',
      summary: 'Re-ship at once',
      steps: [{ title: 'Apologise', detail: 'Say sorry, {{customer.firstName}}!' }],
      messages: ['Café order'],
      remedy: { kind: 'replacement', label: 'Free replacement', amount: null, percentOff: null, points: null, currency: 'USD' },
    });
    expect(text).toBe('creme brulee damaged re ship at once apologise say sorry cafe order free replacement');
    expect(searchTerms('  CRÈME, crème  brûlée!! ')).toEqual(['creme', 'brulee']);
    expect(searchTerms('!!! ...')).toEqual([]);
  });
});

describe('scenarioMatch', () => {
  const c = { kind: 'damaged_item', severity: 3, tier: 'vip', emotion: 'anger' };
  it('needs the same kind', () => {
    expect(scenarioMatch(c, { ...c, kind: 'delivery_late' })).toBeNull();
  });
  it('orders kind > severity distance > tier > emotion', () => {
    const exact = scenarioMatch(c, c)!.score;
    const otherEmotion = scenarioMatch(c, { ...c, emotion: 'neutral' })!.score;
    const otherTier = scenarioMatch(c, { ...c, tier: 'new' })!.score;
    const sevOffTierEmotionSame = scenarioMatch(c, { ...c, severity: 2 })!.score;
    const sevOffTwo = scenarioMatch(c, { ...c, severity: 1 })!.score;
    expect(exact).toBeGreaterThan(otherEmotion);
    expect(otherEmotion).toBeGreaterThan(otherTier);
    expect(otherTier).toBeGreaterThan(sevOffTierEmotionSame);
    expect(sevOffTierEmotionSame).toBeGreaterThan(sevOffTwo);
    expect(scenarioMatch(c, { ...c, severity: 1 })).toMatchObject({ severityDistance: 2, tier: true, emotion: true });
  });
});

describe('trackRecord', () => {
  it('counts cases, the resolved share, mean CSAT over all answers and mean cost per case', () => {
    const r = trackRecord(
      [
        { status: 'resolved', csatScores: [5, 4], cost: 1000 },
        { status: 'closed', csatScores: [3], cost: 0 },
        { status: 'in_progress', csatScores: [], cost: 501 },
      ],
      'EUR',
    );
    expect(r).toEqual({ applied: 3, resolved: 2, resolvedShare: 2 / 3, avgCsat: 4, csatAnswers: 3, avgCost: 500, currency: 'EUR' });
    expect(trackRecord([], 'EUR')).toMatchObject({ applied: 0, resolvedShare: null, avgCsat: null, avgCost: null });
  });
});

describe('draftFromCase', () => {
  const facts: CaseFacts = {
    number: 42,
    subject: 'Broken mug for Nora',
    scenario: { kind: 'damaged_item', severity: 3, tier: 'loyal', emotion: 'anger' },
    createdAt: '2026-03-01T10:00:00.000Z',
    resolvedAt: '2026-03-02T12:00:00.000Z',
    person: nora,
    messages: [
      { kind: 'inbound', authorType: 'customer', body: 'It is broken! Nora', createdAt: '2026-03-01T10:00:00.000Z', template: null },
      { kind: 'reply', authorType: 'system', body: 'We got it', createdAt: '2026-03-01T10:00:01.000Z', template: 'en/ack' },
      {
        kind: 'reply',
        authorType: 'user',
        body: 'So sorry Nora, a new mug ships today.',
        createdAt: '2026-03-01T11:30:00.000Z',
        template: null,
      },
      { kind: 'note', authorType: 'user', body: 'internal: Nora is upset', createdAt: '2026-03-01T11:31:00.000Z', template: null },
    ],
    remedies: [
      { kind: 'replacement', label: 'Free replacement', amount: 1500, percentOff: null, points: null, currency: 'USD', status: 'issued' },
    ],
    csatScores: [5, 4],
    nextOrderAt: '2026-03-12T09:00:00.000Z',
  };

  it('builds the scenario, steps, clean messages, remedy and outcome', () => {
    const d = draftFromCase(facts);
    expect(d.title).toBe('Damaged item: major loyal customer');
    expect(d.summary).toContain('case #42 (Broken mug for {{customer.firstName}})');
    expect(d.summary).toContain('angry');
    expect(d.steps.map((s) => s.title)).toEqual([
      'Acknowledge at once',
      'Own the problem in the first reply',
      'Offer the remedy: Free replacement',
      'Resolve and follow up',
    ]);
    expect(d.steps[1]!.detail).toBe('So sorry {{customer.firstName}}, a new mug ships today.');
    // Only replies written by people; never notes or the customer's words.
    expect(d.messages).toEqual(['So sorry {{customer.firstName}}, a new mug ships today.']);
    expect(JSON.stringify(d)).not.toMatch(/Nora|Quinn|nora\.quinn|4411/);
    expect(d.remedy).toMatchObject({ kind: 'replacement', amount: 1500, currency: 'USD' });
    expect(d.outcome).toEqual({ resolutionMinutes: 26 * 60, firstResponseMinutes: 90, csat: 4.5, repurchased: true, repurchaseDays: 9 });
  });

  it('without replies, remedy or answers: no message, no remedy, unknown CSAT, no repurchase', () => {
    const d = draftFromCase({ ...facts, messages: [], remedies: [], csatScores: [], nextOrderAt: null });
    expect(d.messages).toEqual([]);
    expect(d.remedy).toBeNull();
    expect(d.steps.map((s) => s.title)).toEqual(['Resolve and follow up']);
    expect(d.outcome).toMatchObject({ csat: null, repurchased: false, repurchaseDays: null, firstResponseMinutes: null });
  });
});
