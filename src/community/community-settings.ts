/**
 * A store's community settings (part of the store settings, `community`): moderation before or after publishing
 * and the spam and abuse limits. Only what the store set is stored; `resolveCommunitySettings` fills in the rest.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../platform/db/schema.ts';

export const communitySettingsSchema = z
  .object({
    /** `post` (default): posts appear at once and moderators act on reports; `pre`: posts wait for a moderator. */
    moderation: z.enum(['post', 'pre']).optional(),
    /** Posts (questions and answers) one member may write per hour. */
    postsPerHourPerMember: z.number().int().min(1).max(1000).optional(),
    /** Posts from one IP address per hour (all members together). */
    postsPerHourPerIp: z.number().int().min(1).max(10_000).optional(),
    /** A post with more links than this waits for a moderator, even with post-moderation. */
    maxLinks: z.number().int().min(0).max(100).optional(),
  })
  .strict();
export type CommunitySettings = z.infer<typeof communitySettingsSchema>;

export interface ResolvedCommunitySettings {
  moderation: 'post' | 'pre';
  postsPerHourPerMember: number;
  postsPerHourPerIp: number;
  maxLinks: number;
}

export const communityDefaults: ResolvedCommunitySettings = {
  moderation: 'post',
  postsPerHourPerMember: 10,
  postsPerHourPerIp: 30,
  maxLinks: 3,
};

export function resolveCommunitySettings(s: CommunitySettings | undefined): ResolvedCommunitySettings {
  return { ...communityDefaults, ...Object.fromEntries(Object.entries(s ?? {}).filter(([, v]) => v !== undefined)) };
}

/** The store's community settings; a stored value that no longer parses falls back to the defaults. */
export async function loadCommunitySettings(db: Kysely<DB>, storeId: string): Promise<ResolvedCommunitySettings> {
  const row = await db.selectFrom('stores').select('settings').where('id', '=', storeId).executeTakeFirst();
  const raw = row ? ((JSON.parse(row.settings) as { community?: unknown }).community ?? {}) : {};
  const parsed = communitySettingsSchema.safeParse(raw);
  return resolveCommunitySettings(parsed.success ? parsed.data : undefined);
}
