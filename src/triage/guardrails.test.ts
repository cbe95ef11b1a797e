import { describe, expect, it } from 'vitest';
import { applyGuardrails } from './guardrails.ts';

const at = '2026-06-01T12:00:00.000Z';

describe('applyGuardrails', () => {
  it('does nothing for a first, moderate, unavoidable failure', () => {
    const o = applyGuardrails({ severity: 2, priorFailure: null, repeatWindowDays: 180, avertable: null, at });
    expect(o).toEqual({ severity: 2, route: null, firings: [], guidance: [] });
  });

  it('raises severity and routes to a manager on a repeat failure inside the window', () => {
    const o = applyGuardrails({
      severity: 2,
      priorFailure: { ref: 'case #12', at: '2026-03-01T00:00:00.000Z' },
      repeatWindowDays: 180,
      avertable: null,
      at,
    });
    expect(o.severity).toBe(3);
    expect(o.route).toBe('manager');
    expect(o.firings.map((f) => f.rule)).toEqual(['repeat_failure']);
    expect(o.firings[0]!.reason).toContain('case #12');
    expect(o.firings[0]!.effect).toEqual({ severityFrom: 2, severityTo: 3, route: 'manager' });
  });

  it('ignores a prior failure outside the window (configurable)', () => {
    const prior = { ref: 'order 7', at: '2025-11-01T00:00:00.000Z' };
    expect(applyGuardrails({ severity: 2, priorFailure: prior, repeatWindowDays: 180, avertable: null, at }).route).toBeNull();
    expect(applyGuardrails({ severity: 2, priorFailure: prior, repeatWindowDays: 365, avertable: null, at }).route).toBe('manager');
  });

  it('a repeat that reaches severity 4 fires the critical rule too, capped at 4', () => {
    const o = applyGuardrails({ severity: 3, priorFailure: { ref: 'x', at }, repeatWindowDays: 180, avertable: null, at });
    expect(o.severity).toBe(4);
    expect(o.firings.map((f) => f.rule)).toEqual(['repeat_failure', 'critical_severity']);
    const capped = applyGuardrails({ severity: 4, priorFailure: { ref: 'x', at }, repeatWindowDays: 180, avertable: null, at });
    expect(capped.severity).toBe(4);
  });

  it('flags avertable with its reason and guidance', () => {
    const o = applyGuardrails({
      severity: 1,
      priorFailure: null,
      repeatWindowDays: 180,
      avertable: { reason: 'we shipped to the old address' },
      at,
    });
    expect(o.route).toBe('manager');
    expect(o.firings[0]).toMatchObject({ rule: 'avertable', reason: 'avertable: we shipped to the old address' });
    expect(o.guidance.join(' ')).toMatch(/without excuses/);
  });
});
