import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { checkTone } from './tone-check.ts';

const finding = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  span: z.tuple([z.number().int(), z.number().int()]).nullable(),
  excerpt: z.string().nullable(),
  suggestion: z.string(),
});

export function repliesRoutes(app: App): void {
  app.post(
    '/api/v1/replies/check',
    {
      config: { flushesItself: true },
      schema: {
        tags: ['replies'],
        summary: 'Check a draft reply for excuses, blame, conditional apologies, missing ownership or next step, and jargon',
        description:
          'Each finding has the span it refers to (character offsets, end exclusive; null for something missing) and a suggested rewrite. `ok` is false when any finding is an error.',
        body: z
          .object({
            text: z.string().min(1).max(20_000).refine(noNul, NUL_MESSAGE),
            locale: z.string().max(35).optional().describe('the reply language, e.g. `en` or `es-MX`'),
          })
          .strict(),
        response: { 200: z.object({ ok: z.boolean(), findings: z.array(finding) }), 400: errorBody },
      },
    },
    async (req) => {
      requireRole(req, 'agent');
      const r = checkTone(req.body.text, req.body.locale ? { locale: req.body.locale } : undefined);
      return { ok: r.ok, findings: r.findings };
    },
  );
}
