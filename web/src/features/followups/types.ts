/** GET /api/v1/cases/:id/followups (src/followups/followups.routes.ts). */
export interface SurveyAnswer {
  id: string;
  followupId: string | null;
  metric: 'csat' | 'ces' | 'nps' | string;
  score: number;
  comment: string | null;
  answeredAt: string;
}

export interface Followup {
  id: string;
  kind: 'checkin' | 'personal_note' | 'nps' | string;
  status: 'scheduled' | 'sent' | 'done' | 'cancelled' | 'skipped' | string;
  caseId: string | null;
  customerId: string;
  dueAt: string;
  assigneeId: string | null;
  messageId: string | null;
  detail: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
  answers: SurveyAnswer[];
}

export interface CaseFollowups {
  followups: Followup[];
  answers: SurveyAnswer[];
}
