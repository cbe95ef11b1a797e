/** Playbooks API (src/analytics/playbooks.routes.ts). */
export interface TrackRecord {
  applied: number;
  resolved: number;
  resolvedShare: number | null;
  avgCsat: number | null;
  csatAnswers: number;
  avgCost: number | null;
  currency: string;
}

export interface Playbook {
  id: string;
  title: string;
  summary: string;
  scenario: { kind: string; severity: number; tier: string | null; emotion: string | null };
  steps: { title: string; detail: string }[];
  messages: string[];
  remedy: { kind: string; label: string; amount: number | null; currency: string } | null;
  outcome: { resolutionMinutes: number | null; csat: number | null; repurchased: boolean; repurchaseDays: number | null };
  sourceCaseId: string | null;
  status: 'active' | 'archived';
  createdAt: string;
  updatedAt: string;
  trackRecord: TrackRecord;
}

export interface SuggestedPlaybook extends Playbook {
  match: { score: number; severityDistance: number; tier: boolean; emotion: boolean };
  /** The messages with this case's customer filled in. */
  renderedMessages: string[];
  appliedHere: boolean;
}

export interface CasePlaybooks {
  scenario: Playbook['scenario'] | null;
  playbooks: SuggestedPlaybook[];
}
