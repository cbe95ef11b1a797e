import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { api, setCsrfToken } from '../../../api/client.ts';
import type { Role, Session } from '../../../api/types.ts';

export const sessionKey = ['session'] as const;

const roleOrder: Role[] = ['agent', 'manager', 'admin'];

export function roleAtLeast(have: Role, need: Role): boolean {
  return roleOrder.indexOf(have) >= roleOrder.indexOf(need);
}

/** The signed-in person, or null when the cookie is missing or expired. */
async function fetchSession(): Promise<Session | null> {
  // Asked of /session, which answers `null` signed out, rather than /me's 401: a signed-out visitor's
  // browser console stays free of failed requests.
  const { session } = await api.get<{ session: Session | null }>('/api/v1/auth/session');
  setCsrfToken(session?.csrfToken ?? null);
  return session;
}

export const sessionQueryOptions = queryOptions({
  queryKey: sessionKey,
  queryFn: fetchSession,
  retry: false,
  staleTime: Number.POSITIVE_INFINITY,
});

export function useSessionQuery() {
  return useQuery(sessionQueryOptions);
}

/**
 * The session of the signed-in part of the app, given by its guard. A context rather than the query itself:
 * while signing out, components still on screen keep the session they were drawn with until they unmount.
 */
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in route');
  return s;
}

export interface Credentials {
  store: string;
  email: string;
  password: string;
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (c: Credentials) => api.post<Session>('/api/v1/auth/login', c, { quiet401: true }),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      // Whatever another person had cached in this tab is not theirs to see.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
      qc.setQueryData(sessionKey, s);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/api/v1/auth/logout', undefined, { quiet401: true }).catch(() => undefined),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(sessionKey, null);
    },
  });
}
