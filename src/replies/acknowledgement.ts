/**
 * The first reply to a case (DESIGN.md §1 "acknowledge"): a first-person apology that names the
 * problem, owns it, and says who replies next and by when. The first reply decides most of the
 * outcome, so the defaults follow the tone rules in `tone-check.ts` and are tested against them.
 *
 * Templates are Handlebars files in `templates/<lang>/ack.hbs`, in English and Spanish (formal
 * "usted"). Convention: when the first rendered line starts with `Subject:`, it is the e-mail
 * subject and the rest (after blank lines) is the body. A store override without a subject line
 * gets the default subject for its language.
 *
 * Rendering is plain text (`noEscape`); customer values are passed as data, never compiled, so a
 * name like `{{storeName}}` renders literally.
 */
import fs from 'node:fs';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import type { Emotion, IssueKind } from '../triage/labels.ts';
import { type ReplyLanguage, replyLanguage } from './tone-check.ts';

export interface AckInput {
  /** Customer's locale; `es`, `es-MX`, `es_ES` → Spanish, anything else → English. */
  locale: string | null;
  storeName: string;
  /** The first name is used when present ("Hi Maria,"); otherwise a neutral greeting. */
  customerName: string | null;
  kind: IssueKind;
  /** e.g. order id "1001" (a leading "#" is tolerated). */
  orderRef: string | null;
  emotion: Emotion;
  intensity: number;
  /** The customer had a failure before: own it. */
  repeatFailure: boolean;
  /** The failure could have been avoided: no excuses, explicit ownership. */
  avertable: boolean;
  /** When a person will reply (the first-response SLA due), shown in the store's time zone. */
  nextStep: { dueAt: string; timezone: string };
  /** ISO instant; decides "today by 14:00". */
  now: string;
  /** Who signs off, e.g. "Maria from Acme"; default "The {storeName} team" / "El equipo de {storeName}". */
  signature: string | null;
  /** Where the customer wrote: the closing line says "reply to this e-mail" only for e-mail. */
  channel?: string | null | undefined;
}

/** Key `${lang}/ack` ('en/ack', 'es/ack'): store-provided Handlebars source replacing the default for that language. */
export interface TemplateOverrides {
  [key: string]: string;
}

export interface RenderedAcknowledgement {
  locale: ReplyLanguage;
  subject: string;
  body: string;
  /** 'en/ack' for a default, 'store:en/ack' for a store override. A broken override falls back to the default. */
  template: string;
}

/** The variables an ack template can use, with what each holds (shown to store owners editing overrides). */
export const templateVariableDocs: Readonly<Record<string, string>> = {
  lang: `Template language: "en" or "es".`,
  storeName: 'The store name, e.g. "Acme".',
  customerName: "The customer's full name as known, or empty.",
  firstName: "The customer's first name, or empty (use {{#if firstName}} for a neutral greeting).",
  kind: 'The issue kind, e.g. "delivery_late".',
  orderRef: 'The order reference without "#", e.g. "1001", or empty.',
  order: 'The order reference with "#", e.g. "#1001", or empty.',
  problem: 'The problem in plain words, as a clause after "I\'m sorry" / "Lo siento mucho:", e.g. "your order #1001 arrived damaged".',
  topic: 'The problem as a short noun phrase for the subject, e.g. "your damaged order #1001".',
  emotion: 'The customer\'s primary emotion, e.g. "anger".',
  intensity: "The emotion's intensity, 0..1.",
  strongFeeling: 'True when the customer is strongly angry or frustrated (acknowledge it explicitly).',
  anxious: 'True when the customer is strongly anxious (reassure with what happens next).',
  repeatFailure: "True when this is not the customer's first failure (own it).",
  avertable: 'True when the failure could have been avoided (no excuses).',
  dueText:
    'When a person replies, ready to use: "by Monday, 10:00", "today by 14:00" / "antes del lunes, 10:00", "hoy antes de las 14:00".',
  dueIsToday: 'True when the reply is due later the same local day.',
  dueWeekday: 'The local weekday of the due time, e.g. "Monday" / "lunes".',
  dueTime: 'The local time of the due time, 24-hour, e.g. "10:00".',
  dueAt: 'The due instant, ISO-8601 in the store time zone.',
  timezone: 'The store time zone, e.g. "America/New_York".',
  signature: 'The sign-off, e.g. "Maria from Acme" or "The Acme team".',
};
export const templateVariables: string[] = Object.keys(templateVariableDocs);

type OrderPhrase = (order: string | null) => string;
interface KindPhrases {
  problem: OrderPhrase;
  topic: OrderPhrase;
}

const withOrder =
  (base: string, suffix: (o: string) => string): OrderPhrase =>
  (o) =>
    o ? `${base}${suffix(o)}` : base;

/** Plain words for each kind; the order reference is woven in when known. */
const PHRASES: Record<ReplyLanguage, Record<IssueKind, KindPhrases>> = {
  en: {
    delivery_late: {
      problem: (o) => `your order${o ? ` ${o}` : ''} hasn't arrived when we promised`,
      topic: (o) => `your late order${o ? ` ${o}` : ''}`,
    },
    delivery_lost: {
      problem: (o) => `your order${o ? ` ${o}` : ''} seems to have gone missing on its way to you`,
      topic: (o) => `your missing order${o ? ` ${o}` : ''}`,
    },
    damaged_item: {
      problem: (o) => `your order${o ? ` ${o}` : ''} arrived damaged`,
      topic: (o) => `your damaged order${o ? ` ${o}` : ''}`,
    },
    wrong_item: {
      problem: (o) => `we sent you the wrong item in your order${o ? ` ${o}` : ''}`,
      topic: (o) => `the wrong item in your order${o ? ` ${o}` : ''}`,
    },
    missing_item: {
      problem: (o) => `something was missing from your order${o ? ` ${o}` : ''}`,
      topic: (o) => `the missing item from your order${o ? ` ${o}` : ''}`,
    },
    quality_defect: {
      problem: (o) => `an item from your order${o ? ` ${o}` : ''} turned out to be faulty`,
      topic: (o) => `the faulty item in your order${o ? ` ${o}` : ''}`,
    },
    payment_problem: {
      problem: (o) => `your payment${o ? ` for order ${o}` : ''} didn't go through`,
      topic: (o) => `your payment${o ? ` for order ${o}` : ''}`,
    },
    billing_error: {
      problem: (o) => `we charged you incorrectly${o ? ` for order ${o}` : ''}`,
      topic: (o) => `the incorrect charge${o ? ` on order ${o}` : ''}`,
    },
    refund_request: {
      problem: (o) => `your order${o ? ` ${o}` : ''} didn't work out and you need a refund`,
      topic: (o) => `your refund${o ? ` for order ${o}` : ''}`,
    },
    cancellation: {
      problem: (o) => `your order${o ? ` ${o}` : ''} didn't work out and you want to cancel it`,
      topic: (o) => `cancelling your order${o ? ` ${o}` : ''}`,
    },
    account_access: {
      problem: withOrder(`you couldn't get into your account`, (o) => ` to check on your order ${o}`),
      topic: withOrder(`getting into your account`, (o) => ` (order ${o})`),
    },
    website_bug: {
      problem: withOrder(`our website didn't work properly for you`, (o) => ` with your order ${o}`),
      topic: withOrder(`the problem with our website`, (o) => ` (order ${o})`),
    },
    rude_service: {
      problem: withOrder(`you weren't treated with the respect you deserve when you contacted us`, (o) => ` about your order ${o}`),
      topic: withOrder(`how we treated you`, (o) => ` (order ${o})`),
    },
    other: {
      problem: withOrder(`we let you down`, (o) => ` with your order ${o}`),
      topic: withOrder(`your message`, (o) => ` (order ${o})`),
    },
  },
  es: {
    delivery_late: {
      problem: (o) => `su pedido${o ? ` ${o}` : ''} no ha llegado en la fecha que le prometimos`,
      topic: (o) => `el retraso de su pedido${o ? ` ${o}` : ''}`,
    },
    delivery_lost: {
      problem: (o) => `su pedido${o ? ` ${o}` : ''} parece haberse perdido de camino a usted`,
      topic: (o) => `la pérdida de su pedido${o ? ` ${o}` : ''}`,
    },
    damaged_item: {
      problem: (o) => `su pedido${o ? ` ${o}` : ''} llegó dañado`,
      topic: (o) => `su pedido${o ? ` ${o}` : ''} dañado`,
    },
    wrong_item: {
      problem: (o) => `le enviamos un artículo equivocado en su pedido${o ? ` ${o}` : ''}`,
      topic: (o) => `el artículo equivocado de su pedido${o ? ` ${o}` : ''}`,
    },
    missing_item: {
      problem: (o) => `faltaba algo en su pedido${o ? ` ${o}` : ''}`,
      topic: (o) => `el artículo que faltaba en su pedido${o ? ` ${o}` : ''}`,
    },
    quality_defect: {
      problem: (o) => `un artículo de su pedido${o ? ` ${o}` : ''} resultó defectuoso`,
      topic: (o) => `el artículo defectuoso de su pedido${o ? ` ${o}` : ''}`,
    },
    payment_problem: {
      problem: (o) => `su pago${o ? ` del pedido ${o}` : ''} no se pudo completar`,
      topic: (o) => `el pago${o ? ` del pedido ${o}` : ' de su pedido'}`,
    },
    billing_error: {
      problem: (o) => `le cobramos de forma incorrecta${o ? ` el pedido ${o}` : ''}`,
      topic: (o) => `el cobro incorrecto${o ? ` del pedido ${o}` : ''}`,
    },
    refund_request: {
      problem: (o) => `su pedido${o ? ` ${o}` : ''} no salió como esperaba y necesita un reembolso`,
      topic: (o) => `el reembolso de su pedido${o ? ` ${o}` : ''}`,
    },
    cancellation: {
      problem: (o) => `su pedido${o ? ` ${o}` : ''} no salió como esperaba y quiere cancelarlo`,
      topic: (o) => `la cancelación de su pedido${o ? ` ${o}` : ''}`,
    },
    account_access: {
      problem: withOrder(`no ha podido entrar en su cuenta`, (o) => ` para consultar su pedido ${o}`),
      topic: withOrder(`el acceso a su cuenta`, (o) => ` (pedido ${o})`),
    },
    website_bug: {
      problem: withOrder(`nuestra web no funcionó bien`, (o) => ` con su pedido ${o}`),
      topic: withOrder(`el fallo de nuestra web`, (o) => ` (pedido ${o})`),
    },
    rude_service: {
      problem: withOrder(`no le tratamos con el respeto que merece cuando nos contactó`, (o) => ` por su pedido ${o}`),
      topic: withOrder(`cómo le atendimos`, (o) => ` (pedido ${o})`),
    },
    other: {
      problem: withOrder(`le hemos fallado`, (o) => ` con su pedido ${o}`),
      topic: withOrder(`su mensaje`, (o) => ` (pedido ${o})`),
    },
  },
};

/** Anger or frustration at or above this intensity gets an explicit acknowledgement of the feeling. */
const STRONG_FEELING = 0.5;

const hbs = Handlebars.create();
hbs.registerHelper('capitalize', (value: unknown) => {
  const s = value == null ? '' : String(value);
  return s.charAt(0).toUpperCase() + s.slice(1);
});

const COMPILE_OPTIONS = { noEscape: true, strict: false } as const;
type Compiled = Handlebars.TemplateDelegate<Record<string, unknown>>;

/** A shipped template, `templates/<lang>/<name>.hbs`, compiled with the rules every reply follows. */
export function compileDefaultTemplate(lang: ReplyLanguage, name: 'ack' | 'remedy' | 'proactive'): Compiled {
  return hbs.compile(fs.readFileSync(new URL(`./templates/${lang}/${name}.hbs`, import.meta.url), 'utf8'), COMPILE_OPTIONS);
}

const DEFAULTS: Record<ReplyLanguage, Compiled> = { en: compileDefaultTemplate('en', 'ack'), es: compileDefaultTemplate('es', 'ack') };

/** Store overrides, compiled lazily and cached by source; a failure is cached too so it is not retried per reply. */
const OVERRIDE_CACHE_MAX = 200;
const overrideCache = new Map<string, Compiled | Error>();

function compileOverride(source: string): Compiled | Error {
  const hit = overrideCache.get(source);
  if (hit !== undefined) {
    overrideCache.delete(source); // refresh recency
    overrideCache.set(source, hit);
    return hit;
  }
  let compiled: Compiled | Error;
  try {
    compiled = compileChecked(source);
  } catch (err) {
    compiled = err instanceof Error ? err : new Error(String(err));
  }
  if (overrideCache.size >= OVERRIDE_CACHE_MAX) {
    const oldest = overrideCache.keys().next().value;
    if (oldest !== undefined) overrideCache.delete(oldest);
  }
  overrideCache.set(source, compiled);
  return compiled;
}

/** Handlebars compiles lazily; precompiling forces syntax errors out now, with their line numbers. */
function compileChecked(source: string): Compiled {
  hbs.precompile(source, COMPILE_OPTIONS);
  return hbs.compile(source, COMPILE_OPTIONS);
}

/** Throws an Error with a clear message if the source is not a usable ack template. */
export function validateTemplate(source: string): void {
  let compiled: Compiled;
  try {
    compiled = compileChecked(source);
  } catch (err) {
    throw new Error(`Template does not compile: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    compiled(SAMPLE_CONTEXT);
  } catch (err) {
    throw new Error(`Template fails to render: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseInstant(value: string, field: string, zone: string): DateTime {
  const dt = DateTime.fromISO(value, { setZone: true });
  if (!dt.isValid) throw new RangeError(`${field} is not a valid ISO-8601 instant: ${JSON.stringify(value)}`);
  const local = dt.setZone(zone);
  if (!local.isValid) throw new RangeError(`nextStep.timezone is not a valid IANA time zone: ${JSON.stringify(zone)}`);
  return local;
}

interface DueParts {
  dueText: string;
  dueIsToday: boolean;
  dueWeekday: string;
  dueTime: string;
  dueAt: string;
}

/** "by Monday, 10:00" / "antes del lunes, 10:00"; "today by 14:00" / "hoy antes de las 14:00" on the same local day. */
function describeDue(lang: ReplyLanguage, dueAt: string, timezone: string, nowIso: string): DueParts {
  const due = parseInstant(dueAt, 'nextStep.dueAt', timezone).setLocale(lang);
  const now = parseInstant(nowIso, 'now', timezone);
  const time = due.toFormat('HH:mm');
  const weekday = due.toFormat('cccc');
  const base = { dueIsToday: false, dueWeekday: weekday, dueTime: time, dueAt: due.toISO() ?? dueAt };
  if (due <= now) {
    // Already due (a breached SLA): promise nothing we cannot keep, but still commit to a reply.
    return { ...base, dueText: lang === 'es' ? 'lo antes posible, hoy mismo' : 'as soon as possible today' };
  }
  if (due.hasSame(now, 'day')) {
    return { ...base, dueIsToday: true, dueText: lang === 'es' ? `hoy antes de las ${time}` : `today by ${time}` };
  }
  // A week or more away, the weekday alone is ambiguous: add the date.
  const days = due.startOf('day').diff(now.startOf('day'), 'days').days;
  if (days >= 7) {
    return {
      ...base,
      dueText: lang === 'es' ? `antes del ${due.toFormat("cccc d 'de' LLLL")}, ${time}` : `by ${due.toFormat('cccc d LLLL')}, ${time}`,
    };
  }
  return { ...base, dueText: lang === 'es' ? `antes del ${weekday}, ${time}` : `by ${weekday}, ${time}` };
}

export function firstNameOf(name: string | null): string | null {
  const first = (name ?? '').trim().split(/\s+/u)[0];
  return first ? first : null;
}

/** "Maya from Demo Tea Co." for the person who wrote or granted it; null when there is none. */
export function personSignature(name: string | null, storeName: string): string | null {
  const first = firstNameOf(name);
  return first ? `${first} from ${storeName}` : null;
}

/** The store team's signature, in the reply's language. */
export function teamSignature(lang: ReplyLanguage, storeName: string): string {
  return lang === 'es' ? `El equipo de ${storeName}` : `The ${storeName} team`;
}

function orderLabel(ref: string | null): string | null {
  const bare = (ref ?? '').trim().replace(/^#+/u, '');
  return bare ? `#${bare}` : null;
}

function buildContext(input: AckInput, lang: ReplyLanguage): Record<string, unknown> {
  const order = orderLabel(input.orderRef);
  const phrases = PHRASES[lang][input.kind] ?? PHRASES[lang].other;
  const strong = input.intensity >= STRONG_FEELING;
  return {
    lang,
    byEmail: input.channel === undefined || input.channel === null || input.channel === 'email',
    storeName: input.storeName,
    customerName: input.customerName ?? '',
    firstName: firstNameOf(input.customerName),
    kind: input.kind,
    orderRef: order ? order.slice(1) : '',
    order: order ?? '',
    problem: phrases.problem(order),
    topic: phrases.topic(order),
    emotion: input.emotion,
    intensity: input.intensity,
    strongFeeling: strong && (input.emotion === 'anger' || input.emotion === 'frustration'),
    anxious: strong && input.emotion === 'anxiety',
    repeatFailure: input.repeatFailure,
    avertable: input.avertable,
    ...describeDue(lang, input.nextStep.dueAt, input.nextStep.timezone, input.now),
    timezone: input.nextStep.timezone,
    signature: input.signature?.trim() || teamSignature(lang, input.storeName),
  };
}

/** Splits off a leading `Subject:` line and tidies whitespace left by block helpers. */
export function splitRendered(text: string): { subject: string | null; body: string } {
  const lines = text.replace(/\r\n?/gu, '\n').split('\n');
  let subject: string | null = null;
  const firstContent = lines.findIndex((l) => l.trim() !== '');
  const first = firstContent >= 0 ? lines[firstContent]! : '';
  const m = /^\s*subject:\s*(.*)$/iu.exec(first);
  if (m) {
    subject = m[1]!.trim();
    lines.splice(0, firstContent + 1);
  }
  const body = lines
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
  return { subject, body };
}

export function renderAcknowledgement(input: AckInput, overrides?: TemplateOverrides): RenderedAcknowledgement {
  const lang = replyLanguage(input.locale);
  const context = buildContext(input, lang);
  const key = `${lang}/ack`;
  const fallback = (): RenderedAcknowledgement => {
    const { subject, body } = splitRendered(DEFAULTS[lang](context));
    return { locale: lang, subject: subject ?? '', body, template: key };
  };

  const source = overrides?.[key];
  if (source === undefined) return fallback();
  const compiled = compileOverride(source);
  if (compiled instanceof Error) return fallback();
  let rendered: string;
  try {
    rendered = compiled(context);
  } catch {
    return fallback(); // the apology must still go out; the settings API reports broken templates on save
  }
  const { subject, body } = splitRendered(rendered);
  return { locale: lang, subject: subject || fallback().subject, body, template: `store:${key}` };
}

const SAMPLE_CONTEXT: Record<string, unknown> = {
  lang: 'en',
  storeName: 'Acme',
  customerName: 'Maria Lopez',
  firstName: 'Maria',
  kind: 'delivery_late',
  orderRef: '1001',
  order: '#1001',
  problem: PHRASES.en.delivery_late.problem('#1001'),
  topic: PHRASES.en.delivery_late.topic('#1001'),
  emotion: 'frustration',
  intensity: 0.7,
  strongFeeling: true,
  anxious: false,
  repeatFailure: false,
  avertable: false,
  dueText: 'by Monday, 10:00',
  dueIsToday: false,
  dueWeekday: 'Monday',
  dueTime: '10:00',
  dueAt: '2026-03-09T10:00:00.000-04:00',
  timezone: 'America/New_York',
  signature: 'The Acme team',
};
