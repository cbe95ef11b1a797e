import { describe, expect, it } from 'vitest';
import { stripQuotedReply } from './quoted-reply.ts';

describe('stripQuotedReply', () => {
  it('drops quoted lines and everything from the attribution on', () => {
    const text = [
      'A replacement would be great.',
      'I still have the box.',
      '',
      'On Mon, 2 Mar 2026 at 10:00, Acme Goods <help@acme.test> wrote:',
      '> Hi,',
      '> I am sorry your vase arrived broken.',
      'Some trailing signature of the quote',
    ].join('\r\n');
    expect(stripQuotedReply(text)).toBe('A replacement would be great.\nI still have the box.');
  });

  it('finds an attribution the client wrapped over two lines', () => {
    const text = 'Thanks!\n\nOn Mon, 2 Mar 2026 at 10:00, Acme Goods <\nhelp@acme.test> wrote:\n\n> earlier';
    expect(stripQuotedReply(text)).toBe('Thanks!');
  });

  it('knows Outlook and other languages', () => {
    expect(stripQuotedReply('Yes please.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday')).toBe('Yes please.');
    expect(stripQuotedReply('Yes please.\n________________________________\nFrom: Acme <help@acme.test>\nSent: x')).toBe('Yes please.');
    expect(stripQuotedReply('Gracias.\n\nEl lun, 2 mar 2026 a las 10:00, Acme <help@acme.test> escribió:\n> hola')).toBe('Gracias.');
    expect(stripQuotedReply('Danke.\n\nAm Mo., 2. März 2026 um 10:00 Uhr schrieb Acme <help@acme.test>:\n> hallo')).toBe('Danke.');
  });

  it('removes interleaved quotes but keeps the answers between them', () => {
    expect(stripQuotedReply('> Which colour?\nBlue.\n> Which size?\nLarge.')).toBe('Blue.\nLarge.');
  });

  it('keeps a sentence that only starts like an attribution', () => {
    const text = 'On Monday I wrote to you about this and nobody answered.\nPlease help.';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('keeps the original when stripping would leave nothing', () => {
    expect(stripQuotedReply('> only a quote\n> nothing else\n')).toBe('> only a quote\n> nothing else');
  });
});
