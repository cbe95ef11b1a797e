import { useEffect, useState } from 'react';
import { extendInboxNav, type InboxNav, loadInboxNav } from '../inbox-nav.ts';

export interface InboxPosition {
  nav: InboxNav | null;
  /** 0-based place of the case in the inbox order; -1 when the agent did not come from the inbox. */
  index: number;
  /** How many cases the queue holds, as far as known. */
  total: number;
  previous: string | null;
  next: string | null;
}

/** Where this case sits in the inbox order the agent came from; fetches the queue's next page near its end. */
export function useInboxPosition(caseId: string): InboxPosition {
  const [nav, setNav] = useState<InboxNav | null>(loadInboxNav);
  const index = nav ? nav.ids.indexOf(caseId) : -1;
  const nearEnd = nav !== null && index >= 0 && index >= nav.ids.length - 2 && nav.nextCursor !== null;
  useEffect(() => {
    if (!nearEnd || !nav) return;
    let live = true;
    extendInboxNav(nav).then(
      (n) => live && setNav(n),
      () => undefined, // the position stays as it is; the next press tries again
    );
    return () => {
      live = false;
    };
  }, [nearEnd, nav]);
  if (!nav || index < 0) return { nav, index: -1, total: 0, previous: null, next: null };
  return {
    nav,
    index,
    total: Math.max(nav.total ?? 0, nav.ids.length),
    previous: index > 0 ? (nav.ids[index - 1] ?? null) : null,
    next: nav.ids[index + 1] ?? null,
  };
}
