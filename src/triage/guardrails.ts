/**
 * Guardrails: when the service recovery paradox cannot work the usual way
 * (DESIGN.md §4) — a repeat failure, a catastrophic one, or one the customer
 * could rightly say we should have avoided — the case goes to a person with
 * more authority. Pure: the service gathers the facts and stores the firings.
 */
import type { Severity } from './labels.ts';

export const guardrailRules = ['repeat_failure', 'critical_severity', 'avertable'] as const;
export type GuardrailRule = (typeof guardrailRules)[number];

export interface GuardrailFiring {
  rule: GuardrailRule;
  /** One sentence an agent can read on the case. */
  reason: string;
  at: string;
  /** What the rule changed. */
  effect: { severityFrom?: Severity; severityTo?: Severity; route: 'manager' };
}

export interface PriorFailure {
  /** What it was: a case number or an order id. */
  ref: string;
  at: string;
}

export interface GuardrailInput {
  severity: Severity;
  /** The customer's most recent earlier failure (another order or case), if any. */
  priorFailure: PriorFailure | null;
  repeatWindowDays: number;
  avertable: { reason: string } | null;
  at: string;
}

export interface GuardrailOutcome {
  severity: Severity;
  route: 'manager' | null;
  firings: GuardrailFiring[];
  /** Lines for whoever writes the next reply. */
  guidance: string[];
}

const DAY = 86_400_000;

/** What whoever writes the next reply should know when a rule fired. */
export const guardrailGuidance: Record<GuardrailRule, string> = {
  repeat_failure: "Say plainly that this is not the first time and that it's on us; do not treat it as a one-off.",
  critical_severity: 'Critical: a manager replies personally and decides the remedy; no templated offer.',
  avertable: 'Avertable: own it without excuses. Do not cite the carrier, a policy or volume; say what we will change.',
};

export function isWithinWindow(prior: PriorFailure, at: string, windowDays: number): boolean {
  const age = Date.parse(at) - Date.parse(prior.at);
  return age >= 0 && age <= windowDays * DAY;
}

/** A critical (severity 4) case goes to a manager; `when` says how it became critical, if not at opening. */
export function criticalFiring(at: string, when = ''): GuardrailFiring {
  return {
    rule: 'critical_severity',
    reason: `severity 4 (critical)${when}: a manager handles this case`,
    at,
    effect: { route: 'manager' },
  };
}

/** The failure could have been avoided: whoever said so, the case goes to a manager. */
export function avertableFiring(reason: string, at: string): GuardrailFiring {
  return { rule: 'avertable', reason: `avertable: ${reason}`, at, effect: { route: 'manager' } };
}

export function applyGuardrails(input: GuardrailInput): GuardrailOutcome {
  const firings: GuardrailFiring[] = [];
  const guidance: string[] = [];
  let severity = input.severity;
  if (input.priorFailure && isWithinWindow(input.priorFailure, input.at, input.repeatWindowDays)) {
    const to = Math.min(4, severity + 1) as Severity;
    firings.push({
      rule: 'repeat_failure',
      reason: `repeat failure: the customer already had a failure (${input.priorFailure.ref}, ${input.priorFailure.at.slice(0, 10)}) within ${input.repeatWindowDays} days`,
      at: input.at,
      effect: { severityFrom: severity, severityTo: to, route: 'manager' },
    });
    guidance.push(guardrailGuidance.repeat_failure);
    severity = to;
  }
  if (severity === 4) {
    firings.push(criticalFiring(input.at));
    guidance.push(guardrailGuidance.critical_severity);
  }
  if (input.avertable) {
    firings.push(avertableFiring(input.avertable.reason, input.at));
    guidance.push(guardrailGuidance.avertable);
  }
  return { severity, route: firings.length > 0 ? 'manager' : null, firings, guidance };
}
