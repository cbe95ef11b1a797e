/**
 * The words of follow-ups (pure): the check-in and NPS messages (e-mail or in-app text with one-click links),
 * and what the survey pages say, in English and Spanish.
 */
import type { PageLanguage } from '../public/layout.ts';

export const surveyMetrics = ['csat', 'ces', 'nps'] as const;
export type SurveyMetric = (typeof surveyMetrics)[number];

/** Each metric's scale (DESIGN.md §3: csat 1..5, ces 1..7, nps 0..10). */
export const surveyScale: Record<SurveyMetric, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
  nps: { min: 0, max: 10 },
};

export function scoreInScale(metric: SurveyMetric, score: number): boolean {
  const s = surveyScale[metric];
  return Number.isInteger(score) && score >= s.min && score <= s.max;
}

export function languageOf(locale: string | null | undefined): PageLanguage {
  return (locale ?? '').toLowerCase().startsWith('es') ? 'es' : 'en';
}

/** `/s/<store>/<token>?score=N` for every point of the metric's scale. */
export function scoreLinks(base: string, metric: SurveyMetric): { score: number; url: string }[] {
  const s = surveyScale[metric];
  const out: { score: number; url: string }[] = [];
  for (let n = s.min; n <= s.max; n++) out.push({ score: n, url: `${base}?score=${n}` });
  return out;
}

interface CheckInInput {
  lang: PageLanguage;
  customerName: string | null;
  storeName: string;
  caseNumber: number;
  caseSubject: string | null;
  /** The metric's survey URL without a score. */
  csatUrl: string;
  cesUrl: string;
}

const firstName = (name: string | null) => name?.trim().split(/\s+/u)[0] ?? null;

const lines = (links: { score: number; url: string }[]) => links.map((l) => `  ${l.score}: ${l.url}`).join('\n');

export function checkInMessage(i: CheckInInput): { subject: string; body: string; template: string } {
  const name = firstName(i.customerName);
  const about = i.caseSubject ? ` (“${i.caseSubject}”)` : '';
  if (i.lang === 'es') {
    return {
      template: 'es/survey-checkin',
      subject: `¿Todo bien? Tu caso #${i.caseNumber}`,
      body: `Hola${name ? ` ${name}` : ''}:

Hace unos días cerramos tu caso #${i.caseNumber}${about}. Esperamos que todo esté en orden ahora.

¿Qué tan satisfecho/a estás con cómo lo resolvimos? (1 = nada satisfecho/a, 5 = muy satisfecho/a)
${lines(scoreLinks(i.csatUrl, 'csat'))}

¿Qué tan fácil fue resolverlo? (1 = muy difícil, 7 = muy fácil)
${lines(scoreLinks(i.cesUrl, 'ces'))}

Un clic en un número basta para responder; después puedes dejar un comentario si quieres. Si algo sigue mal, responde a este mensaje.

${i.storeName}`,
    };
  }
  return {
    template: 'en/survey-checkin',
    subject: `How did we do? Your case #${i.caseNumber}`,
    body: `Hi${name ? ` ${name}` : ''},

A few days ago we sorted out your case #${i.caseNumber}${about}. We hope everything is fine now.

How satisfied are you with how we handled it? (1 = very unsatisfied, 5 = very satisfied)
${lines(scoreLinks(i.csatUrl, 'csat'))}

How easy was it to get this sorted? (1 = very hard, 7 = very easy)
${lines(scoreLinks(i.cesUrl, 'ces'))}

One click on a number is your answer; you may add a comment afterwards. If something is still wrong, just reply to this message.

${i.storeName}`,
  };
}

export function npsMessage(i: { lang: PageLanguage; customerName: string | null; storeName: string; npsUrl: string }): {
  subject: string;
  body: string;
  template: string;
} {
  const name = firstName(i.customerName);
  if (i.lang === 'es') {
    return {
      template: 'es/survey-nps',
      subject: `Una pregunta rápida de ${i.storeName}`,
      body: `Hola${name ? ` ${name}` : ''}:

¿Qué probabilidad hay de que recomiendes ${i.storeName} a un amigo o colega? (0 = ninguna, 10 = muchísima)
${lines(scoreLinks(i.npsUrl, 'nps'))}

Gracias por tu tiempo.

${i.storeName}`,
    };
  }
  return {
    template: 'en/survey-nps',
    subject: `One quick question from ${i.storeName}`,
    body: `Hi${name ? ` ${name}` : ''},

How likely are you to recommend ${i.storeName} to a friend or colleague? (0 = not at all likely, 10 = extremely likely)
${lines(scoreLinks(i.npsUrl, 'nps'))}

Thank you for your time.

${i.storeName}`,
  };
}

/** What the survey pages say. */
export function pageTexts(lang: PageLanguage) {
  const es = lang === 'es';
  return {
    section: es ? 'Encuesta' : 'Survey',
    question: {
      csat: es ? '¿Qué tan satisfecho/a estás con cómo resolvimos tu caso?' : 'How satisfied are you with how we handled your case?',
      ces: es ? '¿Qué tan fácil fue resolver tu caso con nosotros?' : 'How easy was it to get your case sorted?',
      nps: es ? '¿Qué probabilidad hay de que nos recomiendes?' : 'How likely are you to recommend us to a friend or colleague?',
    } satisfies Record<SurveyMetric, string>,
    ends: {
      csat: es ? ['Nada satisfecho/a', 'Muy satisfecho/a'] : ['Very unsatisfied', 'Very satisfied'],
      ces: es ? ['Muy difícil', 'Muy fácil'] : ['Very hard', 'Very easy'],
      nps: es ? ['Nada probable', 'Muy probable'] : ['Not at all likely', 'Extremely likely'],
    } satisfies Record<SurveyMetric, string[]>,
    caseLine: (n: number) => (es ? `Sobre tu caso #${n}.` : `About your case #${n}.`),
    legend: es ? 'Tu puntuación' : 'Your score',
    comment: es ? 'Comentario (opcional)' : 'Comment (optional)',
    submit: es ? 'Enviar mi respuesta' : 'Send my answer',
    pickScore: es ? 'Elige una puntuación.' : 'Choose a score.',
    commentTooLong: (max: number) =>
      es ? `El comentario puede tener como mucho ${max} caracteres.` : `The comment can be at most ${max} characters.`,
    thanksTitle: es ? 'Gracias por tu respuesta' : 'Thank you for your answer',
    thanksBody: es ? 'La hemos recibido.' : 'We have received it.',
    lowBody: es
      ? 'Sentimos que no haya ido bien. Hemos reabierto tu caso y alguien del equipo se pondrá en contacto contigo.'
      : 'We are sorry it did not go well. We have reopened your case and someone from the team will get back to you.',
    reviewInvite: es
      ? '¿Nos dejas una reseña pública? Ayuda a otros clientes.'
      : 'Would you leave us a public review? It helps other customers.',
    reviewLink: es ? 'Escribir una reseña' : 'Write a review',
    commentPrompt: es ? '¿Quieres contarnos algo más? (opcional)' : 'Anything you would like to add? (optional)',
    commentSubmit: es ? 'Enviar mi comentario' : 'Send my comment',
    commentEmpty: es ? 'Escribe un comentario, o simplemente cierra esta página.' : 'Write a comment, or simply close this page.',
    commentThanksTitle: es ? 'Gracias por tu comentario' : 'Thank you for your comment',
    commentThanksBody: es ? 'Lo hemos añadido a tu respuesta.' : 'We have added it to your answer.',
    commentLowBody: es ? 'El equipo que se ocupa de tu caso lo leerá.' : 'The team looking after your case will read it.',
    commentUsedTitle: es ? 'Ya nos enviaste tu comentario' : 'You have already sent your comment',
    commentUsedBody: es ? 'Gracias: lo tenemos.' : 'Thank you: we have it.',
    answeredTitle: es ? 'Ya respondiste a esta pregunta' : 'You have already answered this question',
    answeredBody: es ? 'Gracias: solo contamos la primera respuesta.' : 'Thank you: only the first answer counts.',
    expiredTitle: es ? 'Este enlace ha caducado' : 'This survey link has expired',
    expiredBody: es
      ? 'Ya no se puede responder con él. Si necesitas ayuda, responde a nuestro mensaje.'
      : 'It can no longer be used. If you need help, reply to our message.',
    notFoundTitle: es ? 'Este enlace no funciona' : 'This link does not work',
    notFoundBody: es ? 'Comprueba que lo copiaste entero desde el mensaje.' : 'Check that you copied the whole link from the message.',
  };
}
