/**
 * Route loaders that start a page's first requests while its code is still downloading, instead of after:
 * the session is asked for once (at start, see main.tsx), and for a signed-in person the page's queries go
 * out with the same options the page's hooks use, so the page finds them in the cache. Loaders never wait:
 * navigation is not held up, and a failed prefetch is simply asked again by the page.
 */
import type { LoaderFunctionArgs } from 'react-router';
import { sessionQueryOptions } from '../features/auth/hooks/use-session.ts';
import { caseOptions, inboxCasesOptions, queueCountsOptions } from '../features/cases/hooks/use-cases.ts';
import { inboxParams } from '../features/cases/inbox-query.ts';
import { pendingApprovalsOptions } from '../features/compensation/hooks/use-compensation.ts';
import { usersOptions } from '../features/team/hooks/use-users.ts';
import { queryClient } from './providers.tsx';

/** Asks for the session now (the guard and every loader share the answer). */
export function prefetchSession(): void {
  void queryClient.prefetchQuery(sessionQueryOptions);
}

function whenSignedIn(run: () => void): null {
  queryClient
    .ensureQueryData(sessionQueryOptions)
    .then((s) => {
      if (s) run();
    })
    .catch(() => {});
  return null;
}

export function inboxLoader({ request }: LoaderFunctionArgs): null {
  const { query } = inboxParams(new URL(request.url).searchParams);
  return whenSignedIn(() => {
    void queryClient.prefetchInfiniteQuery(inboxCasesOptions(query));
    void queryClient.prefetchQuery(queueCountsOptions(query.statuses));
    void queryClient.prefetchQuery(pendingApprovalsOptions);
    void queryClient.prefetchQuery(usersOptions);
  });
}

export function caseLoader({ params }: LoaderFunctionArgs): null {
  const id = params.id;
  return whenSignedIn(() => {
    if (id) void queryClient.prefetchQuery(caseOptions(id));
    void queryClient.prefetchQuery(usersOptions);
  });
}

export function approvalsLoader(): null {
  return whenSignedIn(() => {
    void queryClient.prefetchQuery(pendingApprovalsOptions);
  });
}
