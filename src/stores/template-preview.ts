/**
 * What the settings editor shows beside a template: the shipped default acknowledgements (to start
 * from, or to reset to), the variables a template can use, and a template rendered against a sample
 * case of this store (its name, time zone, business hours and first-reply target), so an owner sees
 * what a customer would get before saving.
 */
import fs from 'node:fs';
import { addBusinessMinutes } from '../cases/business-hours.ts';
import { AppError } from '../platform/errors.ts';
import { renderAcknowledgement, templateVariableDocs, validateTemplate } from '../replies/acknowledgement.ts';
import { renderSavedReply, savedReplyVariableDocs, validateSavedReply } from '../replies/saved-replies.ts';
import type { ResolvedSettings, templateKeys } from './store-settings.ts';

type TemplateKey = (typeof templateKeys)[number];

const defaultSource = (lang: 'en' | 'es') => fs.readFileSync(new URL(`../replies/templates/${lang}/ack.hbs`, import.meta.url), 'utf8');
let defaults: Record<TemplateKey, string> | undefined;

export function templateCatalog(): {
  defaults: Record<TemplateKey, string>;
  variables: Record<string, string>;
  savedReplyVariables: Record<string, string>;
} {
  defaults ??= { 'en/ack': defaultSource('en'), 'es/ack': defaultSource('es') };
  return { defaults, variables: { ...templateVariableDocs }, savedReplyVariables: { ...savedReplyVariableDocs } };
}

export interface PreviewInput {
  key: TemplateKey | 'saved-reply';
  /** The draft to render; for an acknowledgement, the store's saved override (or the default) when absent. */
  source?: string | undefined;
}

export interface Preview {
  subject: string | null;
  body: string;
  /** Which template produced it: `store:en/ack` (the override or the draft), `en/ack` (the default), `saved-reply`. */
  template: string;
}

/** Renders a template against a sample case; a draft that does not compile is a 400 naming `source`. */
export function previewTemplate(
  input: PreviewInput,
  store: { name: string; resolved: ResolvedSettings },
  agentName: string | null,
  now: Date,
): Preview {
  const invalid = (err: unknown) =>
    new AppError(400, 'invalid_template', `source: ${err instanceof Error ? err.message : String(err)}`, 'source');
  if (input.key === 'saved-reply') {
    if (input.source === undefined) throw new AppError(400, 'invalid_request', 'source: give the saved reply’s text', 'source');
    try {
      validateSavedReply(input.source);
    } catch (err) {
      throw invalid(err);
    }
    const body = renderSavedReply(input.source, {
      firstName: 'Maria',
      customerName: 'Maria Lopez',
      orderRef: '#1001',
      storeName: store.name,
      agentName: agentName?.trim().split(/\s+/u)[0] || `The ${store.name} team`,
    });
    return { subject: null, body, template: 'saved-reply' };
  }
  if (input.source !== undefined) {
    try {
      validateTemplate(input.source);
    } catch (err) {
      throw invalid(err);
    }
  }
  const source = input.source ?? store.resolved.templates[input.key];
  const lang = input.key.slice(0, 2);
  const at = now.toISOString();
  const r = renderAcknowledgement(
    {
      locale: lang,
      storeName: store.name,
      customerName: 'Maria Lopez',
      kind: 'delivery_late',
      orderRef: '1001',
      emotion: 'frustration',
      intensity: 0.7,
      repeatFailure: false,
      avertable: false,
      nextStep: {
        dueAt: addBusinessMinutes(at, store.resolved.sla.firstResponse.normal, store.resolved.calendar),
        timezone: store.resolved.calendar.timezone,
      },
      now: at,
      signature: null,
      channel: 'email',
    },
    source === undefined ? undefined : { [input.key]: source },
  );
  return { subject: r.subject, body: r.body, template: r.template };
}
