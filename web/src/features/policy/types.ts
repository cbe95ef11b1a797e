/** What the policy routes answer (see src/policy/policy.routes.ts). */

export interface PolicyError {
  message: string;
  /** Dotted path into the file; empty for the whole file. */
  path: string;
  line: number;
  column: number;
}

export interface PolicyCheck {
  ok: boolean;
  hash: string | null;
  errors: PolicyError[];
}

export interface CountCost {
  count: number;
  cost: number;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface PolicyOutcome {
  label: string;
  name: string;
  currency: string;
  hash: string;
  cases: number;
  autoIssued: number;
  needsApproval: number;
  guardrailFired: number;
  manualReview: number;
  noOffer: number;
  autoIssuedPercent: number;
  needsApprovalPercent: number;
  guardrailPercent: number;
  totalCost: Money;
  givenCost: Money;
  revenue: Money;
  costPercentOfRevenue: number | null;
  otherCurrencyCases: number;
  byTier: Record<string, CountCost>;
  byOfferKind: Record<string, CountCost>;
  byRule: Record<string, CountCost>;
  byGuardrail: Record<string, number>;
}

export interface Simulation {
  from: string | null;
  to: string | null;
  cases: number;
  warmUpCases: number;
  firstCaseAt: string | null;
  lastCaseAt: string | null;
  customers: number;
  limit: { maxCases: number; capped: boolean };
  /** The policy compared with: the active one unless another was given. */
  vs: PolicyOutcome & { active: boolean };
  /** The edited file. */
  source: PolicyOutcome;
}
