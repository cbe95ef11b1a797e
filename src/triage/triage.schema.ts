/** Zod shapes of triage results, for the API's OpenAPI document and response checks. */
import { z } from 'zod';
import { emotions, issueKinds } from './labels.ts';

export const evidenceSchema = z.object({
  rule: z.string(),
  phrase: z.string().optional(),
  span: z.tuple([z.number().int(), z.number().int()]).optional(),
  detail: z.string().optional(),
  weight: z.number().optional(),
});

const flag = z.object({ value: z.boolean(), evidence: z.array(evidenceSchema) });

export const triageResultSchema = z.object({
  kind: z.object({ value: z.enum(issueKinds), confidence: z.number(), evidence: z.array(evidenceSchema) }),
  severity: z.object({ value: z.number().int().min(1).max(4), evidence: z.array(evidenceSchema) }),
  emotion: z.object({ primary: z.enum(emotions), intensity: z.number(), evidence: z.array(evidenceSchema) }),
  sentiment: z.object({ compound: z.number(), positive: z.number(), negative: z.number(), neutral: z.number() }),
  churnThreat: flag,
  legalOrPublicThreat: flag,
  repeatMention: flag,
  urgency: flag.extend({ cues: z.array(z.string()) }),
  language: z.object({ value: z.string(), evidence: z.array(evidenceSchema) }),
});
