/**
 * Priority: one score, 0..100, from how bad the failure is, how the customer
 * feels, what they are worth, what they threaten and how close the SLA is.
 * Pure; every point is listed as a factor so the console can show why.
 */
import type { CustomerTier } from '../customers/tier.ts';
import type { Emotion, Severity } from '../triage/labels.ts';
import type { Priority } from './sla.ts';

export const priorities = ['urgent', 'high', 'normal', 'low'] as const satisfies readonly Priority[];

export interface PriorityInput {
  severity: Severity;
  emotion: { primary: Emotion; intensity: number };
  tier: CustomerTier;
  churnThreat: boolean;
  legalOrPublicThreat: boolean;
  urgency: boolean;
  /** Share of the first SLA target already used (0 at opening; ≥ 0.8 near breach, ≥ 1 breached). */
  slaUsed: number;
}

export interface PriorityFactor {
  factor: string;
  points: number;
  detail: string;
}

export interface PriorityDecision {
  score: number;
  priority: Priority;
  factors: PriorityFactor[];
}

const severityPoints: Record<Severity, number> = { 1: 10, 2: 25, 3: 45, 4: 65 };
const tierPoints: Record<CustomerTier, number> = { new: 0, regular: 3, loyal: 8, vip: 15 };
/** How much of the emotion's intensity counts: anger and frustration most. */
const emotionWeight: Record<Emotion, number> = {
  anger: 15,
  frustration: 12,
  anxiety: 10,
  disappointment: 8,
  confusion: 4,
  neutral: 0,
  satisfied: 0,
};

export const priorityBands: { priority: Priority; minScore: number }[] = [
  { priority: 'urgent', minScore: 75 },
  { priority: 'high', minScore: 50 },
  { priority: 'normal', minScore: 25 },
  { priority: 'low', minScore: 0 },
];

/** The score a list of factors adds up to, capped at 100. */
export function scoreOf(factors: readonly PriorityFactor[]): number {
  return Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
}

/** The band a score falls in. */
export function priorityForScore(score: number): Priority {
  return priorityBands.find((b) => score >= b.minScore)!.priority;
}

export function scorePriority(i: PriorityInput): PriorityDecision {
  const factors: PriorityFactor[] = [{ factor: 'severity', points: severityPoints[i.severity], detail: `severity ${i.severity}` }];
  const emotionPoints = Math.round(emotionWeight[i.emotion.primary] * Math.min(1, Math.max(0, i.emotion.intensity)));
  if (emotionPoints > 0) {
    factors.push({
      factor: 'emotion',
      points: emotionPoints,
      detail: `${i.emotion.primary} at intensity ${i.emotion.intensity.toFixed(2)}`,
    });
  }
  if (tierPoints[i.tier] > 0) factors.push({ factor: 'tier', points: tierPoints[i.tier], detail: `${i.tier} customer` });
  if (i.legalOrPublicThreat)
    factors.push({ factor: 'legal_or_public_threat', points: 15, detail: 'threatens legal action or going public' });
  if (i.churnThreat) factors.push({ factor: 'churn_threat', points: 10, detail: 'says they will leave' });
  if (i.urgency) factors.push({ factor: 'urgency', points: 8, detail: 'a date or an event is at stake' });
  if (i.slaUsed >= 1) factors.push({ factor: 'sla', points: 20, detail: 'SLA breached' });
  else if (i.slaUsed >= 0.8) factors.push({ factor: 'sla', points: 10, detail: `${Math.round(i.slaUsed * 100)} % of the SLA used` });
  const score = scoreOf(factors);
  return { score, priority: priorityForScore(score), factors };
}
