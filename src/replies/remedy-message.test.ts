import { describe, expect, it } from 'vitest';
import { renderRemedyMessage } from './remedy-message.ts';
import { checkTone } from './tone-check.ts';

const base = {
  customerName: 'Maria Lopez',
  storeName: 'Acme Goods',
  orderRef: 'ord-7',
  label: 'x',
  percentOff: null,
  points: null,
  code: null,
  expiresAt: null,
  timezone: 'America/New_York',
  signerName: 'Ada Lovelace',
};

describe('renderRemedyMessage', () => {
  it('names the code, its value and its expiry in the customer’s time zone', () => {
    const m = renderRemedyMessage({
      ...base,
      locale: 'en-US',
      kind: 'discount_code',
      amount: null,
      percentOff: 15,
      code: 'SORRY-ABCD-EFGH-JKMN',
      expiresAt: '2026-08-01T02:00:00.000Z',
    });
    expect(m.subject).toBe("What we've done to put it right");
    expect(m.body).toContain('Hi Maria,');
    expect(m.body).toContain("A discount code for 15 % off your next order: SORRY-ABCD-EFGH-JKMN. It's valid until July 31, 2026.");
    expect(m.body.endsWith('Ada from Acme Goods')).toBe(true);
    expect(checkTone(m.body, { locale: 'en' }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('writes refunds and credit with money in the currency’s own format, and Spanish for Spanish speakers', () => {
    const refund = renderRemedyMessage({ ...base, locale: 'en', kind: 'refund_full', amount: { amount: 4599, currency: 'USD' } });
    expect(refund.body).toContain('A refund of 45.99 USD to your original payment method.');
    const es = renderRemedyMessage({ ...base, locale: 'es-MX', kind: 'store_credit', amount: { amount: 1000, currency: 'EUR' } });
    expect(es.locale).toBe('es');
    expect(es.subject).toBe('Lo que hemos hecho para solucionarlo');
    expect(es.body).toContain('10.00 EUR de saldo en su cuenta');
  });
});
