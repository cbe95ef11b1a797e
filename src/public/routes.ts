/**
 * Customer-facing pages (ADR 0009), in their own Fastify context: HTML forms (urlencoded) and photo uploads
 * (multipart) are parsed here only, never on the JSON API. Each capability adds one line below.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { portalPages } from '../channels/portal/portal.routes.ts';
import { communityPages } from '../community/community.routes.ts';
import { statusPages } from '../community/status/status.routes.ts';
import { surveyPages } from '../followups/followups.routes.ts';
import type { App, AppContext } from '../platform/http/context.ts';
import { publicAssetRoutes } from './layout.ts';

/** Photo uploads on customer pages: one file per form, at most this big. */
export const PUBLIC_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

export async function publicRoutes(app: App, ctx: AppContext): Promise<void> {
  publicAssetRoutes(app);
  await app.register(async (pub: App) => {
    await pub.register(formbody, { bodyLimit: 64 * 1024 });
    await pub.register(multipart, { limits: { files: 1, fileSize: PUBLIC_UPLOAD_MAX_BYTES, fields: 20, fieldSize: 16 * 1024 } });
    // capabilities: one line each below
    surveyPages(pub, ctx);
    statusPages(pub, ctx);
    portalPages(pub, ctx);
    communityPages(pub, ctx);
  });
}
