import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ComplaintContext, type ComplaintKind, complaintKinds, complaintText, type Rng } from './complaint-texts.ts';
import data from './data/bitext-complaints.json' with { type: 'json' };

// Own copy of mulberry32 so the test does not depend on the demo store's rng module.
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const full: ComplaintContext = {
  orderId: 'ord-1042',
  itemName: 'Gooseneck kettle',
  carrier: 'FedEx',
  daysLate: 4,
  customerFirstName: 'Mei',
  amount: '$42.10',
};
const contexts: ComplaintContext[] = [full, {}, { orderId: 'ord-7' }, { itemName: 'Earl Grey tin, 125 g', daysLate: 1 }, { daysLate: 0 }];

const bitextKinds: Partial<Record<ComplaintKind, (keyof typeof data.byIntent)[]>> = {
  other: ['complaint'],
  rude_service: ['complaint'],
  refund_request: ['get_refund', 'track_refund'],
  payment_problem: ['payment_issue'],
  delivery_late: ['delivery_period', 'track_order'],
  cancellation: ['cancel_order'],
};

// Bitext lines get their order numbers and amounts swapped for ours, so compare on the letters that remain.
const letters = (s: string) =>
  s
    .toLowerCase()
    .replace(/dollars?/g, '')
    .replace(/\bmy\b/g, '')
    .replace(/[^a-z]/g, '');
const bitextKey = (body: string, ctx: ComplaintContext) => {
  let s = body;
  for (const v of [ctx.orderId, ctx.amount]) if (v) s = s.split(v).join('');
  return letters(s);
};

describe('complaintText', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is deterministic for the same rng sequence and varies with the seed', () => {
    const run = (seed: number) => {
      const rng = mulberry32(seed);
      return complaintKinds.flatMap((k) => contexts.map((ctx) => complaintText(k, rng, ctx)));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43)).not.toEqual(run(42));
  });

  it('uses only the rng it is given (no Math.random, no clock)', () => {
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now used');
    });
    const rng = mulberry32(1);
    for (const k of complaintKinds) for (let i = 0; i < 50; i++) complaintText(k, rng, full);
  });

  it('copes with rng values at both ends of [0, 1)', () => {
    for (const v of [0, 0.999999999]) {
      for (const k of complaintKinds) {
        for (const ctx of contexts) {
          const t = complaintText(k, () => v, ctx);
          expect(t.body.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('gives every kind a non-empty subject and body with no holes or leftover placeholders', () => {
    const rng = mulberry32(7);
    for (const k of complaintKinds) {
      for (const ctx of contexts) {
        for (let i = 0; i < 150; i++) {
          const t = complaintText(k, rng, ctx);
          for (const s of [t.subject, t.body]) {
            expect(s.trim().length, `${k} ${JSON.stringify(t)}`).toBeGreaterThan(0);
            expect(s, k).not.toMatch(/undefined|null|NaN|[{}]|\bthe the\b|\bmy the\b|\s[,.?]/);
          }
          expect(['calm', 'frustrated', 'angry', 'anxious', 'confused']).toContain(t.tone);
        }
      }
    }
  });

  it('produces well over 200 distinct bodies in 300 calls', () => {
    const rng = mulberry32(2024);
    const bodies = new Set<string>();
    for (let i = 0; i < 300; i++) bodies.add(complaintText(complaintKinds[i % complaintKinds.length]!, rng, full).body);
    expect(bodies.size).toBeGreaterThan(250);
  });

  it('has plenty of variety within a single kind', () => {
    const rng = mulberry32(5);
    for (const k of complaintKinds) {
      const bodies = new Set<string>();
      const subjects = new Set<string>();
      const tones = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const t = complaintText(k, rng, full);
        bodies.add(t.body);
        subjects.add(t.subject);
        tones.add(t.tone);
      }
      expect(bodies.size, k).toBeGreaterThan(150);
      expect(subjects.size, k).toBeGreaterThanOrEqual(6);
      expect(tones.size, k).toBeGreaterThanOrEqual(3);
    }
  });

  it('fills slots from the context and falls back sensibly without it', () => {
    const rng = mulberry32(11);
    const withCtx = complaintKinds.flatMap((k) => Array.from({ length: 60 }, () => complaintText(k, rng, full)));
    const all = withCtx.map((t) => `${t.subject}\n${t.body}`).join('\n');
    expect(withCtx.filter((t) => t.body.includes('ord-1042')).length).toBeGreaterThan(50);
    expect(withCtx.some((t) => t.subject.includes('ord-1042'))).toBe(true);
    for (const v of ['gooseneck kettle', 'FedEx', '4 days', '$42.10', 'Mei']) expect(all).toContain(v);

    const bare = complaintKinds.flatMap((k) => Array.from({ length: 60 }, () => complaintText(k, rng, {})));
    const bareAll = bare.map((t) => `${t.subject}\n${t.body}`).join('\n');
    for (const v of ['my order', 'the item', 'the courier', 'several days']) expect(bareAll).toContain(v);
    expect(bareAll).not.toMatch(/ord-|Mei|\b\d{8,}\b/);
  });

  it('writes like real customers: occasions, repeat failures, shouting and terse one-liners', () => {
    const rng = mulberry32(99);
    const late = Array.from({ length: 300 }, () => complaintText('delivery_late', rng, full).body).join('\n');
    expect(late).toMatch(/birthday/);
    expect(late).toMatch(/wedding/i);
    const any = complaintKinds.flatMap((k) => Array.from({ length: 100 }, () => complaintText(k, rng, full).body));
    expect(any.some((b) => /second time/i.test(b))).toBe(true);
    expect(any.some((b) => /!!/.test(b))).toBe(true);
    expect(any.some((b) => /\b[A-Z]{4,}\b/.test(b.replace(/\b(FedEx|UPS|USPS|DHL|ETA)\b/g, '')))).toBe(true);
    expect(any.some((b) => b.length < 40)).toBe(true);
    expect(any.some((b) => b.length > 250)).toBe(true);
  });

  it('uses a Bitext line as the body about 15% of the time, only for the kinds it covers', () => {
    for (const ctx of [full, {}]) {
      const rng = mulberry32(31);
      for (const k of complaintKinds) {
        const intents = bitextKinds[k] ?? Object.keys(data.byIntent);
        const keys = new Set(intents.flatMap((i) => data.byIntent[i as keyof typeof data.byIntent].map((l) => letters(l))));
        const n = 2000;
        let hits = 0;
        for (let i = 0; i < n; i++) if (keys.has(bitextKey(complaintText(k, rng, ctx).body, ctx))) hits++;
        if (bitextKinds[k]) {
          expect(hits / n, k).toBeGreaterThan(0.1);
          expect(hits / n, k).toBeLessThan(0.2);
        } else {
          expect(hits, k).toBe(0);
        }
      }
    }
  });

  it('puts our order id and amount into Bitext lines and never invents an amount', () => {
    const rng = mulberry32(8);
    const withCtx = Array.from({ length: 1500 }, () => complaintText('cancellation', rng, full).body);
    expect(withCtx.some((b) => /^\S.*\b(cancel\w*|purchase|order) ord-1042\b/.test(b) && !b.includes('\n'))).toBe(true);
    const refunds = Array.from({ length: 1500 }, () => complaintText('refund_request', rng, full).body);
    expect(refunds.some((b) => /(reimburse|refund|rebat|paid)\w* \$42\.10/.test(b))).toBe(true);
    const bare = Array.from({ length: 1500 }, () => complaintText('refund_request', rng, {}).body);
    expect(bare.filter((b) => /\$\s?\d|\d+ dollars/.test(b))).toEqual([]);
  });

  it('ships the extracted dataset with its licence and at most 40 distinct lines per intent', () => {
    expect(data.license).toBe('CDLA-Sharing-1.0');
    expect(data.source).toMatch(/bitext/i);
    const intents = ['complaint', 'get_refund', 'track_refund', 'payment_issue', 'delivery_period', 'track_order', 'cancel_order'];
    expect(Object.keys(data.byIntent).sort()).toEqual([...intents].sort());
    for (const lines of Object.values(data.byIntent)) {
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.length).toBeLessThanOrEqual(40);
      expect(new Set(lines.map((l) => l.toLowerCase())).size).toBe(lines.length);
    }
  });
});
