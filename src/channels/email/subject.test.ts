import { describe, expect, it } from 'vitest';
import { normaliseSubject, outgoingSubject } from './subject.ts';

describe('normaliseSubject', () => {
  it.each([
    ['Re: My order arrived broken', 'my order arrived broken'],
    ['RE: Fwd: re:  My order   arrived broken ', 'my order arrived broken'],
    ['AW: WG: My order arrived broken', 'my order arrived broken'],
    ['Re[2]: My order arrived broken [#42]', 'my order arrived broken'],
    ['Re: About your order: sorry [#42]', 'about your order: sorry'],
    ['RV: Pedido roto', 'pedido roto'],
    ['Remember me?', 'remember me?'],
    ['', ''],
  ])('%j → %j', (input, want) => {
    expect(normaliseSubject(input)).toBe(want);
  });

  it('treats null as empty', () => {
    expect(normaliseSubject(null)).toBe('');
  });
});

describe('outgoingSubject', () => {
  it("uses the message's subject, tagged once", () => {
    expect(outgoingSubject('About your order', 'Broken vase', 42)).toBe('About your order [#42]');
    expect(outgoingSubject('About your order [#42]', null, 42)).toBe('About your order [#42]');
  });

  it("falls back to Re: the case's subject, then a default", () => {
    expect(outgoingSubject(null, 'Broken vase', 7)).toBe('Re: Broken vase [#7]');
    expect(outgoingSubject('  ', 'Re: Re: Broken vase', 7)).toBe('Re: Broken vase [#7]');
    expect(outgoingSubject(null, null, 7)).toBe('Your request with us [#7]');
  });
});
