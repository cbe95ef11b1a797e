/**
 * A reply without the conversation the mail client quoted below it, so the
 * case keeps only the customer's new words (and triage reads only those).
 */

/** Lines that introduce the quoted conversation, in the languages customers write in most. */
const ATTRIBUTIONS = [
  /^on\s.+\swrote\s*:$/iu,
  /^el\s.+\sescribió\s*:$/iu,
  /^le\s.+\sa\s+écrit\s*:$/iu,
  /^am\s.+\sschrieb\s.*:$/iu,
  /^op\s.+\sschreef\s.*:$/iu,
  /^-{2,}\s*(?:original message|mensaje original|ursprüngliche nachricht|message d'origine)\s*-{2,}$/iu,
];
const ATTRIBUTION_START = /^(?:on|el|le|am|op)\s/iu;

function isAttribution(line: string): boolean {
  return ATTRIBUTIONS.some((re) => re.test(line));
}

/**
 * Removes lines starting with `>` and everything from an attribution line
 * ("On Mon, 2 Mar 2026, Acme <help@acme.test> wrote:", also when the client
 * wrapped it over two lines, or Outlook's "-----Original Message-----" and
 * "____" + "From:" block) to the end. When that leaves nothing, the text is
 * kept as it came: a message is never emptied.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/gu, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const next = lines[i + 1]?.trim() ?? '';
    if (isAttribution(line) || (ATTRIBUTION_START.test(line) && isAttribution(`${line} ${next}`))) {
      end = i;
      break;
    }
    // Outlook: a rule of underscores, then the quoted message's own headers.
    if (/^_{10,}$/u.test(line) && /^(?:from|de|von|van)\s*:/iu.test(next)) {
      end = i;
      break;
    }
  }
  const kept = lines
    .slice(0, end)
    .filter((l) => !/^\s*>/u.test(l))
    .join('\n')
    .replace(/^\s*\n/u, '')
    .trimEnd();
  return kept.trim() === '' ? text.trim() : kept;
}
