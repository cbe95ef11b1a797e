/**
 * A notification as a Slack incoming-webhook message: `text` (the
 * notification line and the fallback) and Block Kit `blocks` (the line, the
 * facts a person needs to act, a link to the console). Pure: the driver
 * looks up the extras (names, reasons) and sends it.
 */
import { formatMoney } from '../../policy/money.ts';
import type { Notification } from '../notify.ts';

export interface AlertExtras {
  /** The console's base URL (`AMENDS_PUBLIC_URL`); without it, no links. */
  publicUrl?: string | undefined;
  /** Who asked for a compensation, by name, when known. */
  actorName?: string | null | undefined;
  /** Why a compensation needs approval. */
  approvalReasons?: readonly string[] | undefined;
  /** What the requester wrote with it. */
  justification?: string | null | undefined;
  /** The case's number, when the notification names only its id (compensations). */
  caseNumber?: number | null | undefined;
}

type TextObject = { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions): user text must not. */
export function escapeMrkdwn(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const severityNames: Record<number, string> = { 1: 'minor', 2: 'moderate', 3: 'major', 4: 'critical' };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const words = (v: string) => v.replaceAll('_', ' ');
/** User text kept well within Slack's limits (3000 per section, 2000 per field). */
const clip = (s: string, max = 500) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function money(v: unknown): string | null {
  const m = v as { amount?: unknown; currency?: unknown } | null;
  if (!m || typeof m.amount !== 'number' || typeof m.currency !== 'string') return null;
  return formatMoney(m.amount, m.currency);
}

/** `2026-03-02T10:00:00.000Z` → "2026-03-02 10:00 UTC". */
function when(iso: unknown): string | null {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return null;
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A Slack date token: shown in each reader's own time zone, `when` as the fallback. */
function slackDate(iso: string): string {
  const fallback = when(iso);
  return fallback ? `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${fallback}>` : escapeMrkdwn(iso);
}

function severity(v: unknown): string | null {
  const n = num(v);
  if (n === null) return null;
  return severityNames[n] ? `${n} (${severityNames[n]})` : String(n);
}

function link(base: string | undefined, path: string, label: string): string | null {
  if (!base) return null;
  return `<${base.replace(/\/+$/, '')}${path}|${escapeMrkdwn(label)}>`;
}

interface Parts {
  /** The one line (plain text): the Slack notification and the message's fallback text. */
  line: string;
  /** More of the story, under the line (mrkdwn, user text already escaped). */
  detail?: string | null;
  /** Label and plain-text value; empty ones are left out. */
  fields: [string, string | null][];
  /** A mrkdwn link to the console. */
  url: string | null;
}

function caseRef(d: Record<string, unknown>, x: AlertExtras): string {
  const n = num(d.number) ?? x.caseNumber ?? null;
  return n === null ? 'a case' : `case #${n}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function partsFor(n: Notification, x: AlertExtras): Parts {
  const d = n.data;
  const caseId = str(d.caseId);
  const ref = caseRef(d, x);
  const caseUrl = caseId ? link(x.publicUrl, `/cases/${encodeURIComponent(caseId)}`, `Open ${ref}`) : null;
  const caseFields = (): [string, string | null][] => [
    ['Kind', str(d.kind) && words(str(d.kind)!)],
    ['Severity', severity(d.severity)],
    ['Tier', str(d.tier)],
    ['Priority', str(d.priority)],
  ];
  const subject = str(d.subject) ? `_${escapeMrkdwn(clip(str(d.subject)!, 300))}_` : null;
  switch (n.type) {
    case 'case.escalated': {
      const reason = str(d.reason);
      return {
        line: `${cap(ref)} escalated to the ${str(d.queue) ?? 'manager'} queue${reason ? `: ${clip(reason)}` : ''}`,
        detail: subject,
        fields: caseFields(),
        url: caseUrl,
      };
    }
    case 'sla.breached': {
      const metric = str(d.metric);
      const due = when(d.dueAt);
      return {
        line: `${cap(ref)}: ${metric ? `${words(metric).replace('first response', 'first-response')} ` : ''}SLA breached${due ? ` (due ${due})` : ''}`,
        detail: subject,
        fields: [['Metric', metric && words(metric)], ['Due', when(d.dueAt)], ['Queue', str(d.queue)], ...caseFields()],
        url: caseUrl,
      };
    }
    case 'incident.opened':
    case 'incident.resolved': {
      const id = str(d.incidentId);
      const affected = num(d.affectedCustomers);
      const avertable = typeof d.avertable === 'boolean' ? d.avertable : null;
      return {
        line: `Incident ${n.type === 'incident.opened' ? 'opened' : 'resolved'}: ${clip(str(d.title) ?? 'untitled')}`,
        fields: [
          ['Kind', str(d.kind) && words(str(d.kind)!)],
          ['Severity', severity(d.severity)],
          ['Affected customers', affected === null ? null : String(affected)],
          [
            'Avertable',
            avertable === null ? null : avertable ? 'yes: customers can still be helped before they notice' : 'no: it already reached them',
          ],
          ['Since', when(d.startedAt)],
          ...(n.type === 'incident.resolved' ? ([['Resolved', when(d.resolvedAt)]] as [string, string | null][]) : []),
        ],
        url: id ? link(x.publicUrl, `/incidents/${encodeURIComponent(id)}`, 'Open the incident') : null,
      };
    }
    case 'compensation.pending_approval':
    case 'compensation.approved':
    case 'compensation.rejected':
    case 'compensation.issued':
    case 'compensation.failed': {
      const label = clip(str(d.label) ?? str(d.kind) ?? 'a compensation', 200);
      const cost = money(d.cost);
      const who = askedBy(d.actor, x.actorName);
      const what = `${label}${cost ? ` (${cost})` : ''} on ${ref}`;
      const reasons = [...(x.approvalReasons ?? []), ...(str(d.reason) ? [str(d.reason)!] : [])];
      if (n.type === 'compensation.pending_approval') {
        return {
          line: `Approval needed: ${what}${who ? `, asked by ${who}` : ''}`,
          detail: x.justification ? `> ${escapeMrkdwn(clip(x.justification).replaceAll('\n', ' '))}` : null,
          fields: [
            ['Cost', cost],
            ['Asked by', who],
            ['Approver', str(d.approverRole)],
            ['Rule', str(d.rule)],
            ['Why it needs approval', reasons.length > 0 ? clip(reasons.join('; ')) : null],
          ],
          url: caseUrl,
        };
      }
      const verb = n.type.slice('compensation.'.length);
      return {
        line: `Compensation ${verb}: ${what}`,
        fields: [
          ['Cost', cost],
          [n.type === 'compensation.issued' || n.type === 'compensation.failed' ? 'By' : 'Decided by', who],
          ['Reason', reasons.length > 0 ? clip(reasons.join('; ')) : null],
        ],
        url: caseUrl,
      };
    }
    case 'survey.low_score': {
      const metric = str(d.metric);
      const score = num(d.score);
      const comment = str(d.comment);
      const scale = metric === 'nps' ? 10 : metric === 'ces' ? 7 : 5;
      return {
        line: `Low ${metric ? metric.toUpperCase() : 'survey'} score on ${ref}: ${score ?? '?'} of ${scale}${d.reopened === true ? ', reopened' : ''}`,
        detail: comment ? `> ${escapeMrkdwn(clip(comment).replaceAll('\n', ' '))}` : subject,
        fields: caseFields(),
        url: caseUrl,
      };
    }
    case 'analytics.recurring_issue': {
      // A spike found by the weekly recurring-issue detector (src/analytics/recurring.ts), with its incident suggestion.
      const count = num(d.count);
      const mean = num(d.baselineMean);
      const z = num(d.z);
      return {
        line: `Recurring issue: ${clip(str(d.title) ?? 'failures above their usual level')}`,
        detail: str(d.summary) ? escapeMrkdwn(clip(str(d.summary)!)) : null,
        fields: [
          ['Failures this week', count === null ? null : String(count)],
          ['Usual per week', mean === null ? null : mean.toFixed(1)],
          ['z', z === null ? null : z.toFixed(1)],
          ['Kind', str(d.kind) && words(str(d.kind)!)],
        ],
        url: link(x.publicUrl, '/analytics', 'Open analytics'),
      };
    }
    case 'case.opened':
      return { line: `${cap(ref)} opened${str(d.subject) ? `: ${clip(str(d.subject)!, 300)}` : ''}`, fields: caseFields(), url: caseUrl };
    case 'case.resolved':
      return { line: `${cap(ref)} resolved`, detail: subject, fields: caseFields(), url: caseUrl };
    case 'case.status_changed':
      return {
        line: `${cap(ref)}: ${words(str(d.from) ?? '?')} → ${words(str(d.to) ?? str(d.status) ?? '?')}`,
        detail: subject,
        fields: caseFields(),
        url: caseUrl,
      };
    default: {
      // A type this renderer does not know yet: its name and its plain facts.
      const facts = Object.entries(d)
        .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        .slice(0, 8)
        .map(([k, v]) => [k, clip(String(v), 200)] as [string, string]);
      return { line: String(n.type), fields: facts, url: caseUrl };
    }
  }
}

function askedBy(actor: unknown, name: string | null | undefined): string | null {
  if (name) return clip(name, 200);
  const a = actor as { type?: unknown; id?: unknown } | null;
  if (!a || typeof a.type !== 'string') return null;
  if (a.type === 'system') return 'Amends (policy)';
  if (a.type === 'token') return 'an API token';
  return typeof a.id === 'string' ? `user ${clip(a.id, 100)}` : 'a user';
}

export function buildAlertMessage(n: Notification, extras: AlertExtras = {}): SlackMessage {
  const p = partsFor(n, extras);
  const line = escapeMrkdwn(p.line.replace(/\s+/g, ' ').trim());
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${line}*${p.detail ? `\n${p.detail}` : ''}` } }];
  const fields = p.fields.filter((f): f is [string, string] => f[1] !== null && f[1] !== '').slice(0, 10);
  if (fields.length > 0) {
    blocks.push({ type: 'section', fields: fields.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${escapeMrkdwn(v)}` })) });
  }
  const context = [p.url, escapeMrkdwn(n.type), slackDate(n.createdAt)].filter((c): c is string => c !== null);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text: line, blocks };
}
