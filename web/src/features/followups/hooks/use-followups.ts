import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { CaseFollowups, Followup } from '../types.ts';

const enc = encodeURIComponent;

/** A case's follow-ups; `version` (the case's updatedAt) refetches them when the case changes (resolved, reopened). */
export function useCaseFollowups(caseId: string, version: string) {
  return useQuery({
    queryKey: ['followups', caseId, version],
    queryFn: ({ signal }) => api.get<CaseFollowups>(`/api/v1/cases/${enc(caseId)}/followups`, { signal }),
  });
}

/** "Send check-in now" and "Mark done": both refresh the panel and the case (its timeline and messages change). */
export function useFollowupAction(caseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'send-now' | 'done' }) =>
      api.post<Followup>(`/api/v1/followups/${enc(id)}/${action}`, {}),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['followups', caseId] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}
