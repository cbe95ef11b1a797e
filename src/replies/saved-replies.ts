/**
 * Saved replies: the store's own short answers an agent drops into the composer ("send us a photo",
 * "where your parcel is"). Handlebars, plain text (`noEscape`), rendered with the case's facts; the
 * agent edits the result before it is sent, so the tone check still sees every word.
 *
 * A store that never set `savedReplies` gets the defaults below (en and es); a store that set them
 * gets exactly its own list (an empty list means none).
 */
import Handlebars from 'handlebars';
import { z } from 'zod';

export const savedReplyVariableDocs: Readonly<Record<string, string>> = {
  firstName: "the customer's first name, or empty",
  customerName: "the customer's full name, or empty",
  orderRef: 'the order reference, e.g. "#1001", or empty',
  storeName: "the store's name",
  agentName: "the agent's name (who sends it), or the store's team",
};

export const savedReplySchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'lower-case letters, digits and dashes, at most 60')
      .describe('stable key, e.g. `ask-photo`'),
    name: z.string().trim().min(1).max(80).describe('what agents pick it by'),
    locale: z.enum(['en', 'es']),
    body: z
      .string()
      .min(1)
      .max(5_000)
      .describe(`Handlebars; variables: ${Object.keys(savedReplyVariableDocs).join(', ')}`),
  })
  .strict();
export type SavedReply = z.infer<typeof savedReplySchema>;

export const savedRepliesSchema = z
  .array(savedReplySchema)
  .max(100)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((r, i) => {
      const key = `${r.locale}/${r.id}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `duplicate id ${r.id} for ${r.locale}`, path: [i, 'id'] });
      seen.add(key);
    });
  });

export const defaultSavedReplies: readonly SavedReply[] = [
  {
    id: 'ask-photo',
    name: 'Ask for a photo',
    locale: 'en',
    body: 'Hi {{#if firstName}}{{firstName}}{{else}}there{{/if}},\n\nI am sorry the item arrived like this. Could you send me a photo of it and of the box? That is all I need to put it right for you.\n\n{{agentName}}',
  },
  {
    id: 'tracking-update',
    name: 'Where the parcel is',
    locale: 'en',
    body: 'Hi {{#if firstName}}{{firstName}}{{else}}there{{/if}},\n\nI am sorry your order {{orderRef}} is taking longer than it should. I checked it with the carrier myself. I will write to you again as soon as it moves, and I will not wait for you to ask.\n\n{{agentName}}',
  },
  {
    id: 'remedy-done',
    name: 'Remedy issued',
    locale: 'en',
    body: 'Hi {{#if firstName}}{{firstName}}{{else}}there{{/if}},\n\nI have put this right for you on order {{orderRef}}. You will see it within a few days. Thank you for telling us, and I am sorry we let you down.\n\n{{agentName}}',
  },
  {
    id: 'ask-photo',
    name: 'Pedir una foto',
    locale: 'es',
    body: 'Hola{{#if firstName}} {{firstName}}{{/if}}:\n\nSiento mucho que el artículo llegara así. ¿Podría enviarme una foto del artículo y de la caja? Con eso lo soluciono.\n\n{{agentName}}',
  },
  {
    id: 'tracking-update',
    name: 'Dónde está el paquete',
    locale: 'es',
    body: 'Hola{{#if firstName}} {{firstName}}{{/if}}:\n\nSiento mucho que su pedido {{orderRef}} esté tardando más de lo debido. Lo he revisado con el transportista. Le escribiré en cuanto se mueva, sin que tenga que preguntar.\n\n{{agentName}}',
  },
  {
    id: 'remedy-done',
    name: 'Solución aplicada',
    locale: 'es',
    body: 'Hola{{#if firstName}} {{firstName}}{{/if}}:\n\nSiento mucho lo ocurrido con su pedido {{orderRef}}. Ya lo he resuelto y lo verá en unos días. Gracias por avisarnos.\n\n{{agentName}}',
  },
];

export interface SavedReplyContext {
  firstName: string | null;
  customerName: string | null;
  orderRef: string | null;
  storeName: string;
  agentName: string;
}

const hbs = Handlebars.create();
const OPTIONS = { noEscape: true, strict: false } as const;
type Compiled = Handlebars.TemplateDelegate<Record<string, unknown>>;
const cache = new Map<string, Compiled>();

function compile(source: string): Compiled {
  let c = cache.get(source);
  if (!c) {
    hbs.precompile(source, OPTIONS); // syntax errors now, with their line numbers
    c = hbs.compile(source, OPTIONS);
    if (cache.size >= 500) cache.clear();
    cache.set(source, c);
  }
  return c;
}

const SAMPLE: SavedReplyContext = {
  firstName: 'Maria',
  customerName: 'Maria Lopez',
  orderRef: '#1001',
  storeName: 'Acme',
  agentName: 'Ada',
};

/** Throws an Error with a clear message if the body does not compile or render. */
export function validateSavedReply(body: string): void {
  try {
    compile(body)({ ...SAMPLE });
  } catch (err) {
    throw new Error(`does not compile: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** The saved reply with the case's facts filled in; empty values render as nothing. */
export function renderSavedReply(body: string, ctx: SavedReplyContext): string {
  const data: Record<string, unknown> = {
    firstName: ctx.firstName ?? '',
    customerName: ctx.customerName ?? '',
    orderRef: ctx.orderRef ?? '',
    storeName: ctx.storeName,
    agentName: ctx.agentName,
  };
  return compile(body)(data)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
