import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { TeamMember } from '../types.ts';

export const usersKey = ['users'] as const;

/**
 * The store's people, deactivated ones included (flagged by `disabledAt`): an old case or note still shows who
 * wrote it. To offer someone work, use `useAssignableUsers`.
 */
export const usersOptions = queryOptions({
  queryKey: usersKey,
  queryFn: ({ signal }) => api.get<{ users: TeamMember[] }>('/api/v1/users?include=disabled', { signal }).then((r) => r.users),
  staleTime: 5 * 60_000,
});

export function useUsers() {
  return useQuery(usersOptions);
}

/** The active people: whom a case can be assigned to (the API refuses a deactivated one). */
export function useAssignableUsers() {
  const q = useUsers();
  return { ...q, data: q.data?.filter((u) => u.disabledAt === null) };
}

/** A user's display name from the list, or a short fallback while it loads. */
export function useUserName(): (id: string | null | undefined) => string {
  const { data } = useUsers();
  return (id) => {
    if (!id) return '—';
    const u = data?.find((x) => x.id === id);
    return u ? (u.name ?? u.email) : 'a teammate';
  };
}
