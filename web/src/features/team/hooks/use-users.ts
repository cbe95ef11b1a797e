import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { User } from '../../../api/types.ts';

/** The store's people, for assignee and approver names. */
export function useUsers() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => api.get<{ users: User[] }>('/api/v1/users').then((r) => r.users),
    staleTime: 5 * 60_000,
  });
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
