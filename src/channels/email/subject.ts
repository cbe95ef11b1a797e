/**
 * Subjects as threads see them: mail clients prefix replies and forwards in
 * many languages ("Re:", "AW:", "Fwd:", "RV:") and we tag ours with the case
 * number ("[#42]"), so two subjects name the same conversation when they are
 * equal without those.
 */

/** Reply and forward prefixes, English and the common European ones, with an optional counter ("Re[2]:"). */
const PREFIX = /^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|rif|rv|tr|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;
const CASE_TAG = /\[#\d+\]/gu;

/** The subject reduced to what identifies the conversation: lower case, no prefixes, no case tags. */
export function normaliseSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').replace(CASE_TAG, ' ');
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(PREFIX, '');
  }
  return s.replace(/\s+/gu, ' ').trim().toLowerCase();
}

export function caseTag(caseNumber: number): string {
  return `[#${caseNumber}]`;
}

/**
 * The subject of a message we send: its own, else "Re: " the case's, else a
 * plain default; tagged with the case number so the customer (and an agent
 * searching their mail) can quote it.
 */
export function outgoingSubject(messageSubject: string | null, caseSubject: string | null, caseNumber: number): string {
  const base =
    messageSubject?.trim() || (caseSubject?.trim() ? `Re: ${caseSubject.trim().replace(/^(?:re\s*:\s*)+/iu, '')}` : `Your request with us`);
  const tag = caseTag(caseNumber);
  return base.includes(tag) ? base : `${base} ${tag}`;
}
