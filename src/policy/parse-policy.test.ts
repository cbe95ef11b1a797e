import { describe, expect, it } from 'vitest';
import { defaultPolicy } from './default-policy.ts';
import { formatMoney, toMinorUnits } from './money.ts';
import { parsePolicy, policyHash } from './parse-policy.ts';

const { source } = defaultPolicy();
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function errorsOf(text: string) {
  const r = parsePolicy(text);
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.errors;
}

describe('parsePolicy', () => {
  it('reads the shipped default policy, with money in minor units', () => {
    const r = parsePolicy(source);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.offers.shipping_refund!.fixed).toBe(795);
    expect(r.policy.authority.agent).toEqual({ perCase: 5_000, allowance: 200_000, period: 'month' });
    expect(r.policy.matrix[0]!.when.severity).toEqual([1, 2]);
    // A scalar in `when` is a list of one.
    expect(r.policy.matrix[1]!.when.kind).toEqual(['delivery_late']);
    expect(r.hash).toBe(policyHash(source));
  });

  it('names the line and column of a wrong value, an unknown key and an unknown offer', () => {
    const text = source
      .replace('    minOrders: 12 #', '    minOrders: twelve #')
      .replace('  coolDownDays: 14', '  coolDownDays: 14\n  cooldown: 3');
    const errors = errorsOf(text);
    expect(errors.map((e) => e.path)).toEqual(['tiers.vip.minOrders', 'guardrails.cooldown']);
    expect(errors[0]).toMatchObject({ line: lineOf(text, 'minOrders: twelve'), column: 16 });
    expect(errors[1]).toMatchObject({ line: lineOf(text, 'cooldown: 3'), column: 3, message: expect.stringContaining('cooldown') });
    // Cross-references are checked once the shapes are right.
    const offerText = source.replace('offers: [refund_15, expedite, discount_20]', 'offers: [refund_15, expedite, discount_99]');
    const [unknown] = errorsOf(offerText);
    expect(unknown).toMatchObject({
      path: 'matrix[1].offers[2]',
      line: lineOf(offerText, 'discount_99'),
      message: 'unknown offer "discount_99" (not in offers)',
    });
    expect(unknown!.column).toBe(offerText.split('\n')[unknown!.line - 1]!.indexOf('discount_99') + 1);
  });

  it('refuses amounts finer than the currency, a bad currency, and YAML syntax errors with their position', () => {
    expect(errorsOf(source.replace('fixed: 7.95', 'fixed: 7.955'))[0]!.message).toBe('USD has 2 decimal places; "7.955" has more');
    expect(errorsOf(source.replace('currency: USD', 'currency: DOLLARS'))[0]).toMatchObject({
      path: 'currency',
      line: lineOf(source, 'currency: USD'),
    });
    const broken = errorsOf('version: 1\nmatrix: [1,\n');
    expect(broken[0]!.line).toBeGreaterThanOrEqual(2);
    expect(errorsOf('- just\n- a list\n')[0]!.message).toMatch(/mapping/);
  });

  it('checks the policy makes sense: a catch-all last rule, unique rule ids, authority that grows with the role', () => {
    const noFallback = source.replace('  - id: fallback\n', '  - id: fallback\n    when: { tier: new }\n');
    expect(errorsOf(noFallback)[0]).toMatchObject({ path: 'matrix[9].when', message: expect.stringContaining('must match every case') });
    expect(errorsOf(source.replace('id: late-major', 'id: late-minor'))[0]).toMatchObject({ path: 'matrix[1].id' });
    const inverted = source.replace('manager: { perCase: 500.00', 'manager: { perCase: 20.00');
    expect(errorsOf(inverted)[0]).toMatchObject({
      path: 'authority.manager.perCase',
      message: 'manager may grant less per case than agent',
    });
    const badId = source.replace('  vip_gift:\n', '  VIP_Gift:\n');
    expect(errorsOf(badId)[0]).toMatchObject({ path: 'offers.VIP_Gift', line: lineOf(badId, 'VIP_Gift:'), column: 3 });
    const uncapped = source.replace(/ {4}percentOff: 10\n {4}cap: 20\.00[^\n]*\n/, '    percentOff: 10\n');
    expect(errorsOf(uncapped)[0]!.message).toBe('a percent discount code needs a cap (what it may cost at most)');
    const wrongShape = source.replace('    percentOff: 10\n    cap: 20.00', '    percentOff: 10\n    fixed: 5.00\n    cap: 20.00');
    expect(errorsOf(wrongShape)[0]!.message).toBe('a discount code needs exactly one of percentOff or fixed');
  });
});

describe('money in policy files', () => {
  it('converts decimals by the currency’s own minor unit', () => {
    expect(toMinorUnits('25.00', 'USD')).toBe(2500);
    expect(toMinorUnits(19.99, 'EUR')).toBe(1999);
    expect(toMinorUnits(500, 'JPY')).toBe(500);
    expect(toMinorUnits('1.5', 'JPY')).toMatch(/0 decimal places/);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('-3', 'USD')).toMatch(/not an amount/);
    expect(formatMoney(123456, 'USD')).toBe('1,234.56 USD');
    expect(formatMoney(500, 'JPY')).toBe('500 JPY');
  });
});
