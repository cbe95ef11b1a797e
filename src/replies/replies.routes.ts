import { z } from 'zod';
import { requireRole } from '../platform/http/auth.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { errorBody } from '../platform/http/schemas.ts';
import { NUL_MESSAGE, noNul } from '../platform/text.ts';
import { replySuggestions, suggestionKinds } from './reply-suggestions.ts';
import { checkTone } from './tone-check.ts';

const finding = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  span: z.tuple([z.number().int(), z.number().int()]).nullable(),
  excerpt: z.string().nullable(),
  suggestion: z.string(),
});

const suggestion = z.object({
  id: z.string(),
  kind: z.enum(suggestionKinds),
  label: z.string(),
  locale: z.enum(['en', 'es']),
  text: z.string(),
});

export function repliesRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/cases/:id/reply-suggestions',
    {
      schema: {
        tags: ['replies'],
        summary: "Texts to start a reply from, in the customer's language, with the case's facts filled in",
        description:
          "`acknowledgement`: while no person has replied (the one already sent, or rendered now). `resolution`: the remedy message for the latest issued compensation, or for the policy's first suggested offer (its code still to come). `saved`: the store's saved replies in the customer's language (all of them if none is in it), with first name, order, store and the calling agent's name.",
        params: z.object({ id: z.string().min(1) }),
        response: { 200: z.object({ locale: z.enum(['en', 'es']), suggestions: z.array(suggestion) }), 404: errorBody },
      },
    },
    async (req) => {
      const p = requireRole(req, 'agent');
      return replySuggestions(ctx, p, req.params.id);
    },
  );

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
