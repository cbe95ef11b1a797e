import { describe, expect, it } from 'vitest';
import { defaultSavedReplies, renderSavedReply, savedRepliesSchema, validateSavedReply } from './saved-replies.ts';
import { checkTone } from './tone-check.ts';

const ctx = { firstName: 'Maria', customerName: 'Maria Lopez', orderRef: '#1001', storeName: 'Acme', agentName: 'Ada' };

describe('saved replies', () => {
  it('ships defaults that render with the case facts and pass the tone check', () => {
    expect(new Set(defaultSavedReplies.map((r) => r.locale))).toEqual(new Set(['en', 'es']));
    for (const r of defaultSavedReplies) {
      const text = renderSavedReply(r.body, ctx);
      expect(text, r.id).not.toMatch(/\{\{|\}\}/);
      expect(text).toContain('Ada');
      const tone = checkTone(text, { locale: r.locale });
      expect(
        tone.findings.filter((f) => f.severity === 'error'),
        `${r.locale}/${r.id}: ${text}`,
      ).toEqual([]);
    }
    expect(savedRepliesSchema.safeParse(defaultSavedReplies).success).toBe(true);
  });

  it('renders missing facts as nothing, not as "undefined"', () => {
    const text = renderSavedReply(defaultSavedReplies[1]!.body, { ...ctx, firstName: null, orderRef: null });
    expect(text).toMatch(/^Hi there,/);
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('null');
  });

  it('does not compile what the customer wrote into the reply', () => {
    expect(renderSavedReply('Hi {{firstName}}', { ...ctx, firstName: '{{storeName}}' })).toBe('Hi {{storeName}}');
  });

  it('refuses a body that does not compile, and duplicate ids per language', () => {
    expect(() => validateSavedReply('Hi {{#if firstName}}')).toThrow(/does not compile/);
    const dup = savedRepliesSchema.safeParse([
      { id: 'a', name: 'A', locale: 'en', body: 'x' },
      { id: 'a', name: 'B', locale: 'en', body: 'y' },
      { id: 'a', name: 'C', locale: 'es', body: 'z' },
    ]);
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual([1, 'id']);
  });
});
