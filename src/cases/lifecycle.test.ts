import { describe, expect, it } from 'vitest';
import { allowedTransitions, type CaseStatus, caseStatuses, isOpen, transition } from './lifecycle.ts';

const at = '2026-03-01T12:00:00.000Z';

/** DESIGN.md §4: new → acknowledged → in_progress ⇄ waiting_on_customer → resolved → closed; resolved/closed → reopened → in_progress. */
const designed: [CaseStatus, CaseStatus][] = [
  ['new', 'acknowledged'],
  ['acknowledged', 'in_progress'],
  ['in_progress', 'waiting_on_customer'],
  ['waiting_on_customer', 'in_progress'],
  ['in_progress', 'resolved'],
  ['waiting_on_customer', 'resolved'],
  ['resolved', 'closed'],
  ['resolved', 'reopened'],
  ['closed', 'reopened'],
  ['reopened', 'in_progress'],
];

/** Moves that would skip the work, undo a closure without reopening, or go back to the start. */
const forbidden: [CaseStatus, CaseStatus][] = [
  ['new', 'resolved'],
  ['new', 'closed'],
  ['new', 'reopened'],
  ['new', 'waiting_on_customer'],
  ['acknowledged', 'new'],
  ['acknowledged', 'closed'],
  ['in_progress', 'closed'],
  ['in_progress', 'new'],
  ['in_progress', 'reopened'],
  ['waiting_on_customer', 'closed'],
  ['resolved', 'in_progress'],
  ['resolved', 'new'],
  ['closed', 'in_progress'],
  ['closed', 'resolved'],
  ['closed', 'new'],
  ['reopened', 'closed'],
  ['reopened', 'new'],
];

describe('case lifecycle', () => {
  it.each(designed)('allows %s → %s', (from, to) => {
    const r = transition(from, to, at);
    expect(r).toMatchObject({ ok: true, from, to });
    expect(allowedTransitions(from)).toContain(to);
  });

  it.each(forbidden)('refuses %s → %s, listing what is allowed', (from, to) => {
    const r = transition(from, to, at);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r).toMatchObject({ from, to });
    expect(r.allowed).not.toContain(to);
    expect(r.allowed.length).toBeGreaterThan(0);
    expect([...r.allowed]).toEqual([...allowedTransitions(from)]);
  });

  it('never treats staying in the same status as a transition', () => {
    for (const s of caseStatuses) {
      expect(transition(s, s, at).ok, s).toBe(false);
      expect(allowedTransitions(s)).not.toContain(s);
    }
  });

  it('agrees with allowedTransitions for every pair, and only ever allows known statuses', () => {
    for (const from of caseStatuses) {
      for (const to of caseStatuses) {
        expect(transition(from, to, at).ok, `${from} → ${to}`).toBe(allowedTransitions(from).includes(to));
      }
      for (const to of allowedTransitions(from)) expect(caseStatuses).toContain(to);
    }
  });

  it('can reach every status from new, and get back to work from every status but new', () => {
    const reach = new Set<CaseStatus>(['new']);
    const todo: CaseStatus[] = ['new'];
    while (todo.length > 0) {
      for (const to of allowedTransitions(todo.pop()!)) {
        if (!reach.has(to)) {
          reach.add(to);
          todo.push(to);
        }
      }
    }
    expect([...reach].sort()).toEqual([...caseStatuses].sort());
    // From any status a case can get back to in_progress in at most two moves (closed → reopened → in_progress).
    for (const from of caseStatuses) {
      const one = allowedTransitions(from);
      const two = one.flatMap((s) => allowedTransitions(s));
      expect([from, ...one, ...two], from).toContain('in_progress');
    }
  });

  it('stamps resolvedAt on resolving and closedAt on closing, and clears both on reopening', () => {
    expect(transition('in_progress', 'resolved', at)).toMatchObject({ ok: true, stamps: { resolvedAt: at } });
    const resolved = transition('waiting_on_customer', 'resolved', at);
    expect(resolved.ok && resolved.stamps).toEqual({ resolvedAt: at });

    const closed = transition('resolved', 'closed', at);
    // Closing keeps the resolution time: it is not in the stamps at all.
    expect(closed.ok && closed.stamps).toEqual({ closedAt: at });

    for (const from of ['resolved', 'closed'] as const) {
      const reopened = transition(from, 'reopened', at);
      expect(reopened.ok && reopened.stamps, from).toEqual({ resolvedAt: null, closedAt: null });
    }
  });

  it('leaves the stamps alone on every other move', () => {
    for (const from of caseStatuses) {
      for (const to of allowedTransitions(from)) {
        if (to === 'resolved' || to === 'closed' || to === 'reopened') continue;
        const r = transition(from, to, at);
        expect(r.ok && r.stamps, `${from} → ${to}`).toEqual({});
      }
    }
  });

  it('uses the time it is given', () => {
    const later = '2027-01-02T03:04:05.678Z';
    expect(transition('in_progress', 'resolved', later)).toMatchObject({ stamps: { resolvedAt: later } });
    expect(transition('resolved', 'closed', later)).toMatchObject({ stamps: { closedAt: later } });
  });

  it('counts every status but resolved and closed as open', () => {
    expect(caseStatuses.filter(isOpen)).toEqual(['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened']);
    expect(isOpen('resolved')).toBe(false);
    expect(isOpen('closed')).toBe(false);
    expect(isOpen('reopened')).toBe(true);
  });
});
