import { describe, expect, it } from 'vitest';
import type { Notification } from '../notify.ts';
import { buildAlertMessage, escapeMrkdwn, type SlackBlock } from './alert-message.ts';

const base = { id: 'evt_1', store: 'acme', createdAt: '2026-03-02T10:00:00.000Z' };
const caseData = {
  caseId: 'case_42',
  number: 42,
  status: 'acknowledged',
  kind: 'damaged_item',
  severity: 4,
  priority: 'urgent',
  queue: 'manager',
  tier: 'vip',
  subject: 'Kettle <caught> fire & burned me',
};

/** Every mrkdwn string of a message, for searching. */
const texts = (blocks: SlackBlock[]) =>
  blocks.flatMap((b) => ('text' in b ? [b.text.text] : 'fields' in b ? b.fields.map((f) => f.text) : b.elements.map((e) => e.text)));
const field = (blocks: SlackBlock[], label: string) =>
  texts(blocks)
    .find((t) => t.startsWith(`*${label}*\n`))
    ?.split('\n')[1];

describe('Slack alert messages', () => {
  it('escapes the three characters Slack reads as markup', () => {
    expect(escapeMrkdwn('a < b && c > d <@U123> <!channel>')).toBe('a &lt; b &amp;&amp; c &gt; d &lt;@U123&gt; &lt;!channel&gt;');
  });

  it('an escalation names the case, the queue and why, with kind, severity, tier and a console link', () => {
    const n: Notification = {
      ...base,
      type: 'case.escalated',
      data: { ...caseData, reason: 'safety risk: <b>fire</b> & burns', fromQueue: null },
    };
    const m = buildAlertMessage(n, { publicUrl: 'https://amends.example.com/' });
    expect(m.text).toBe('Case #42 escalated to the manager queue: safety risk: &lt;b&gt;fire&lt;/b&gt; &amp; burns');
    expect(m.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${m.text}*\n_Kettle &lt;caught&gt; fire &amp; burned me_` },
    });
    expect(field(m.blocks, 'Kind')).toBe('damaged item');
    expect(field(m.blocks, 'Severity')).toBe('4 (critical)');
    expect(field(m.blocks, 'Tier')).toBe('vip');
    const context = texts(m.blocks).at(-1)!;
    expect(context).toContain('<https://amends.example.com/cases/case_42|Open case #42>');
    expect(context).toContain('<!date^1772445600^{date_short_pretty} {time}|2026-03-02 10:00 UTC>');
  });

  it('has no link without a public URL', () => {
    const m = buildAlertMessage({ ...base, type: 'case.escalated', data: { ...caseData, reason: 'x' } });
    expect(texts(m.blocks).join('\n')).not.toContain('/cases/');
  });

  it('an SLA breach names the metric and when it was due', () => {
    const m = buildAlertMessage({
      ...base,
      type: 'sla.breached',
      data: { ...caseData, queue: 'general', metric: 'first_response', dueAt: '2026-03-02T09:30:00.000Z' },
    });
    expect(m.text).toBe('Case #42: first-response SLA breached (due 2026-03-02 09:30 UTC)');
    expect(field(m.blocks, 'Metric')).toBe('first response');
    expect(field(m.blocks, 'Due')).toBe('2026-03-02 09:30 UTC');
    expect(field(m.blocks, 'Queue')).toBe('general');
  });

  it('an incident names its title, kind, severity, affected customers and whether it can be averted', () => {
    const n: Notification = {
      ...base,
      type: 'incident.opened',
      data: {
        incidentId: 'inc_7',
        kind: 'website_bug',
        severity: 3,
        title: 'checkout error rate above 0.05 (0.2)',
        avertable: false,
        affectedCustomers: 12,
        startedAt: '2026-03-02T09:55:00.000Z',
      },
    };
    const m = buildAlertMessage(n, { publicUrl: 'https://amends.example.com' });
    expect(m.text).toBe('Incident opened: checkout error rate above 0.05 (0.2)');
    expect(field(m.blocks, 'Kind')).toBe('website bug');
    expect(field(m.blocks, 'Severity')).toBe('3 (major)');
    expect(field(m.blocks, 'Affected customers')).toBe('12');
    expect(field(m.blocks, 'Avertable')).toMatch(/^no/);
    expect(texts(m.blocks).at(-1)).toContain('<https://amends.example.com/incidents/inc_7|Open the incident>');
    const avertable = buildAlertMessage({ ...n, data: { ...n.data, avertable: true } });
    expect(field(avertable.blocks, 'Avertable')).toMatch(/^yes/);
  });

  it('a compensation waiting for approval shows the offer, its cost in the currency, who asked and why', () => {
    const n: Notification = {
      ...base,
      type: 'compensation.pending_approval',
      data: {
        compensationId: 'cmp_1',
        caseId: 'case_42',
        kind: 'refund',
        label: 'Full refund',
        cost: { amount: 1_234_500, currency: 'USD' },
        approverRole: 'manager',
        rule: 'not-received',
        reason: null,
        actor: { type: 'user', id: 'usr_1' },
      },
    };
    const m = buildAlertMessage(n, {
      caseNumber: 42,
      actorName: 'Ada <Agent>',
      approvalReasons: ['123.45 USD is over the agent per-case limit of 50.00 USD'],
      justification: 'Loyal customer,\nthird failure',
    });
    expect(m.text).toBe('Approval needed: Full refund (12,345.00 USD) on case #42, asked by Ada &lt;Agent&gt;');
    expect(field(m.blocks, 'Cost')).toBe('12,345.00 USD');
    expect(field(m.blocks, 'Approver')).toBe('manager');
    expect(field(m.blocks, 'Why it needs approval')).toBe('123.45 USD is over the agent per-case limit of 50.00 USD');
    expect((m.blocks[0] as { text: { text: string } }).text.text).toContain('\n> Loyal customer, third failure');
    // Without a name: who, by kind of actor; yen have no minor digits.
    const bare = buildAlertMessage({
      ...n,
      data: { ...n.data, cost: { amount: 5000, currency: 'JPY' }, actor: { type: 'system', id: null } },
    });
    expect(bare.text).toBe('Approval needed: Full refund (5,000 JPY) on a case, asked by Amends (policy)');
  });

  it('other notifications get a sensible line', () => {
    expect(buildAlertMessage({ ...base, type: 'case.resolved', data: { ...caseData, status: 'resolved' } }).text).toBe('Case #42 resolved');
    expect(buildAlertMessage({ ...base, type: 'case.opened', data: { ...caseData, subject: 'Late' } }).text).toBe('Case #42 opened: Late');
    expect(buildAlertMessage({ ...base, type: 'case.status_changed', data: { ...caseData, from: 'new', to: 'in_progress' } }).text).toBe(
      'Case #42: new → in progress',
    );
    expect(
      buildAlertMessage({
        ...base,
        type: 'compensation.issued',
        data: { caseId: 'case_42', label: '10% off', cost: { amount: 500, currency: 'EUR' }, actor: { type: 'system', id: null } },
      }).text,
    ).toBe('Compensation issued: 10% off (5.00 EUR) on a case');
    const unknown = buildAlertMessage({ ...base, type: 'review.flagged' as never, data: { reviewId: 'r1', stars: 1, nested: { a: 1 } } });
    expect(unknown.text).toBe('review.flagged');
    expect(field(unknown.blocks, 'reviewId')).toBe('r1');
    expect(field(unknown.blocks, 'stars')).toBe('1');
    expect(field(unknown.blocks, 'nested')).toBeUndefined();
  });
});
