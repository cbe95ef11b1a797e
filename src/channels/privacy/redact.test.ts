import { describe, expect, it } from 'vitest';
import { isCode, mentions, REDACTED, redactJson, redactJsonText, redactReason } from './redact.ts';

describe('redactJson', () => {
  it('replaces personal fields of event data and keeps ids, amounts and statuses', () => {
    const complaint = {
      complaintId: 'cmp-1',
      customerId: '207119551',
      email: 'bob.norman@hostmail.com',
      orderId: '450789469',
      channel: 'email',
      subject: 'Broken teapot',
      body: 'Bob here, it arrived smashed',
    };
    expect(redactJson(complaint)).toEqual({
      complaintId: 'cmp-1',
      customerId: '207119551',
      email: REDACTED,
      orderId: '450789469',
      channel: 'email',
      subject: REDACTED,
      body: REDACTED,
    });
    const shipment = { shipmentId: 's1', orderId: 'o1', carrier: 'UPS', trackingNumber: '1Z2345', status: 'in_transit' };
    expect(redactJson(shipment)).toEqual({ ...shipment, trackingNumber: REDACTED });
    const customer = { customerId: 'c1', name: 'Bob Norman', phone: '555', tags: ['VIP'], createdAt: '2020-01-01T00:00:00Z' };
    expect(redactJson(customer)).toEqual({
      customerId: 'c1',
      name: REDACTED,
      phone: REDACTED,
      tags: [],
      createdAt: '2020-01-01T00:00:00Z',
    });
  });
  it('keeps order lines (products), and reasons that are codes', () => {
    const placed = { orderId: 'o1', items: [{ sku: 'A', name: 'IPod Nano', quantity: 1, price: { amount: 100, currency: 'USD' } }] };
    expect(redactJson(placed)).toEqual(placed);
    expect(redactJson({ orderId: 'o1', reason: 'customer' })).toEqual({ orderId: 'o1', reason: 'customer' });
    expect(redactJson({ refundId: 'r', reason: 'it broke during shipping' })).toEqual({ refundId: 'r', reason: REDACTED });
  });
  it('removes quoted evidence from triage but keeps the labels', () => {
    const triage = {
      kind: {
        value: 'damaged_item',
        confidence: 0.9,
        evidence: [{ rule: 'kind.lexicon', phrase: 'smashed', span: [10, 17], detail: 'smashed' }],
      },
      severity: { value: 3, evidence: [{ rule: 'severity.base', detail: 'damaged_item starts at severity 2.', weight: 2 }] },
      urgency: { value: true, cues: ['wedding on Saturday'], evidence: [] },
    };
    expect(redactJson(triage)).toEqual({
      kind: {
        value: 'damaged_item',
        confidence: 0.9,
        evidence: [{ rule: 'kind.lexicon', phrase: REDACTED, span: [10, 17], detail: REDACTED }],
      },
      severity: triage.severity,
      urgency: { value: true, cues: [REDACTED], evidence: [] },
    });
  });
  it('redactJsonText keeps null and replaces text that is not JSON', () => {
    expect(redactJsonText(null)).toBeNull();
    expect(redactJsonText('{"why":["late"]}')).toBe('{"why":["[redacted]"]}');
    expect(redactJsonText('Bob Norman')).toBe(JSON.stringify(REDACTED));
  });
});

describe('reasons', () => {
  it('codes stay, prose goes', () => {
    expect(isCode('card_declined')).toBe(true);
    expect(isCode('Card declined')).toBe(false);
    expect(redactReason('fraud')).toBe('fraud');
    expect(redactReason('Bob changed his mind')).toBe(REDACTED);
    expect(redactReason(null)).toBeNull();
  });
});

describe('mentions', () => {
  const m = { ids: new Set(['207119551', '450789469']), contacts: new Set(['bob.norman@hostmail.com', '555-625-1199']) };
  it('finds a customer or order by id under an id key, or an address anywhere', () => {
    expect(mentions({ id: 207119551, email: null }, m)).toBe(true);
    expect(mentions({ id: 1, order_id: 450789469 }, m)).toBe(true);
    expect(mentions({ id: 1, customer: { id: 2, email: 'Bob.Norman@Hostmail.com' } }, m)).toBe(true);
    expect(mentions({ shop_id: 1, orders_to_redact: [450789469] }, m)).toBe(true);
    expect(mentions({ line_items: [{ grams: 207119551 }] }, m)).toBe(false);
    expect(mentions({ id: 3, email: 'someone@else.com' }, m)).toBe(false);
  });
});
