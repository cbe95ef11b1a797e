import type { App, AppContext } from '../platform/http/context.ts';

/** Console and developer API of this capability (under /api/v1, the usual auth). */
export function communityRoutes(_app: App, _ctx: AppContext): void {}

/** Customer pages of this capability, in the public pages' context (forms and uploads parsed there only). */
export function communityPages(_pub: App, _ctx: AppContext): void {}
