import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { triageResultSchema } from './triage.schema.ts';
import { triageText } from './triage-text.ts';

export function triageRoutes(app: App): void {
  app.post(
    '/api/v1/triage',
    {
      config: { flushesItself: true },
      schema: {
        tags: ['triage'],
        summary: "Label a customer's words: kind, severity, emotion, sentiment, threats, repeat, urgency, language — each with evidence",
        description:
          'Pure and stateless: nothing is stored. `context` says what the order already shows (a late or lost shipment, a failed payment), which outranks guesses from the text.',
        body: z
          .object({
            text: z.string().min(1).max(20_000).refine(noNul, NUL_MESSAGE),
            subject: z.string().max(1_000).refine(noNul, NUL_MESSAGE).optional(),
            context: z
              .object({
                shipmentLate: z.boolean().optional(),
                shipmentLost: z.boolean().optional(),
                shipmentException: z.boolean().optional(),
                paymentFailed: z.boolean().optional(),
                orderCancelled: z.boolean().optional(),
                reviewRating: z.number().int().min(1).max(5).optional(),
                orderTotalMinor: z.number().int().min(0).optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
        response: { 200: triageResultSchema, 400: errorBody },
      },
    },
    async (req) => {
      requireRole(req, 'agent');
      const { text, subject, context } = req.body;
      return triageText({ text, ...(subject !== undefined ? { subject } : {}), ...(context ? { context } : {}) });
    },
  );
}
