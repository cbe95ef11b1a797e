import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { Role } from '../../../api/types.ts';
import { sessionKey } from '../../auth/hooks/use-session.ts';
import type { TeamMember, WithPassword } from '../types.ts';
import { usersKey } from './use-users.ts';

/** People changes (admins; a password change also for oneself). Each refreshes the list and the own session. */
function useTeamMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: usersKey });
      // The signed-in person may have changed their own role or name.
      void qc.invalidateQueries({ queryKey: sessionKey });
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
}

export interface NewPerson {
  email: string;
  name?: string;
  role: Role;
  password?: string;
}

export const useCreateUser = () => useTeamMutation((v: NewPerson) => api.post<WithPassword>('/api/v1/users', v));

export const useUpdateUser = () =>
  useTeamMutation(({ id, ...changes }: { id: string; name?: string | null; role?: Role }) =>
    api.patch<{ user: TeamMember; tokensRevoked: number }>(`/api/v1/users/${encodeURIComponent(id)}`, changes),
  );

export const useSetPassword = () =>
  useTeamMutation(({ id, ...body }: { id: string; password?: string; currentPassword?: string }) =>
    api.post<WithPassword & { sessionsEnded: number }>(`/api/v1/users/${encodeURIComponent(id)}/password`, body),
  );

export interface Deactivation {
  user: TeamMember;
  sessionsEnded: number;
  tokensRevoked: number;
  casesUnassigned: number;
  customersReleased: number;
}

export const useDeactivateUser = () => useTeamMutation((id: string) => api.delete<Deactivation>(`/api/v1/users/${encodeURIComponent(id)}`));

export const useReactivateUser = () =>
  useTeamMutation((id: string) => api.post<{ user: TeamMember }>(`/api/v1/users/${encodeURIComponent(id)}/reactivate`));
