import { describe, expect, it } from 'vitest';
import { issueKinds } from '../triage/labels.ts';
import { type AckInput, renderAcknowledgement, templateVariables, validateTemplate } from './acknowledgement.ts';
import { checkTone } from './tone-check.ts';

// Monday 9 March 2026, 10:00 in New York (EDT, UTC-4: DST began on Sunday 8 March).
const DUE_MONDAY = '2026-03-09T14:00:00Z';
// Friday 6 March 2026, 10:00 in New York (EST, UTC-5).
const NOW_FRIDAY = '2026-03-06T15:00:00Z';

const input = (over: Partial<AckInput> = {}): AckInput => ({
  locale: 'en-US',
  storeName: 'Acme',
  customerName: 'Maria Lopez',
  kind: 'delivery_late',
  orderRef: '1001',
  emotion: 'neutral',
  intensity: 0.2,
  repeatFailure: false,
  avertable: false,
  nextStep: { dueAt: DUE_MONDAY, timezone: 'America/New_York' },
  now: NOW_FRIDAY,
  signature: null,
  ...over,
});

const FORBIDDEN = ['excuse', 'blame', 'conditional_apology', 'corporate_apology'];

describe('renderAcknowledgement: every kind in both languages', () => {
  for (const kind of issueKinds) {
    for (const locale of ['en', 'es-MX'] as const) {
      it(`${kind} / ${locale}`, () => {
        const ack = renderAcknowledgement(input({ kind, locale }));
        const lang = locale === 'en' ? 'en' : 'es';
        expect(ack.locale).toBe(lang);
        expect(ack.template).toBe(`${lang}/ack`);

        const tone = checkTone(`${ack.subject}\n${ack.body}`, { locale });
        expect(tone.findings.filter((f) => f.severity === 'error' || FORBIDDEN.includes(f.rule))).toEqual([]);
        expect(tone.ok).toBe(true);

        const lines = ack.body.split('\n');
        expect(lines[0]).toBe(lang === 'en' ? 'Hi Maria,' : 'Hola, Maria:');
        expect(lines[2]).toMatch(lang === 'en' ? /^I'm sorry / : /^Lo siento mucho: /);

        expect(ack.body).toContain('#1001');
        expect(ack.subject).toContain('#1001');
        expect(ack.body).toContain(lang === 'en' ? 'by Monday, 10:00' : 'antes del lunes, 10:00');
        expect(ack.body).not.toMatch(/inconvenience|inconveniente/i);
        expect(ack.body.trimEnd().endsWith(lang === 'en' ? 'The Acme team' : 'El equipo de Acme')).toBe(true);
      });
    }
  }
});

describe('renderAcknowledgement', () => {
  it('names the problem in plain words', () => {
    expect(renderAcknowledgement(input()).body).toContain("I'm sorry your order #1001 hasn't arrived when we promised.");
    expect(renderAcknowledgement(input({ kind: 'damaged_item' })).body).toContain("I'm sorry your order #1001 arrived damaged.");
    expect(renderAcknowledgement(input({ kind: 'damaged_item', locale: 'es' })).body).toContain(
      'Lo siento mucho: su pedido #1001 llegó dañado.',
    );
    expect(renderAcknowledgement(input({ orderRef: '#1001' })).body).toContain('your order #1001 hasn');
    expect(renderAcknowledgement(input({ orderRef: null })).body).toContain("I'm sorry your order hasn't arrived when we promised.");
  });

  it('chooses Spanish for es, es-MX and es_ES, and English otherwise', () => {
    expect(['es', 'es-MX', 'es_ES'].map((locale) => renderAcknowledgement(input({ locale })).locale)).toEqual(['es', 'es', 'es']);
    expect(['en-GB', 'fr', null].map((locale) => renderAcknowledgement(input({ locale })).locale)).toEqual(['en', 'en', 'en']);
  });

  it('greets neutrally without a name and signs with the given signature', () => {
    const en = renderAcknowledgement(input({ customerName: null, signature: 'Sam from Acme' }));
    expect(en.body.startsWith('Hello,\n')).toBe(true);
    expect(en.body.endsWith('Sam from Acme')).toBe(true);
    const es = renderAcknowledgement(input({ customerName: '  ', locale: 'es' }));
    expect(es.body.startsWith('Hola:\n')).toBe(true);
  });

  it('acknowledges strong anger or frustration explicitly, and only then', () => {
    const angry = renderAcknowledgement(input({ emotion: 'anger', intensity: 0.9 }));
    expect(angry.body).toContain('I can hear how frustrating this has been');
    const frustratedEs = renderAcknowledgement(input({ emotion: 'frustration', intensity: 0.7, locale: 'es' }));
    expect(frustratedEs.body).toContain('Entiendo lo frustrante que ha sido todo esto');
    expect(renderAcknowledgement(input({ emotion: 'anger', intensity: 0.2 })).body).not.toContain('I can hear');
    expect(renderAcknowledgement(input({ emotion: 'neutral', intensity: 0.9 })).body).not.toContain('I can hear');
    expect(renderAcknowledgement(input({ emotion: 'anxiety', intensity: 0.8 })).body).toContain('I know how worrying this is');
  });

  it('owns a repeat failure and an avertable one, without excuses', () => {
    const en = renderAcknowledgement(input({ repeatFailure: true, avertable: true }));
    expect(en.body).toContain("This isn't the first time we've let you down, and that's on us.");
    expect(en.body).toContain('This should not have happened');
    const es = renderAcknowledgement(input({ repeatFailure: true, avertable: true, locale: 'es' }));
    expect(es.body).toContain('No es la primera vez que le fallamos');
    expect(es.body).toContain('Esto no debería haber pasado');
    for (const ack of [en, es]) expect(checkTone(ack.body, { locale: ack.locale }).findings).toEqual([]);

    const plain = renderAcknowledgement(input());
    expect(plain.body).not.toContain('first time');
    expect(plain.body).not.toContain('should not have happened');
    expect(plain.body).not.toMatch(/\n{3,}/);
  });

  it('formats the due time in the store time zone across the DST change', () => {
    // Before DST (EST, UTC-5) and after (EDT, UTC-4), 10:00 local both times.
    const before = renderAcknowledgement(
      input({ nextStep: { dueAt: '2026-03-06T15:00:00Z', timezone: 'America/New_York' }, now: '2026-03-04T12:00:00Z' }),
    );
    expect(before.body).toContain('by Friday, 10:00');
    const after = renderAcknowledgement(input());
    expect(after.body).toContain('by Monday, 10:00');
    // The same instant in Madrid is 15:00.
    const madrid = renderAcknowledgement(input({ locale: 'es', nextStep: { dueAt: DUE_MONDAY, timezone: 'Europe/Madrid' } }));
    expect(madrid.body).toContain('antes del lunes, 15:00');
  });

  it('says "today" when the reply is due the same local day', () => {
    const now = '2026-03-09T12:30:00Z'; // 08:30 in New York
    const dueAt = '2026-03-09T18:00:00Z'; // 14:00 in New York
    const en = renderAcknowledgement(input({ now, nextStep: { dueAt, timezone: 'America/New_York' } }));
    expect(en.body).toContain('today by 14:00');
    const es = renderAcknowledgement(input({ now, locale: 'es', nextStep: { dueAt, timezone: 'America/New_York' } }));
    expect(es.body).toContain('hoy antes de las 14:00');
    // 02:00 UTC on the 10th is still the 9th in New York.
    const lateEvening = renderAcknowledgement(input({ now, nextStep: { dueAt: '2026-03-10T02:00:00Z', timezone: 'America/New_York' } }));
    expect(lateEvening.body).toContain('today by 22:00');
  });

  it('adds the date when the reply is a week or more away, and never promises a past time', () => {
    const far = renderAcknowledgement(input({ now: '2026-03-02T15:00:00Z' }));
    expect(far.body).toContain('by Monday 9 March, 10:00');
    const farEs = renderAcknowledgement(input({ now: '2026-03-02T15:00:00Z', locale: 'es' }));
    expect(farEs.body).toContain('antes del lunes 9 de marzo, 10:00');
    const overdue = renderAcknowledgement(input({ now: '2026-03-09T15:00:00Z' }));
    expect(overdue.body).toContain('as soon as possible today');
  });

  it('refuses an invalid time zone or instant with a clear error', () => {
    expect(() => renderAcknowledgement(input({ nextStep: { dueAt: DUE_MONDAY, timezone: 'Mars/Olympus' } }))).toThrow(/time zone/);
    expect(() => renderAcknowledgement(input({ now: 'yesterday' }))).toThrow(/now is not a valid/);
  });

  it('renders customer values literally, never as template syntax', () => {
    const ack = renderAcknowledgement(input({ customerName: '{{storeName}}{{#each}}', signature: '{{> partial}} & <b>' }));
    expect(ack.body.startsWith('Hi {{storeName}}{{#each}},\n')).toBe(true);
    expect(ack.body).toContain('{{> partial}} & <b>');
    const es = renderAcknowledgement(input({ locale: 'es', customerName: '{{signature}}', orderRef: '{{kind}}' }));
    expect(es.body).toContain('Hola, {{signature}}:');
    expect(es.body).toContain('#{{kind}}');
  });

  it('uses a store override for its language and falls back to the default otherwise', () => {
    const overrides = {
      'en/ack': 'Subject: Sorry, {{firstName}}\n\nHi {{firstName}}, I am sorry {{problem}}. We will reply {{dueText}}.\n{{signature}}',
    };
    const en = renderAcknowledgement(input(), overrides);
    expect(en).toEqual({
      locale: 'en',
      subject: 'Sorry, Maria',
      body: "Hi Maria, I am sorry your order #1001 hasn't arrived when we promised. We will reply by Monday, 10:00.\nThe Acme team",
      template: 'store:en/ack',
    });
    const es = renderAcknowledgement(input({ locale: 'es-MX' }), overrides);
    expect(es.template).toBe('es/ack');
    expect(es.body).toContain('Lo siento mucho');
    expect(renderAcknowledgement(input()).template).toBe('en/ack');
  });

  it('gives an override without a subject line the default subject', () => {
    const ack = renderAcknowledgement(input({ locale: 'es' }), { 'es/ack': '{{capitalize problem}}. Lo siento.' });
    expect(ack.template).toBe('store:es/ack');
    expect(ack.body).toBe('Su pedido #1001 no ha llegado en la fecha que le prometimos. Lo siento.');
    expect(ack.subject).toBe(renderAcknowledgement(input({ locale: 'es' })).subject);
  });

  it('falls back to the default when an override is broken', () => {
    for (const broken of ['{{#if firstName}}unclosed', '{{noSuchHelper firstName}}']) {
      const ack = renderAcknowledgement(input(), { 'en/ack': broken });
      expect(ack.template).toBe('en/ack');
      expect(ack.body).toContain("I'm sorry");
    }
  });

  it('builds the subject from the problem', () => {
    expect(renderAcknowledgement(input()).subject).toBe("About your late order #1001: I'm sorry, and here's what happens next");
    expect(renderAcknowledgement(input({ locale: 'es' })).subject).toBe(
      'Sobre el retraso de su pedido #1001: lo siento, y esto es lo que pasará ahora',
    );
  });
});

describe('validateTemplate', () => {
  it('accepts the documented variables', () => {
    const source = templateVariables.map((name) => `{{${name}}}`).join(' ');
    expect(() => validateTemplate(source)).not.toThrow();
    expect(() => validateTemplate('Subject: Hi\n\n{{#if firstName}}Hi {{firstName}}{{else}}Hello{{/if}}')).not.toThrow();
  });

  it('rejects an unclosed {{#if}} with a clear message', () => {
    expect(() => validateTemplate('{{#if firstName}}Hi {{firstName}}')).toThrow(/^Template does not compile: .*Parse error on line 1/s);
  });

  it('rejects an unknown helper', () => {
    expect(() => validateTemplate('{{shout firstName}}')).toThrow(/Template fails to render: .*shout/);
  });
});

describe('renderAcknowledgement: the closing line fits the channel', () => {
  it('asks an e-mail customer to reply to the e-mail, and a chat customer to write in the chat', () => {
    expect(renderAcknowledgement(input({ channel: 'email' })).body).toContain('just reply to this e-mail');
    const chat = renderAcknowledgement(input({ channel: 'chat' })).body;
    expect(chat).toContain('just write it here');
    expect(chat).not.toMatch(/e-mail/);
    const es = renderAcknowledgement(input({ channel: 'portal', locale: 'es' })).body;
    expect(es).toContain('escríbamelo aquí mismo');
    expect(es).not.toContain('correo');
  });
});
