import { describe, expect, it } from 'vitest';
import { type ProactiveMessageInput, type ProactiveReason, proactiveReasons, renderProactiveMessage } from './proactive-message.ts';
import { checkTone } from './tone-check.ts';

// Wednesday 11 March 2026, 11:00 in New York (EDT, UTC-4 since Sunday 8 March).
const NOW = '2026-03-11T15:00:00Z';
// 23:59:59.999 on Sunday 8 March in New York — but already Monday 9 March in UTC and in Madrid.
const PROMISED = '2026-03-09T03:59:59.999Z';
// 16:20 on Tuesday 10 March in New York: "yesterday".
const LAST_SCAN = '2026-03-10T20:20:00Z';
const TZ = 'America/New_York';

const minimum = (reason: ProactiveReason, locale: string | null): ProactiveMessageInput => ({
  locale,
  customerName: null,
  storeName: 'Acme',
  reason,
  orderRef: null,
  carrier: null,
  promisedBy: null,
  lastCarrierEventAt: null,
  itemName: null,
  restockAt: null,
  payment: null,
  outageStartedAt: null,
  remedy: null,
  timezone: TZ,
  now: NOW,
  signerName: null,
});

const full = (reason: ProactiveReason, locale: string | null): ProactiveMessageInput => ({
  ...minimum(reason, locale),
  customerName: 'Maria Lopez',
  orderRef: '1001',
  carrier: 'UPS',
  promisedBy: PROMISED,
  lastCarrierEventAt: LAST_SCAN,
  itemName: 'Blue teapot',
  restockAt: '2026-03-20T12:00:00Z',
  payment: { amount: 4599, currency: 'USD' },
  outageStartedAt: '2026-03-11T13:05:00Z', // 09:05 today in New York
  signerName: 'Ada Lovelace',
});

const SHIPPING: ProactiveReason[] = ['shipment_late', 'tracking_stalled', 'delivery_exception', 'lost'];

const T = {
  en: {
    greeting: 'Hi Maria,',
    neutralGreeting: 'Hello,',
    person: 'Ada from Acme',
    team: 'The Acme team',
    noticed: 'I spotted this before you had to tell us',
    promised: 'on Sunday 8 March',
    lastScan: 'yesterday at 16:20',
    followUp: 'by Friday 13 March',
    restock: 'on Friday 20 March',
    outage: 'Between 09:05 and now',
    noCarrier: 'the delivery company',
    remedy: "To make up for it, I've added: 10 % off your next order. You'll get the details in a separate message.",
    separate: 'separate message',
    reply: 'reply to this message',
  },
  es: {
    greeting: 'Hola, Maria:',
    neutralGreeting: 'Hola:',
    person: 'Ada, del equipo de Acme',
    team: 'El equipo de Acme',
    noticed: 'Lo he detectado antes de que tuviera que escribirnos',
    promised: 'el domingo 8 de marzo',
    lastScan: 'ayer a las 16:20',
    followUp: 'el viernes 13 de marzo',
    restock: 'el viernes 20 de marzo',
    outage: 'Desde las 09:05 hasta ahora',
    noCarrier: 'la empresa de transporte',
    remedy: 'Para compensarle, he añadido: 10 % off your next order. Recibirá los detalles en un mensaje aparte.',
    separate: 'mensaje aparte',
    reply: 'responda a este mensaje',
  },
} as const;

/** Checks every message must pass, whatever the facts. */
function expectWellFormed(m: ReturnType<typeof renderProactiveMessage>, locale: string | null): void {
  const text = `${m.subject}\n${m.body}`;
  expect(m.subject.trim()).not.toBe('');
  expect(m.subject).not.toContain('\n');
  expect(text).not.toMatch(/undefined|null|NaN|\[object|\{\{|\}\}|Invalid DateTime/);
  expect(text).not.toMatch(/ {2}| [.,:;]|\.\.|,,|\(\)/);
  expect(text).not.toMatch(/inconvenien|inconveniente|molestias ocasionadas|back-?order/i);
  // Short paragraphs, no stray blank runs.
  expect(m.body).not.toMatch(/\n{3,}/);
  for (const paragraph of m.body.split('\n\n')) expect(paragraph.length).toBeLessThan(400);
  // Not a single tone finding, warnings included.
  expect(checkTone(text, { locale: locale ?? undefined }).findings).toEqual([]);
}

describe('renderProactiveMessage: every reason, both languages, full and minimal facts, with and without a remedy', () => {
  for (const reason of proactiveReasons) {
    for (const locale of ['en-US', 'es-MX'] as const) {
      const lang = locale === 'en-US' ? 'en' : 'es';
      const t = T[lang];
      for (const withRemedy of [false, true]) {
        const remedy = withRemedy ? { label: '10 % off your next order' } : null;

        it(`${reason} / ${locale} / full facts${withRemedy ? ' / remedy' : ''}`, () => {
          const m = renderProactiveMessage({ ...full(reason, locale), remedy });
          expectWellFormed(m, locale);
          expect(m.locale).toBe(lang);
          expect(m.template).toBe(`${lang}/proactive`);

          expect(m.body.startsWith(`${t.greeting}\n\n`)).toBe(true);
          expect(m.body.endsWith(`\n\n${t.person}`)).toBe(true);
          expect(m.body).toContain(t.noticed);
          expect(m.body).toContain(t.reply);
          expect(m.body).toContain('#1001');
          expect(m.body).not.toContain('##');

          if (SHIPPING.includes(reason)) {
            expect(m.subject).toContain('#1001');
            expect(m.body).toContain('UPS');
            expect(m.body).toContain(t.lastScan);
            expect(m.body).toContain(t.followUp);
            expect(m.body).not.toContain(t.noCarrier);
          } else {
            expect(m.body).not.toContain('UPS');
          }
          if (reason === 'shipment_late' || reason === 'tracking_stalled') expect(m.body).toContain(t.promised);
          if (reason === 'payment_failed') {
            expect(m.subject).toContain('#1001');
            expect(m.body).toContain('45.99 USD');
          } else {
            expect(m.body).not.toContain('45.99');
          }
          if (reason === 'backorder') {
            expect(m.subject).toContain('Blue teapot');
            expect(m.body).toContain('Blue teapot');
            expect(m.body).toContain(t.restock);
          } else {
            expect(m.body).not.toContain('Blue teapot');
          }
          if (reason === 'outage') expect(m.body).toContain(t.outage);

          if (withRemedy) expect(m.body).toContain(t.remedy);
          else expect(m.body).not.toContain(t.separate);
          expect(m.body.includes('10 % off your next order')).toBe(withRemedy);
        });

        it(`${reason} / ${locale} / minimal facts${withRemedy ? ' / remedy' : ''}`, () => {
          const m = renderProactiveMessage({ ...minimum(reason, locale), remedy });
          expectWellFormed(m, locale);
          expect(m.locale).toBe(lang);
          expect(m.template).toBe(`${lang}/proactive`);

          expect(m.body.startsWith(`${t.neutralGreeting}\n\n`)).toBe(true);
          expect(m.body.endsWith(`\n\n${t.team}`)).toBe(true);
          expect(m.body).toContain(t.noticed);
          expect(m.body).toContain(t.reply);
          expect(m.body).not.toContain('#');
          if (SHIPPING.includes(reason)) {
            expect(m.body).toContain(t.noCarrier);
            expect(m.body).toContain(t.followUp);
          }
          if (reason === 'backorder') expect(m.body).toContain(t.followUp); // no restock date: I write again with one

          if (withRemedy) expect(m.body).toContain(t.remedy);
          else expect(m.body).not.toContain(t.separate);
          expect(m.body.includes('10 % off your next order')).toBe(withRemedy);
        });
      }
    }
  }
});

describe('renderProactiveMessage: dates, money and wording', () => {
  it('shows the promise in the customer’s time zone, not in UTC', () => {
    const ny = renderProactiveMessage(full('shipment_late', 'en'));
    expect(ny.body).toContain("We promised your order #1001 would reach you on Sunday 8 March, and it's running late.");
    expect(ny.body).not.toContain('9 March');
    const nyEs = renderProactiveMessage(full('shipment_late', 'es'));
    expect(nyEs.body).toContain('Le prometimos que su pedido #1001 llegaría el domingo 8 de marzo, y va con retraso.');
    expect(nyEs.body).not.toContain('9 de marzo');
    const madrid = renderProactiveMessage({ ...full('shipment_late', 'en'), timezone: 'Europe/Madrid' });
    expect(madrid.body).toContain('on Monday 9 March');
    expect(madrid.body).not.toContain('8 March');
  });

  it('uses "yesterday"/"today" only when they are right, and a plain date otherwise', () => {
    const older = { ...full('lost', 'en'), lastCarrierEventAt: '2026-03-06T14:30:00Z' }; // Friday 6 March, 09:30 in NY
    expect(renderProactiveMessage(older).body).toContain(
      "Its last tracking scan with UPS was on Friday 6 March at 09:30, and there's been nothing since.",
    );
    expect(renderProactiveMessage({ ...older, locale: 'es' }).body).toContain(
      'El último movimiento en el seguimiento de UPS fue el viernes 6 de marzo a las 09:30',
    );
    const late = renderProactiveMessage({ ...full('lost', 'en'), lastCarrierEventAt: '2026-03-11T04:20:00Z' }); // 00:20 today in NY
    expect(late.body).toContain('was today at 00:20');
    const outage = { ...full('outage', 'en'), outageStartedAt: '2026-03-10T23:00:00Z' }; // 19:00 yesterday in NY
    expect(renderProactiveMessage(outage).body).toMatch(/^Between yesterday at 19:00 and now, some customers couldn't check out/m);
    expect(renderProactiveMessage({ ...outage, locale: 'es' }).body).toMatch(/^Desde ayer a las 19:00 hasta ahora, algunos clientes/m);
    const oneAm = renderProactiveMessage({ ...outage, locale: 'es', outageStartedAt: '2026-03-11T05:05:00Z' }); // 01:05 today
    expect(oneAm.body).toMatch(/^Desde la 01:05 hasta ahora/m);
  });

  it('adds the year only when it is not this year', () => {
    const m = renderProactiveMessage({ ...full('backorder', 'en'), restockAt: '2027-01-05T17:00:00Z' });
    expect(m.body).toContain('We expect it back in stock on Tuesday 5 January 2027');
    const es = renderProactiveMessage({ ...full('backorder', 'es'), restockAt: '2027-01-05T17:00:00Z' });
    expect(es.body).toContain('Esperamos volver a tenerlo el martes 5 de enero de 2027');
  });

  it('does not promise to act on a late parcel before its promised day has passed', () => {
    const m = renderProactiveMessage({ ...full('shipment_late', 'en'), promisedBy: '2026-03-16T03:59:59.999Z' }); // Sunday 15 March
    expect(m.body).toContain('would reach you on Sunday 15 March');
    expect(m.body).toContain("if it still hasn't arrived by Monday 16 March, I'll chase UPS myself");
  });

  it('treats a restock date already past as unknown', () => {
    const m = renderProactiveMessage({ ...full('backorder', 'en'), restockAt: '2026-03-02T12:00:00Z' });
    expect(m.body).not.toContain('2 March');
    expect(m.body).toContain("I don't have a firm date for it yet. I'm chasing our supplier, and I'll write to you by Friday 13 March");
  });

  it('formats money with the currency’s own digits', () => {
    const m = renderProactiveMessage({ ...full('payment_failed', 'es'), payment: { amount: 500000, currency: 'JPY' } });
    expect(m.body).toContain('El pago de 500,000 JPY correspondiente a su pedido #1001 no se ha completado.');
    expect(m.body).toContain('Su pedido sigue reservado para usted');
    expect(m.body).toContain('Puede volver a intentar el pago desde su cuenta');
  });

  it('tolerates a "#" in the order ref, a trailing period in the remedy label and a store-owner-proof customer value', () => {
    const m = renderProactiveMessage({
      ...full('backorder', 'en'),
      orderRef: '#1001',
      remedy: { label: 'Free express shipping on this order.' },
      itemName: '{{storeName}} mug',
    });
    expect(m.body).toContain('from your order #1001,');
    expect(m.body).toContain("I've added: Free express shipping on this order. You'll");
    expect(m.body).toContain('{{storeName}} mug, from your order #1001');
  });

  it('picks the language from the locale and keeps Spanish in "usted" throughout', () => {
    expect(renderProactiveMessage(full('lost', null)).locale).toBe('en');
    expect(renderProactiveMessage(full('lost', 'es_ES')).locale).toBe('es');
    for (const reason of proactiveReasons) {
      for (const input of [full(reason, 'es'), { ...minimum(reason, 'es'), remedy: { label: 'x' } }]) {
        const m = renderProactiveMessage(input);
        expect(`${m.subject}\n${m.body}`).not.toMatch(/(?<![\p{L}])(tú|tu|tus|te|ti|contigo)(?![\p{L}])/iu);
      }
    }
  });

  it('says what I am doing, concretely, for each reason', () => {
    const en = (reason: ProactiveReason) => renderProactiveMessage(full(reason, 'en')).body;
    expect(en('tracking_stalled')).toContain(
      "I've asked UPS to trace it, and I'm checking on it every day. If it hasn't moved by Friday 13 March, I'll send you a replacement",
    );
    expect(en('lost')).toContain("I've asked UPS to trace it. If it hasn't turned up by Friday 13 March, I'll send you a replacement");
    expect(en('payment_failed')).toContain('Your order is still reserved for you');
    expect(en('payment_failed')).toContain('You can retry the payment from your account');
    expect(en('outage')).toContain("reply to this message and I'll place the order for you myself");
    expect(en('backorder')).toContain("I'll send it to you as soon as it arrives");
  });

  it('rejects an invalid instant, time zone or reason instead of writing nonsense', () => {
    expect(() => renderProactiveMessage({ ...full('lost', 'en'), now: 'soon' })).toThrow(RangeError);
    expect(() => renderProactiveMessage({ ...full('lost', 'en'), timezone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => renderProactiveMessage({ ...full('lost', 'en'), lastCarrierEventAt: '2026-13-40' })).toThrow(RangeError);
    expect(() => renderProactiveMessage({ ...full('lost', 'en'), reason: 'weather' as ProactiveReason })).toThrow(RangeError);
  });
});
