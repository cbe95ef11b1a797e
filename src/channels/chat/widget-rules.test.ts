import { describe, expect, it } from 'vitest';
import { originAllowed, subjectFromMessage } from './widget-rules.ts';

describe('subjectFromMessage', () => {
  it('keeps a short message whole', () => {
    expect(subjectFromMessage('  Where is my order?  ')).toBe('Where is my order?');
  });

  it('takes the first eight words and marks the cut', () => {
    expect(subjectFromMessage('My parcel never arrived and it was a birthday present for my son')).toBe(
      'My parcel never arrived and it was a…',
    );
  });

  it('stays within the character limit, at a word boundary when there is one', () => {
    const s = subjectFromMessage('Supercalifragilistic expialidocious antidisestablishmentarianism words here', 8, 40);
    expect(s.length).toBeLessThanOrEqual(40);
    expect(s).toBe('Supercalifragilistic expialidocious…');
    expect(subjectFromMessage('x'.repeat(200), 8, 40)).toBe(`${'x'.repeat(39)}…`);
  });

  it('names an empty message', () => {
    expect(subjectFromMessage('   ')).toBe('Chat');
  });
});

describe('originAllowed', () => {
  it('allows any site when the store lists none', () => {
    expect(originAllowed('https://anything.example', [])).toBe(true);
  });

  it('allows only the listed origins, compared as origins', () => {
    const list = ['https://shop.example/', 'http://localhost:3000/some/path'];
    expect(originAllowed('https://shop.example', list)).toBe(true);
    expect(originAllowed('http://localhost:3000', list)).toBe(true);
    expect(originAllowed('http://shop.example', list)).toBe(false);
    expect(originAllowed('https://shop.example.evil.test', list)).toBe(false);
    expect(originAllowed('null', list)).toBe(false);
    expect(originAllowed('not a url', list)).toBe(false);
  });
});
