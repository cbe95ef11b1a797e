import { describe, expect, it } from 'vitest';
import { scorePriority } from './priority.ts';
import { type RoutingFacts, routeCase } from './route-case.ts';

const calm = {
  severity: 2 as const,
  emotion: { primary: 'neutral' as const, intensity: 0 },
  tier: 'new' as const,
  churnThreat: false,
  legalOrPublicThreat: false,
  urgency: false,
  slaUsed: 0,
};

describe('scorePriority', () => {
  it('a calm moderate complaint is normal, and says why', () => {
    const d = scorePriority(calm);
    expect(d).toEqual({ score: 25, priority: 'normal', factors: [{ factor: 'severity', points: 25, detail: 'severity 2' }] });
  });
  it('anger, value, threats and urgency add up, capped at 100', () => {
    const d = scorePriority({
      ...calm,
      severity: 3,
      emotion: { primary: 'anger', intensity: 0.8 },
      tier: 'vip',
      legalOrPublicThreat: true,
      urgency: true,
    });
    expect(d.score).toBe(45 + 12 + 15 + 15 + 8);
    expect(d.priority).toBe('urgent');
    expect(scorePriority({ ...calm, severity: 4, tier: 'vip', legalOrPublicThreat: true, churnThreat: true, slaUsed: 1 }).score).toBe(100);
  });
  it('SLA proximity raises the score', () => {
    expect(scorePriority({ ...calm, slaUsed: 0.85 }).score).toBe(35);
    expect(scorePriority({ ...calm, slaUsed: 1.2 }).score).toBe(45);
  });
  it('severity 1 with no other factor is low', () => {
    expect(scorePriority({ ...calm, severity: 1 }).priority).toBe('low');
  });
});

describe('routeCase', () => {
  const facts: RoutingFacts = {
    kind: 'delivery_late',
    severity: 2,
    channel: 'email',
    tier: 'regular',
    emotion: 'frustration',
    language: 'en',
    priorityScore: 40,
  };
  it('defaults to the general queue', () => {
    expect(routeCase({ facts, guardrailRoute: null, relationshipManagerId: null, rules: [] })).toEqual({
      queue: 'general',
      assigneeId: null,
      reason: 'default',
    });
  });
  it('sends vip customers to their relationship manager', () => {
    const d = routeCase({ facts: { ...facts, tier: 'vip' }, guardrailRoute: null, relationshipManagerId: 'usr_rm', rules: [] });
    expect(d).toMatchObject({ queue: 'vip', assigneeId: 'usr_rm' });
  });
  it('store rules apply in order, first match wins', () => {
    const rules = [
      { name: 'spanish desk', when: { languages: ['es'] }, queue: 'general' as const, assignTo: 'usr_es' },
      { when: { kinds: ['delivery_late' as const], minSeverity: 2 }, queue: 'manager' as const },
    ];
    expect(routeCase({ facts, guardrailRoute: null, relationshipManagerId: null, rules })).toMatchObject({
      queue: 'manager',
      reason: 'store rule #2',
    });
    expect(routeCase({ facts: { ...facts, language: 'es' }, guardrailRoute: null, relationshipManagerId: null, rules })).toEqual({
      queue: 'general',
      assigneeId: 'usr_es',
      reason: 'store rule spanish desk',
    });
  });
  it('guardrails outrank store rules and vip routing', () => {
    const rules = [{ when: { tiers: ['vip' as const] }, queue: 'vip' as const }];
    const d = routeCase({ facts: { ...facts, tier: 'vip' }, guardrailRoute: 'manager', relationshipManagerId: 'usr_rm', rules });
    expect(d.queue).toBe('manager');
  });
});
