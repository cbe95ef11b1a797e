/** The shapes of the Settings API (see /api/openapi.json, tag `store`), as the settings page uses them. */
import type { Priority, Role } from '../../api/types.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
export const priorities: Priority[] = ['urgent', 'high', 'normal', 'low'];
export const templateKeys = ['en/ack', 'es/ack'] as const;
export type TemplateKey = (typeof templateKeys)[number];

export interface Interval {
  start: string;
  end: string;
}

export interface SavedReply {
  id: string;
  name: string;
  locale: 'en' | 'es';
  body: string;
}

type ByPriority = Partial<Record<Priority, number>>;

/** What the store set (only that is stored; the rest follows the defaults). PUT replaces all of it. */
export interface SettingsInput {
  businessHours?: { timezone?: string; weekly?: Partial<Record<Weekday, Interval[]>>; holidays?: string[] };
  sla?: {
    firstResponse?: ByPriority;
    resolution?: ByPriority;
    byChannel?: Record<string, { firstResponse?: ByPriority; resolution?: ByPriority }>;
  };
  guardrails?: { repeatFailureWindowDays: number };
  routing?: { rules: unknown[] };
  templates?: Partial<Record<TemplateKey, string>>;
  savedReplies?: SavedReply[];
  [key: string]: unknown;
}

/** With every default filled in: what cases use. */
export interface EffectiveSettings {
  calendar: { timezone: string; weekly: Partial<Record<Weekday, Interval[]>>; holidays: string[] };
  sla: { firstResponse: Record<Priority, number>; resolution: Record<Priority, number>; byChannel?: Record<string, unknown> };
  repeatFailureWindowDays: number;
  routingRules: unknown[];
  templates: Partial<Record<TemplateKey, string>>;
  /** Arrives with the saved-replies feature; absent on an older server. */
  savedReplies?: SavedReply[];
}

export interface SettingsResponse {
  settings: SettingsInput;
  effective: EffectiveSettings;
}

export interface StoreProfile {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  createdAt: string;
}

export interface TemplateCatalog {
  defaults: Record<TemplateKey, string>;
  variables: Record<string, string>;
  savedReplyVariables: Record<string, string>;
}

export interface TemplatePreview {
  subject: string | null;
  body: string;
  template: string;
}

export interface Person {
  id: string;
  email: string;
  name: string | null;
}

export interface ApiToken {
  id: string;
  name: string | null;
  role: Role;
  prefix: string;
  user: Person | null;
  createdBy: Person | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ChannelsStatus {
  channels: {
    email?: { from?: string; fromName?: string; replyDomain?: string; smtp?: { host?: string; port?: number; secure?: boolean } };
    slack?: { webhookUrl?: string; events?: string[] };
    widget?: { allowedOrigins?: string[]; requireIdentity?: boolean };
    [key: string]: unknown;
  };
  shopify: { domain: string | null; connected: boolean };
}
