import { z } from 'zod';
import { requireRole } from '../../platform/http/auth.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { errorBody } from '../../platform/http/schemas.ts';
import { getPrivacyRequest, listPrivacyRequests } from './privacy.service.ts';

const kinds = ['export', 'redact', 'shop_redact'] as const;

const request = z.object({
  id: z.string(),
  kind: z.enum(kinds).describe('export (a data request), redact (one customer erased), shop_redact (every customer erased)'),
  customerId: z.string().nullable(),
  source: z.string().describe('where it came from, e.g. shopify'),
  requestedAt: z.string(),
  completedAt: z.string().nullable(),
});

/** Privacy requests (exports and erasures) for the store's admins: what was asked, when, and the export itself. */
export function privacyRoutes(app: App, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get(
    '/api/v1/privacy-requests',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Privacy requests (data exports and erasures), newest first',
        querystring: z.object({
          kind: z.enum(kinds).optional(),
          customerId: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ requests: z.array(request) }) },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      const requests = await listPrivacyRequests(db, p.storeId, req.query);
      return { requests: requests.map((r) => ({ ...r, kind: r.kind })) };
    },
  );

  app.get(
    '/api/v1/privacy-requests/:id',
    {
      schema: {
        tags: ['privacy'],
        summary: 'One privacy request with its result: the export, or what an erasure changed (counts only)',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          200: request.extend({ result: z.unknown().describe('null once the customer has since been erased') }),
          404: errorBody,
        },
      },
    },
    async (req) => {
      const p = requireRole(req, 'admin');
      return getPrivacyRequest(db, p.storeId, req.params.id);
    },
  );
}
