/**
 * Routing: which queue a case waits in and, when a rule says so, who gets it.
 * Guardrails outrank everything (a repeat, critical or avertable failure goes
 * to someone with more authority), then the store's own rules in order, then
 * VIP customers to their relationship manager, then the general queue. Pure.
 */
import { z } from 'zod';
import { type CustomerTier, customerTiers } from '../customers/tier.ts';
import { type Emotion, emotions, type IssueKind, issueKinds, type Severity } from '../triage/labels.ts';

export const queues = ['vip', 'manager', 'general'] as const;
export type Queue = (typeof queues)[number];

export const routingRuleSchema = z
  .object({
    name: z.string().min(1).max(100).optional(),
    when: z
      .object({
        kinds: z.array(z.enum(issueKinds)).min(1).optional(),
        minSeverity: z.number().int().min(1).max(4).optional(),
        channels: z.array(z.string().min(1)).min(1).optional(),
        tiers: z.array(z.enum(customerTiers)).min(1).optional(),
        emotions: z.array(z.enum(emotions)).min(1).optional(),
        languages: z.array(z.string().min(2).max(8)).min(1).optional(),
        minPriorityScore: z.number().int().min(0).max(100).optional(),
      })
      .strict(),
    queue: z.enum(queues),
    /** A user id in the store; the case is assigned to them. */
    assignTo: z.string().min(1).nullable().optional(),
  })
  .strict();
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export interface RoutingFacts {
  kind: IssueKind;
  severity: Severity;
  channel: string | null;
  tier: CustomerTier;
  emotion: Emotion;
  language: string;
  priorityScore: number;
}

export interface RoutingInput {
  facts: RoutingFacts;
  guardrailRoute: 'manager' | null;
  relationshipManagerId: string | null;
  rules: RoutingRule[];
}

export interface RoutingDecision {
  queue: Queue;
  assigneeId: string | null;
  reason: string;
}

export function ruleMatches(rule: RoutingRule, f: RoutingFacts): boolean {
  const w = rule.when;
  return (
    (w.kinds === undefined || w.kinds.includes(f.kind)) &&
    (w.minSeverity === undefined || f.severity >= w.minSeverity) &&
    (w.channels === undefined || (f.channel !== null && w.channels.includes(f.channel))) &&
    (w.tiers === undefined || w.tiers.includes(f.tier)) &&
    (w.emotions === undefined || w.emotions.includes(f.emotion)) &&
    (w.languages === undefined || w.languages.includes(f.language)) &&
    (w.minPriorityScore === undefined || f.priorityScore >= w.minPriorityScore)
  );
}

export function routeCase(i: RoutingInput): RoutingDecision {
  if (i.guardrailRoute === 'manager') {
    return { queue: 'manager', assigneeId: null, reason: 'guardrail: needs a person with more authority' };
  }
  for (const [n, rule] of i.rules.entries()) {
    if (ruleMatches(rule, i.facts)) {
      return { queue: rule.queue, assigneeId: rule.assignTo ?? null, reason: `store rule ${rule.name ?? `#${n + 1}`}` };
    }
  }
  if (i.facts.tier === 'vip') {
    return i.relationshipManagerId
      ? { queue: 'vip', assigneeId: i.relationshipManagerId, reason: 'vip customer: to their relationship manager' }
      : { queue: 'vip', assigneeId: null, reason: 'vip customer' };
  }
  return { queue: 'general', assigneeId: null, reason: 'default' };
}
