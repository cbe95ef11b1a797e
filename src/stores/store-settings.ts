/**
 * A store's settings: business hours, SLA targets, guardrail window,
 * routing rules and reply template overrides. Stored as the JSON
 * the store gave (only what it set); read through `resolveSettings`, which
 * fills in the defaults, so changing a default changes every store that kept it.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type BusinessCalendar, businessCalendarSchema, defaultCalendar } from '../cases/business-hours.ts';
import { type RoutingRule, routingRuleSchema } from '../cases/route-case.ts';
import { defaultSlaTargets, type SlaTargets } from '../cases/sla.ts';
import { communitySettingsSchema } from '../community/community-settings.ts';
import { complaintChannels, formatPath } from '../events/envelope.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { validateTemplate } from '../replies/acknowledgement.ts';
import { defaultSavedReplies, type SavedReply, savedRepliesSchema, validateSavedReply } from '../replies/saved-replies.ts';

const minutes = z.number().positive().max(525_600);
const byPriority = z.object({ urgent: minutes, high: minutes, normal: minutes, low: minutes }).partial().strict();

export const templateKeys = ['en/ack', 'es/ack'] as const;

export const storeSettingsSchema = z
  .object({
    /** Each part given replaces the default's (Mon–Fri 09:00–17:00, no holidays, the store's time zone); `weekly` is the whole week. */
    businessHours: z
      .object({
        timezone: z.string().optional(),
        weekly: z.record(z.string(), z.unknown()).optional(),
        holidays: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    /** Business minutes by priority; per-channel overrides. */
    sla: z
      .object({
        firstResponse: byPriority.optional(),
        resolution: byPriority.optional(),
        byChannel: z
          .partialRecord(
            z.enum([...complaintChannels, 'review']),
            z.object({ firstResponse: byPriority.optional(), resolution: byPriority.optional() }).strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    guardrails: z
      .object({ repeatFailureWindowDays: z.number().int().min(1).max(3650) })
      .strict()
      .optional(),
    routing: z
      .object({ rules: z.array(routingRuleSchema).max(100) })
      .strict()
      .optional(),
    /** Handlebars sources replacing the default acknowledgement per language. */
    templates: z.partialRecord(z.enum(templateKeys), z.string().min(1).max(20_000)).optional(),
    /** The composer's saved replies; when set, the whole list (the defaults no longer apply). */
    savedReplies: savedRepliesSchema.optional(),
    /** The community (src/community): moderation before (`pre`) or after (`post`) publishing, and spam limits. */
    community: communitySettingsSchema.optional(),
  })
  .strict();
export type StoreSettings = z.infer<typeof storeSettingsSchema>;

export interface ResolvedSettings {
  calendar: BusinessCalendar;
  sla: SlaTargets;
  repeatFailureWindowDays: number;
  routingRules: RoutingRule[];
  templates: Partial<Record<(typeof templateKeys)[number], string>>;
  savedReplies: readonly SavedReply[];
}

export const DEFAULT_REPEAT_FAILURE_WINDOW_DAYS = 180;

/** Weekly hours and holidays default to the standard week; the zone to the store's. Unvalidated: the caller parses it. */
function calendarInput(s: StoreSettings, storeTimezone: string): unknown {
  const base = defaultCalendar('UTC');
  return {
    timezone: s.businessHours?.timezone ?? storeTimezone,
    weekly: s.businessHours?.weekly ?? base.weekly,
    holidays: s.businessHours?.holidays ?? base.holidays,
  };
}

export function resolveSettings(s: StoreSettings, storeTimezone: string): ResolvedSettings {
  const calendar = businessCalendarSchema.parse(calendarInput(s, storeTimezone)) as BusinessCalendar;
  const sla: SlaTargets = {
    firstResponse: { ...defaultSlaTargets.firstResponse, ...s.sla?.firstResponse },
    resolution: { ...defaultSlaTargets.resolution, ...s.sla?.resolution },
    ...(s.sla?.byChannel ? { byChannel: s.sla.byChannel } : {}),
  };
  return {
    calendar,
    sla,
    repeatFailureWindowDays: s.guardrails?.repeatFailureWindowDays ?? DEFAULT_REPEAT_FAILURE_WINDOW_DAYS,
    routingRules: s.routing?.rules ?? [],
    templates: s.templates ?? {},
    savedReplies: s.savedReplies ?? defaultSavedReplies,
  };
}

function parseStored(json: string): StoreSettings {
  // Stored settings were validated on the way in; a row edited by hand that no longer parses falls back to defaults.
  const parsed = storeSettingsSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : {};
}

export async function loadSettings(
  db: Kysely<DB>,
  storeId: string,
): Promise<{ settings: StoreSettings; resolved: ResolvedSettings; timezone: string; name: string }> {
  const row = await db.selectFrom('stores').select(['settings', 'timezone', 'name']).where('id', '=', storeId).executeTakeFirst();
  if (!row) throw notFound('store', storeId);
  const settings = parseStored(row.settings);
  let resolved: ResolvedSettings;
  try {
    resolved = resolveSettings(settings, row.timezone);
  } catch {
    resolved = resolveSettings({}, row.timezone);
  }
  return { settings, resolved, timezone: row.timezone, name: row.name };
}

/**
 * Replaces the store's settings after checking everything a later case would
 * trip on: the calendar as a whole, that templates compile, that rules assign
 * to users of this store. Nothing is written unless all of it holds.
 */
export async function saveSettings(db: Kysely<DB>, storeId: string, input: unknown): Promise<ResolvedSettings> {
  const parsed = storeSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatPath(issue.path);
    throw new AppError(400, 'invalid_request', `${path}: ${issue.message}`, path);
  }
  const settings = parsed.data;
  const store = await db.selectFrom('stores').select(['timezone']).where('id', '=', storeId).executeTakeFirst();
  if (!store) throw notFound('store', storeId);
  const calendar = businessCalendarSchema.safeParse(calendarInput(settings, store.timezone));
  if (!calendar.success) {
    const issue = calendar.error.issues[0]!;
    const path = formatPath(['businessHours', ...issue.path]);
    throw new AppError(400, 'invalid_request', `${path}: ${issue.message}`, path);
  }
  // Every SLA due time is counted in open hours: a week with none would leave no case a due time.
  if (!Object.values(calendar.data.weekly).some((day) => (day?.length ?? 0) > 0)) {
    throw new AppError(400, 'invalid_request', 'businessHours.weekly: open at least one interval in the week', 'businessHours.weekly');
  }
  for (const [key, source] of Object.entries(settings.templates ?? {})) {
    try {
      validateTemplate(source);
    } catch (err) {
      throw new AppError(400, 'invalid_template', `templates.${key}: ${(err as Error).message}`, `templates.${key}`);
    }
  }
  for (const [i, reply] of (settings.savedReplies ?? []).entries()) {
    try {
      validateSavedReply(reply.body);
    } catch (err) {
      const path = `savedReplies[${i}].body`;
      throw new AppError(400, 'invalid_template', `${path}: ${(err as Error).message}`, path);
    }
  }
  const assignees = [...new Set((settings.routing?.rules ?? []).map((r) => r.assignTo).filter((u): u is string => !!u))];
  if (assignees.length > 0) {
    const found = await db
      .selectFrom('users')
      .select('id')
      .where('store_id', '=', storeId)
      .where('id', 'in', assignees)
      .where('disabled_at', 'is', null)
      .execute();
    const known = new Set(found.map((u) => u.id));
    const rules = settings.routing!.rules;
    const bad = rules.findIndex((r) => r.assignTo && !known.has(r.assignTo));
    if (bad >= 0) {
      const path = `routing.rules[${bad}].assignTo`;
      throw new AppError(400, 'invalid_request', `${path}: no active user ${rules[bad]!.assignTo} in this store`, path);
    }
  }
  await db
    .updateTable('stores')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', storeId)
    .execute();
  return resolveSettings(settings, store.timezone);
}
