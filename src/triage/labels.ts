/**
 * The triage vocabulary (DESIGN.md §4) and the shape of a triage result.
 * Every label carries the evidence that produced it, so an agent sees why.
 */

export const issueKinds = [
  'delivery_late',
  'delivery_lost',
  'damaged_item',
  'wrong_item',
  'missing_item',
  'quality_defect',
  'payment_problem',
  'billing_error',
  'refund_request',
  'cancellation',
  'account_access',
  'website_bug',
  'rude_service',
  'other',
] as const;
export type IssueKind = (typeof issueKinds)[number];

export const emotions = ['anger', 'frustration', 'disappointment', 'anxiety', 'confusion', 'neutral', 'satisfied'] as const;
export type Emotion = (typeof emotions)[number];

export type Severity = 1 | 2 | 3 | 4;

/** Why a label has its value: the rule that fired and, when it came from the text, the phrase and its span. */
export interface Evidence {
  /** Stable rule name, e.g. `kind.lexicon`, `severity.safety`, `context.shipment_late`. */
  rule: string;
  /** The matched text, as written by the customer. */
  phrase?: string;
  /** [start, end) character offsets into the analysed text (subject + "\n" + body when a subject is given). */
  span?: [number, number];
  /** Human-readable explanation, one short sentence. */
  detail?: string;
  weight?: number;
}

export interface FlagLabel {
  value: boolean;
  evidence: Evidence[];
}

/** What the case already knows; it outranks guesses from the text. */
export interface TriageContext {
  /** A shipment of the order is past its promised date and not delivered. */
  shipmentLate?: boolean;
  /** A shipment of the order is marked lost by the carrier. */
  shipmentLost?: boolean;
  /** A shipment of the order reported a carrier exception. */
  shipmentException?: boolean;
  /** A payment for the order (or the customer) failed. */
  paymentFailed?: boolean;
  /** The order was cancelled. */
  orderCancelled?: boolean;
  /** When the text is a review: its star rating 1..5. */
  reviewRating?: number;
  /** Order total in minor units, when known; large amounts raise severity. */
  orderTotalMinor?: number;
}

export interface TriageInput {
  text: string;
  subject?: string;
  context?: TriageContext;
}

export interface TriageResult {
  kind: { value: IssueKind; confidence: number; evidence: Evidence[] };
  severity: { value: Severity; evidence: Evidence[] };
  emotion: { primary: Emotion; intensity: number; evidence: Evidence[] };
  /** VADER scores of the analysed text; compound in [-1, 1]. */
  sentiment: { compound: number; positive: number; negative: number; neutral: number };
  churnThreat: FlagLabel;
  legalOrPublicThreat: FlagLabel;
  repeatMention: FlagLabel;
  /** Time pressure: dates, "today", a trip or an event at stake. */
  urgency: FlagLabel & { cues: string[] };
  /** ISO 639-1 code of the text's language, `und` when unknown. */
  language: { value: string; evidence: Evidence[] };
}
