/**
 * The inbox order the agent came from, kept in sessionStorage (per tab) so the case page can move to the
 * next or previous case (`j`/`k`) and say "3 of 41" — and fetch the next page of the same queue when the
 * agent walks past what the inbox had loaded.
 */
import { api } from '../../api/client.ts';
import type { CaseList } from '../../api/types.ts';
import { type InboxQuery, inboxQueryString } from './hooks/use-cases.ts';

const KEY = 'amends.inbox.order';

export interface InboxNav {
  /** Case ids in the inbox's order, as far as loaded. */
  ids: string[];
  /** How many cases the queue holds (the server's count), when known. */
  total: number | null;
  /** The inbox address with its filters, to go back to. */
  href: string;
  /** The queue's name, e.g. "Breaching SLA". */
  label: string;
  query: InboxQuery;
  /** Where the next page of this queue starts; null when every case is in `ids`. */
  nextCursor: string | null;
}

export function saveInboxNav(nav: InboxNav): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(nav));
  } catch {
    // private mode or full storage: the case page simply shows no position
  }
}

export function loadInboxNav(): InboxNav | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const nav = JSON.parse(raw) as InboxNav;
    return Array.isArray(nav.ids) && typeof nav.href === 'string' ? nav : null;
  } catch {
    return null;
  }
}

/** The next page of the queue appended (duplicates dropped), saved, and returned. */
export async function extendInboxNav(nav: InboxNav): Promise<InboxNav> {
  if (!nav.nextCursor) return nav;
  const page = await api.get<CaseList>(`/api/v1/cases${inboxQueryString(nav.query, nav.nextCursor)}`);
  const seen = new Set(nav.ids);
  const next: InboxNav = {
    ...nav,
    ids: [...nav.ids, ...page.cases.map((c) => c.id).filter((id) => !seen.has(id))],
    nextCursor: page.nextCursor,
  };
  saveInboxNav(next);
  return next;
}
